"""`profilegen diff`: what differs between two selections, in meaning rather than bytes.

Either side is a profile in any form `import` reads, a config file, or
`preset:NAME`. Compared: the profile's details, then the settings per domain,
then what the difference does to each documented endpoint. PayloadUUIDs,
payload order and the keys MDMs add to payloads are not differences.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from profilegen.catalog.model import Catalog, Setting
from profilegen.core import impact
from profilegen.core.request import Profile, TargetOptions
from profilegen.core.selection import Selection, resolve
from profilegen.core.target import Target
from profilegen.errors import SelectionError
from profilegen.reading.description import plist_text

DETAILS = ("identifier", "display_name", "description", "organization", "scope", "removal_disallowed")


@dataclass(frozen=True)
class Side:
    label: str
    details: dict[str, Any]
    settings: dict[tuple[str, str], Any]  # every key the side sets, known to the catalog or not
    selection: Selection  # the catalog's settings of it, for the endpoint impact
    notes: tuple[str, ...] = ()  # old names read as the current ones: the same meaning, said


def side(catalog: Catalog, text: str, target: Target) -> Side:
    if text.startswith("preset:"):
        chosen = resolve(catalog, preset=text.removeprefix("preset:"))
        return _from_selection(text, chosen, target)
    path = Path(text)
    if path.suffix == ".toml":
        return _from_selection(text, resolve(catalog, config=path), target)
    from profilegen.reading import importer

    raw = importer.read(path)
    brought = importer.bring_in(catalog, [raw])
    details = {name: raw.metadata.get(key) for key, name in importer.METADATA.items()}
    details["removal_disallowed"] = bool(details["removal_disallowed"])
    details["scope"] = details["scope"] if "PayloadScope" in raw.metadata else "None"
    chosen = Selection(path.stem, brought.ordered(catalog), Profile(), target=target)
    settings, notes = meaning(catalog, raw.settings, text)
    return Side(text, details, settings, chosen, notes)


def meaning(catalog: Catalog, found, label: str) -> tuple[dict[tuple[str, str], Any], tuple[str, ...]]:
    """A profile's settings by what the application reads: a documented old name of a key or of a
    value is read as the current one, and where a profile sets a key under both names the current
    one is what counts. Each such reading is a note, not a difference."""
    settings: dict[tuple[str, str], Any] = {}
    current: set[tuple[str, str]] = set()
    notes = []
    known = []
    for domain, key, value in found:
        try:
            pref = catalog.preference(key) if isinstance(key, str) else None
        except SelectionError:
            pref = None
        if pref is None or domain not in pref.domains:
            settings[(domain, key)] = value
        else:
            known.append((domain, key, value, pref))
    for domain, key, value, pref in sorted(known, key=lambda k: k[1] != k[3].key):  # current names first
        named = pref.old_name(value)
        slot = (domain, pref.key)
        if key != pref.key:
            if slot in current:
                notes.append(f"{label}: {domain} {key} is superseded by {pref.key}, which it sets too")
                continue
            notes.append(f"{label}: {domain} {key} is an old name of {pref.key}; compared as {pref.key}")
        else:
            current.add(slot)
        if named:
            notes.append(f"{label}: {domain} {pref.key} = {value} is an old name of {named}; compared as {named}")
        settings[slot] = named or value
    return settings, tuple(notes)


def _from_selection(label: str, chosen: Selection, target: Target) -> Side:
    details = {name: getattr(chosen.profile, name) for name in DETAILS}
    details["removal_disallowed"] = bool(details["removal_disallowed"])
    return Side(
        label,
        details,
        {(s.domain, s.key): s.value for s in chosen.settings},
        Selection(chosen.name, chosen.settings, chosen.profile, target=target),
    )


@dataclass(frozen=True)
class Difference:
    a: Side
    b: Side
    details: tuple[tuple[str, Any, Any], ...]
    added: tuple[Setting, ...]
    removed: tuple[Setting, ...]
    changed: tuple[tuple[Setting, Any], ...]  # the setting in B, and its value in A
    endpoints: tuple[tuple[impact.Impact, impact.Impact], ...]  # (in A, in B) where the effect differs
    warnings: tuple[str, ...] = ()  # keys either side sets that Microsoft says never to set
    notes: tuple[str, ...] = ()  # old names read as current ones: not differences

    @property
    def same(self) -> bool:
        return not (self.details or self.added or self.removed or self.changed or self.endpoints)

    def lines(self) -> list[str]:
        notes = [f"note: {n}" for n in self.notes]
        if self.same:
            return [f"{self.a.label} and {self.b.label} mean the same", *notes]
        lines = [f"--- {self.a.label}", f"+++ {self.b.label}"]
        lines += [_change(f"profile {name}:", x, y) for name, x, y in self.details]
        lines += [_line(f"+ {s.domain} {s.key} =", s.value) for s in self.added]
        lines += [_line(f"- {s.domain} {s.key} =", s.value) for s in self.removed]
        lines += [_change(f"~ {s.domain} {s.key}:", old, s.value) for s, old in self.changed]
        if self.endpoints:
            lines.append(f"Endpoints whose effect changes ({len(self.endpoints)}):")
            lines += [f"  {_endpoint(x, y)}" for x, y in self.endpoints]
        return lines + notes

    def as_dict(self) -> dict:
        return {
            "a": self.a.label,
            "b": self.b.label,
            "same": self.same,
            "profile": [{"field": n, "a": x, "b": y} for n, x, y in self.details],
            "added": [_setting(s) for s in self.added],
            "removed": [_setting(s) for s in self.removed],
            "changed": [{**_setting(s), "was": old} for s, old in self.changed],
            "notes": list(self.notes),
            "endpoints": [
                {
                    "section": x.endpoint.section,
                    "url": x.endpoint.url,
                    "a": x.effect,
                    "b": y.effect,
                    "still_contacted_by_a": list(x.still_contacted_by),
                    "still_contacted_by_b": list(y.still_contacted_by),
                }
                for x, y in self.endpoints
            ],
            "warnings": list(self.warnings),
        }


def compare(catalog: Catalog, a: str, b: str, target: TargetOptions | None = None) -> Difference:
    target = target or TargetOptions()
    aim = Target.of(catalog, target.office, target.mau)
    left, right = side(catalog, a, aim), side(catalog, b, aim)
    details = tuple((n, left.details[n], right.details[n]) for n in DETAILS if left.details[n] != right.details[n])
    keys = sorted(
        set(left.settings) | set(right.settings),
        key=lambda k: (catalog.domain_order(k[0]) if k[0] in catalog.domains else len(catalog.domains), k),
    )
    added = tuple(Setting(d, k, right.settings[(d, k)]) for d, k in keys if (d, k) not in left.settings)
    removed = tuple(Setting(d, k, left.settings[(d, k)]) for d, k in keys if (d, k) not in right.settings)
    changed = tuple(
        (Setting(d, k, right.settings[(d, k)]), left.settings[(d, k)])
        for d, k in keys
        if (d, k) in left.settings
        and (d, k) in right.settings
        and not _same(left.settings[(d, k)], right.settings[(d, k)])
    )
    endpoints = tuple(
        (x, y)
        for x, y in zip(impact.assess(left.selection, catalog), impact.assess(right.selection, catalog), strict=True)
        if (x.effect, x.still_contacted_by) != (y.effect, y.still_contacted_by)
    )
    warnings = tuple(
        f"{s.label}: {never.message()}"
        for s in (left, right)
        for d, k in s.settings
        if isinstance(k, str) and (never := catalog.never(k, d))
    )
    return Difference(left, right, details, added, removed, changed, endpoints, warnings, (*left.notes, *right.notes))


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _shown(value: Any) -> str:
    return "\n".join(plist_text(value))


def _line(head: str, value: Any) -> str:
    return f"{head} " + "\n".join(plist_text(value, "    "))


def _change(head: str, old: Any, new: Any) -> str:
    a, b = plist_text(old, "    "), plist_text(new, "    ")
    if len(a) == len(b) == 1:
        return f"{head} {a[0]} -> {b[0]}"
    return "\n".join([head, "  was " + a[0], *a[1:], "  now " + b[0], *b[1:]])


def _setting(s: Setting) -> dict:
    return {"domain": s.domain, "key": s.key, "value": s.value}


def _endpoint(x: impact.Impact, y: impact.Impact) -> str:
    line = f"{x.endpoint.host} ({x.endpoint.section}): {x.effect} -> {y.effect}"
    again = [app for app in y.still_contacted_by if app not in x.still_contacted_by]
    quieter = [app for app in x.still_contacted_by if app not in y.still_contacted_by]
    if again:
        line += f", now contacted by {', '.join(again)} again"
    if quieter:
        line += f", no longer contacted by {', '.join(quieter)}"
    return line
