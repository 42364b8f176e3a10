"""What a selection does to each documented endpoint, from the rules in the catalog.

A rule (`[[impact]]` in a preference's data file) names the endpoints a value
stops, by section or host pattern, with the article's evidence. A rule set in
an app's domain acts for that app only: UseOnlineContent = 0 in Word silences
login.live.com for Word, while Outlook and OneNote still contact it. A rule
that isn't per app, or an endpoint the article lists without apps, is judged as
a whole. An endpoint no rule names is unchanged: nothing is claimed that the
article doesn't support.
"""

from __future__ import annotations

from dataclasses import dataclass

from profilegen import names
from profilegen.catalog.model import EFFECTS, Catalog, Endpoint, Preference, RowStatus, Rule, Setting
from profilegen.catalog.values import format_value
from profilegen.core.request import Profile
from profilegen.core.selection import Selection
from profilegen.core.target import Target
from profilegen.errors import SelectionError


@dataclass(frozen=True)
class Impact:
    endpoint: Endpoint
    effect: str
    silenced_for: tuple[str, ...]
    still_contacted_by: tuple[str, ...]
    settings: tuple[Setting, ...]  # the settings responsible
    evidence: str | None
    reason: str
    sources: tuple[str, ...] = ()  # of the rules that apply
    status: RowStatus | None = None  # why the target no longer contacts it; None: it does
    status_text: str = ""  # the status in words, with its source

    def as_dict(self) -> dict:
        e = self.endpoint
        return {
            "section": e.section,
            "url": e.url,
            "host": e.host,
            "apps": list(e.apps),
            "type": e.type,
            "description": e.description,
            "source": e.source,
            "cited": e.cited.as_dict(),
            "scope": e.scope,
            "status": self.status.word if self.status else "current",
            "status_text": self.status_text,
            "status_source": self.status.evidence.as_dict() if self.status else None,
            "essential": e.essential,
            "shared": e.shared,
            "effect": self.effect,
            "silenced_for": list(self.silenced_for),
            "still_contacted_by": list(self.still_contacted_by),
            "settings": [{"domain": s.domain, "key": s.key, "value": s.value} for s in self.settings],
            "evidence": self.evidence,
            "reason": self.reason,
            "rule_sources": list(self.sources),
        }


def read_settings(selection: Selection, catalog: Catalog) -> list[Setting]:
    """The selection's settings that its target reads: the others change nothing on the Macs."""
    from profilegen.core.target import unread

    target = selection.target
    return [s for s in selection.settings if target is None or unread(catalog, s, target) is None]


_ASSESSED: dict[tuple[int, Selection | None, Target | None], list[Impact]] = {}


def assess(selection: Selection | None, catalog: Catalog, target: Target | None = None) -> list[Impact]:
    """One Impact per documented endpoint row, in the article's order, each row judged against the
    selection's target (or `target`, or the catalog's current versions): legacy or retired for it,
    or current.

    Several renderers of one build ask for the same selection; it is worked out once.
    """
    key = (id(catalog), selection, target)
    if key not in _ASSESSED:
        if len(_ASSESSED) > 256:  # a batch of thousands needn't keep them all
            _ASSESSED.clear()
        _ASSESSED[key] = _assess(selection, catalog, target)
    return _ASSESSED[key]


def _assess(selection: Selection | None, catalog: Catalog, target: Target | None) -> list[Impact]:
    rules = catalog.active(read_settings(selection, catalog)) if selection else []
    versions = ((selection.target if selection else None) or target or Target.of(catalog)).versions()
    result = []
    for index, endpoint in enumerate(catalog.endpoints):
        silenced: set[str] = set()
        whole: set[str] = set()  # effects on the row as a whole
        used: list[tuple[Setting, Rule]] = []
        for setting, rule in rules:
            if index not in rule.rows:
                continue
            apps = [a for a in catalog.domains[setting.domain].apps if not rule.apps or a in rule.apps]
            if endpoint.callers and rule.per_app:
                hit = [a for a in endpoint.callers if a in apps]
                if not hit:
                    continue
                if rule.effect == "silenced":
                    silenced.update(hit)
                else:
                    whole.add(rule.effect)
            else:
                whole.add(rule.effect)
            used.append((setting, rule))
        callers = endpoint.callers
        still = tuple(a for a in callers if a not in silenced) if callers else (endpoint.who or "",)
        if "silenced" in whole:  # a rule for every app at once wins over the per-app ones
            effect = "silenced"
        elif callers and silenced:
            effect = "partly silenced" if still else "silenced"
        elif whole:
            effect = "reduced"
        else:
            effect = "unchanged"
        applied = list(dict.fromkeys(rule for _, rule in used))
        result.append(
            Impact(
                endpoint=endpoint,
                effect=effect,
                silenced_for=tuple(a for a in callers if a in silenced),
                still_contacted_by=() if effect == "silenced" else still,
                settings=tuple(dict.fromkeys(s for s, _ in used)),
                evidence=None
                if not applied
                else ("documented" if all(r.evidence == "documented" for r in applied) else "inferred"),
                reason=" ".join(r.reason for r in applied),
                sources=tuple(dict.fromkeys(r.source for r in applied)),
                status=(status := endpoint.status(versions)),
                status_text=f"{status.describe(catalog)} ({status.evidence.source}, {status.evidence.confidence})"
                if status
                else "",
            )
        )
    return result


def contacted(impacts: list[Impact], include_legacy: bool = False) -> list[Impact]:
    """The rows the target still contacts: a row legacy or retired for it only with include_legacy."""
    return [i for i in impacts if include_legacy or i.status is None]


def left_out(impacts: list[Impact], include_legacy: bool = False) -> list[str]:
    """`host: why` for each host an allow-list leaves out as legacy or retired for the target."""
    if include_legacy:
        return []
    live = {i.endpoint.host for i in impacts if i.status is None}
    return list(
        dict.fromkeys(
            f"{i.endpoint.host}: {i.status_text}" for i in impacts if i.status and i.endpoint.host not in live
        )
    )


def summary(impacts: list[Impact]) -> dict[str, int]:
    counts = {effect: 0 for effect in EFFECTS}
    for impact in impacts:
        counts[impact.effect] += 1
    return counts


def summary_line(impacts: list[Impact]) -> str:
    c = summary(impacts)
    return (
        f"{c['silenced']} silenced, {c['partly silenced']} partly silenced, {c['reduced']} reduced, "
        f"{c['unchanged']} unchanged, of {len(impacts)} documented endpoint rows"
    )


def only(impacts: list[Impact], catalog: Catalog, effects=(), apps=(), sections=()) -> list[Impact]:
    """The rows with one of the effects, contacted by one of the apps (a row the article lists
    without apps is kept: it doesn't say which app) and in one of the sections (any part of the
    name, any case); an empty filter keeps every row. An unknown effect or app is an error."""
    effects = [names.pick("effect", effect, EFFECTS) for effect in effects]
    by_letter = {letter: name for letter, name in catalog.apps.items()}
    wanted = {by_letter.get(app.strip().upper()) or names.pick("app", app, catalog.apps.values()) for app in apps}
    for part in sections:
        if not any(part.lower() in s.name.lower() for s in catalog.sections):
            raise SelectionError(
                f"no section matches {part!r}; the sections are {', '.join(s.name for s in catalog.sections)}"
            )
    return [
        i
        for i in impacts
        if (not effects or i.effect in effects)
        and (not wanted or not i.endpoint.apps or wanted & set(i.endpoint.apps))
        and (not sections or any(p.lower() in i.endpoint.section.lower() for p in sections))
    ]


@dataclass(frozen=True)
class HostImpact:
    """Every row of one host: a proxy rule acts on the host, whatever row made it."""

    host: str
    rows: tuple[Impact, ...]

    @property
    def effects(self) -> tuple[str, ...]:
        return tuple(e for e in EFFECTS if any(i.effect == e for i in self.rows))

    @property
    def needed(self) -> bool:
        """Whether a row the target still contacts needs it (not legacy or retired for the target)."""
        return any(i.effect != "silenced" and i.status is None for i in self.rows)

    def as_dict(self) -> dict:
        return {
            "host": self.host,
            "effects": list(self.effects),
            "needed": self.needed,
            "shared": any(i.endpoint.shared for i in self.rows),
            "sections": list(dict.fromkeys(i.endpoint.section for i in self.rows)),
            "still_contacted_by": list(dict.fromkeys(a for i in self.rows for a in i.still_contacted_by)),
            "settings": list(dict.fromkeys(s.key for i in self.rows for s in i.settings)),
            "status": list(dict.fromkeys(i.status_text for i in self.rows if i.status)),
        }

    def summary(self, column: int = 0) -> list[str]:
        """The host whole, padded to `column`, with its effects; below, its sections and who still
        contacts it, as `endpoints --by-host` prints it."""
        row = self.as_dict()
        details = [", ".join(row["sections"])]
        if row["still_contacted_by"] and self.needed:
            details.append("still " + ", ".join(row["still_contacted_by"]))
        if row["settings"]:
            details.append("by " + ", ".join(row["settings"]))
        if row["shared"]:
            details.append("shared with the web")
        details += row["status"]
        return [f"{self.host:<{column}}  {', '.join(self.effects)}", "  " + "; ".join(details)]


def by_host(impacts: list[Impact]) -> list[HostImpact]:
    grouped: dict[str, list[Impact]] = {}
    for i in impacts:
        grouped.setdefault(i.endpoint.host, []).append(i)
    return [HostImpact(host, tuple(rows)) for host, rows in grouped.items()]


def hosts(impacts: list[Impact], include_legacy: bool = False) -> tuple[list[str], list[str], list[str]]:
    """(still needed, to block, shared) host patterns. A host any row still needs is never a block
    candidate; a silenced host shared with the web is set apart, as a proxy can't block it for Office
    alone. A row the target no longer contacts (legacy, retired) is in none of them, unless
    include_legacy keeps it."""
    impacts = contacted(impacts, include_legacy)
    needed = list(dict.fromkeys(i.endpoint.host for i in impacts if i.effect != "silenced"))
    silenced = [h for h in dict.fromkeys(i.endpoint.host for i in impacts if i.effect == "silenced") if h not in needed]
    shared = {i.endpoint.host for i in impacts if i.endpoint.shared}
    return needed, [h for h in silenced if h not in shared], [h for h in silenced if h in shared]


@dataclass(frozen=True)
class SettingImpact:
    preference: Preference
    settings: tuple[Setting, ...]
    silenced: tuple[Impact, ...]  # silenced or partly silenced
    reduced: tuple[Impact, ...]
    breaks: tuple[str, ...]

    def as_dict(self) -> dict:
        return {
            "key": self.preference.key,
            "settings": [{"domain": s.domain, "value": s.value} for s in self.settings],
            "silenced": [i.as_dict() for i in self.silenced],
            "reduced": [i.as_dict() for i in self.reduced],
            "breaks": list(self.breaks),
        }

    def summary(self) -> list[str]:
        """What the preference does alone, as `settings --impact` prints it."""
        values = "/".join(sorted({format_value(s.value) for s in self.settings}))
        silenced = [f"{i.endpoint.host} ({i.effect})" for i in self.silenced]
        return [
            f"{self.preference.key} = {values}",
            "  silences: " + (", ".join(dict.fromkeys(silenced)) or "nothing"),
            "  reduces: " + (", ".join(dict.fromkeys(i.endpoint.host for i in self.reduced)) or "nothing"),
            "  breaks: " + (", ".join(self.breaks) or "nothing documented"),
        ]


def by_setting(catalog: Catalog, selection: Selection | None = None) -> list[SettingImpact]:
    """For each preference (of the selection, or of the catalog at its private value): what it does alone."""
    result = []
    for pref in catalog.preferences.values():
        if selection:
            settings = tuple(s for s in selection.settings if s.key == pref.key)
        elif pref.private is not None:
            settings = tuple(Setting(d, pref.key, pref.private) for d in pref.domains)
        else:
            settings = ()
        if not settings:
            continue
        alone = Selection(
            pref.key,
            settings,
            selection.profile if selection else Profile(),
            target=selection.target if selection else None,
        )
        impacts = [i for i in assess(alone, catalog) if i.effect != "unchanged"]
        breaks = tuple(dict.fromkeys(b for s, rule in catalog.active(alone.settings) for b in rule.breaks))
        result.append(
            SettingImpact(
                pref,
                settings,
                tuple(i for i in impacts if "silenced" in i.effect),
                tuple(i for i in impacts if i.effect == "reduced"),
                breaks,
            )
        )
    return result
