"""The catalog's model: preferences, their domains and values, impact rules, endpoints, presets and
versions, as read from payloads/ (see profilegen.catalog.loading)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, NamedTuple

from profilegen import names
from profilegen.catalog.sources import Caveat, Claim, Evidence, Source, cite, versions_in
from profilegen.catalog.values import (
    FORMATS,
    MAX_DEPTH,
    Version,
    a_or_an,
    bounded,
    format_value,
    json_default,
    same_value,
    type_name,
)
from profilegen.errors import SelectionError

URL_TYPES = {"ST": "static", "SS": "semi-static", "CS": "configuration service", "": "not given by the source"}
# What a selection does to an endpoint row. A rule names one of RULE_EFFECTS; "partly
# silenced" and "unchanged" follow from which apps the rules act for.
EFFECTS = {
    "silenced": "no documented app still contacts it",
    "partly silenced": "silenced for some apps, still contacted by others",
    "reduced": "still contacted, but less is sent",
    "unchanged": "no setting of the selection changes it",
}
RULE_EFFECTS = ("silenced", "reduced")
_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")
# An https URL (RFC 3986 characters, no fragment): what AutoUpdate can fetch from.
_URL = re.compile(
    r"^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?"
    r"(\?[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*)?$"
)


class Setting(NamedTuple):
    """One preference in one domain, at one value: what a build writes and a profile holds."""

    domain: str
    key: str
    value: Any

    def __hash__(self) -> int:  # a dictionary value (AutoUpdate's Applications) hashes by its content
        value = self.value
        if isinstance(value, (dict, list)):
            import json

            value = json.dumps(value, sort_keys=True, default=json_default)
        return hash((self.domain, self.key, type(self.value), value))

    def __str__(self) -> str:
        return f"{self.domain} {self.key} = {format_value(self.value)}"


class Status(NamedTuple):
    """From `version` of the domain's product on, this (a domain, a key or a value) isn't read."""

    word: str  # how the source puts it: ignored, removed, retired
    version: Version
    evidence: Evidence
    instead: tuple[str, ...] = ()  # what to set instead
    domains: tuple[str, ...] = ()  # only in these domains; () everywhere
    instead_evidence: Evidence | None = None  # where `instead` comes from, where not from the status's source

    def covers(self, domain: str) -> bool:
        return not self.domains or domain in self.domains

    def as_dict(self) -> dict:
        return {
            "status": self.word,
            "from": str(self.version),
            "instead": list(self.instead),
            "domains": list(self.domains),
            **self.evidence.as_dict(),
            "instead_source": self.instead_evidence.as_dict() if self.instead_evidence else None,
        }


class Product(NamedTuple):
    """Office or AutoUpdate, and the version the catalog takes as current."""

    name: str
    title: str
    current: Version
    released: str
    evidence: Evidence
    build: str | None = None

    def summary(self, catalog: Catalog) -> list[str]:
        """The product in a few lines, as `profilegen versions` prints it."""
        source = catalog.sources[self.evidence.source]
        build = f" ({self.build})" if self.build else ""
        return [
            f"{self.title} {self.current}{build}, released {self.released}",
            f"  Source: {source.title}, {source.url} ({self.evidence.source}, {self.evidence.confidence}; "
            f"read: {source.revision})",
            *([f"  {self.evidence.note}"] if self.evidence.note else []),
        ]

    def as_dict(self, catalog: Catalog) -> dict:
        source = catalog.sources[self.evidence.source]
        return {
            "product": self.name,
            "title": self.title,
            "current": str(self.current),
            "build": self.build,
            "released": self.released,
            **self.evidence.as_dict(),
            "source_title": source.title,
            "source_url": source.url,
            "revision": source.revision,
        }


class Value(NamedTuple):
    value: Any
    title: str
    aliases: tuple[str, ...] = ()  # old names, written as this one
    statuses: tuple[Status, ...] = ()
    evidence: Evidence | None = None  # where not from the preference's own source and section


class Rule(NamedTuple):
    """What a preference stops when it has the value `when` (see profilegen.core.impact)."""

    when: Any
    effect: str
    evidence: str  # a key of EVIDENCE
    reason: str
    cited: Evidence  # its source, section and confidence
    hosts: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    unless: tuple[tuple[str, Any], ...] = ()
    also: tuple[tuple[str, Any], ...] = ()  # other settings it needs, anywhere in the selection
    per_app: bool = True
    apps: tuple[str, ...] = ()  # acts only for these apps; () for every app of the domain
    breaks: tuple[str, ...] = ()
    set: bool = False  # holds for any value: `when` is not used
    rows: frozenset[int] = frozenset()  # indexes of the endpoints it names, set when the catalog loads

    def holds(self, value: Any) -> bool:
        return self.set or same_value(self.when, value)

    @property
    def source(self) -> str:
        return self.cited.source


class Preference(NamedTuple):
    key: str
    title: str
    description: str
    type: str
    domains: tuple[str, ...]
    values: tuple[Value, ...]
    private: Any
    evidence: Evidence
    question: str
    group: str
    order: int = 0
    default: Any = None
    since: Version | None = None  # the first version that reads it, of its first domain's product
    since_evidence: Evidence | None = None  # where that comes from, where not from the preference's source
    profile_only: Version | None = None  # from this version, read only when a profile sets it
    profile_only_evidence: Evidence | None = None
    expected: str | None = None  # why a profile that manages its domain should set it
    statuses: tuple[Status, ...] = ()
    format: str | None = None  # for free string values: a key of FORMATS
    minimum: int | None = None  # for free integer values
    maximum: int | None = None
    structure: dict | None = None  # for a dictionary (profilegen.catalog.facts)
    aliases: tuple[str, ...] = ()
    caveats: tuple[Caveat, ...] = ()
    impact: tuple[Rule, ...] = ()

    @property
    def section(self) -> str | None:
        return self.evidence.section

    @property
    def allowed(self) -> str:
        if self.values:
            return ", ".join(format_value(v.value) for v in self.values)
        if self.format:
            return FORMATS[self.format]
        if self.structure:
            from profilegen.catalog.facts import describe

            return describe(self.structure)
        if self.minimum is not None and self.maximum is not None:
            return f"a whole number from {self.minimum} to {self.maximum}"
        return f"a whole number from {self.minimum}" if self.minimum is not None else f"any {self.type}"

    @property
    def choices(self) -> str:
        """What a refusal says is allowed, in the admin's words: each value with its title."""
        if self.values:
            return "one of " + ", ".join(f'{format_value(v.value)} "{v.title}"' for v in self.values)
        return self.allowed

    def value(self, value: Any) -> Value | None:
        return next((v for v in self.values if same_value(v.value, value)), None)

    def title_of(self, value: Any) -> str:
        found = self.value(value)
        return found.title if found else format_value(value)

    def problem(self, value: Any) -> str | None:
        """Why a value (of the right type) isn't one this preference takes, or None."""
        if self.structure:
            from profilegen.catalog.facts import findings

            errors = [message for level, _, message, _ in findings(value, self.structure) if level == "error"]
            return errors[0] if errors else None
        if self.values:
            if self.value(value) is None:
                return f"{format_value(value)} is not allowed; expected {self.choices}"
        elif self.format == "https-url" and not _URL.match(value):
            return f"{value!r} is not {self.allowed}"
        elif self.format == "email" and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            return f"{value!r} is not {self.allowed}"
        elif self.format == "text" and (not value.strip() or re.search(r"[\x00-\x1f\x7f]", value)):
            return f"{value!r} is not {self.allowed}"
        elif (self.minimum is not None and value < self.minimum) or (self.maximum is not None and value > self.maximum):
            return f"{value} is not allowed; expected {self.allowed}"
        return None

    def coerce(self, value: Any) -> Any:
        """Check a typed value (from TOML or code) and return it in its documented form."""
        if self.structure and isinstance(value, dict):
            from profilegen.catalog.facts import dated

            value = dated(value, self.structure)
        if type_name(value) != self.type:
            got = type_name(value)
            shown = f"{got} {format_value(value) if got == 'boolean' else repr(value)}"
            raise SelectionError(
                f"{self.key}: expected {a_or_an(self.type)} {self.type} ({self.choices}), got the {shown}"
            )
        if self.type == "string" and self.values:
            for allowed in self.values:
                if value.lower() in (allowed.value.lower(), *(a.lower() for a in allowed.aliases)):
                    return allowed.value
        problem = self.problem(value)
        if problem:
            raise SelectionError(f"{self.key}: {problem}")
        return value

    def old_name(self, value: Any) -> str | None:
        """The current name where `value` is an old name of one of the values."""
        if isinstance(value, str):
            for allowed in self.values:
                if value.lower() in (a.lower() for a in allowed.aliases):
                    return allowed.value
        return None

    def parse(self, text: str) -> Any:
        """Parse a value typed by a person (--set, the wizard) by the catalog type."""
        raw = text.strip()
        if self.type == "boolean":
            if raw.lower() in _TRUE:
                return self.coerce(True)
            if raw.lower() in _FALSE:
                return self.coerce(False)
            raise SelectionError(
                f"{self.key}: {text!r} is not a boolean; expected {self.choices} (true/false, yes/no, on/off or 1/0)"
            )
        if self.type == "dictionary":
            import json

            try:
                value = json.loads(raw)
            except (ValueError, RecursionError):
                raise SelectionError(f"{self.key}: expected a JSON object ({self.allowed}), got {text!r}") from None
            if not bounded(value):
                raise SelectionError(f"{self.key}: nested deeper than a value can be (at most {MAX_DEPTH} levels)")
            return self.coerce(value)
        if self.type == "integer":
            try:
                number = int(raw, 10)
            except ValueError:
                raise SelectionError(f"{self.key}: {text!r} is not an integer; expected {self.choices}") from None
            return self.coerce(number)
        return self.coerce(raw)

    def versions(self, catalog: Catalog) -> list[str]:
        """Which versions read it, in words, each claim from elsewhere than its source with its confidence."""

        def product(domains: tuple[str, ...]) -> str:
            return catalog.products[catalog.domains[(domains or self.domains)[0]].product].title

        def status(s: Status, what: str = "", domain: str | None = None) -> str:
            return (
                f"{what}{s.word} from {product((domain,) if domain else s.domains)} {s.version}"
                f"{'' if domain else _where(s.domains)} ({s.evidence.source}, {s.evidence.confidence})"
                + (f"; instead: {', '.join(s.instead)}" if s.instead else "")
            )

        since = self.since_evidence
        words = [
            f"read from {product(())} {self.since}" + (f" ({since.source}, {since.confidence})" if since else "")
            if self.since
            else ""
        ]
        if self.profile_only:
            words.append(f"from {product(())} {self.profile_only}, read only from a configuration profile")
        words += [status(s) for s in self.statuses]
        words += [status(s, f"{d} ", d) for d in self.domains for s in catalog.domains[d].statuses]
        for v in self.values:
            words += [status(s, f"{format_value(v.value)} ") for s in v.statuses]
            words += [f"{alias}: old name of {format_value(v.value)}" for alias in v.aliases]
        return [w for w in words if w]

    def summary(self, catalog: Catalog) -> list[str]:
        """The preference in a few lines of text, as `profilegen settings` prints it."""
        width = max((len(format_value(v.value)) for v in self.values), default=0)
        marks = {format_value(self.private): "  (most private)"} if self.private is not None else {}
        return [
            f"{self.key}: {self.title}",
            *(f"  also read as {alias}" for alias in self.aliases),
            f"  {self.type}, in {', '.join(self.domains)}",
            *(
                f"  {format_value(v.value):<{width}}  {v.title}{marks.get(format_value(v.value), '')}"
                + (f" ({cite(v.evidence)})" if v.evidence else "")
                for v in self.values
            ),
            *([] if self.values else [f"  {self.allowed}"]),
            f"  {self.description}",
            *(f"  Versions: {words}" for words in ["; ".join(self.versions(catalog))] if words),
            *(
                f"  ! {c.text}" + ("" if c.evidence == self.evidence else f" ({cite(c.evidence)})")
                for c in self.caveats
            ),
            f"  Source: {cite(self.evidence)}",
        ]

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "description": self.description,
            "type": self.type,
            "domains": list(self.domains),
            "values": [
                {
                    "value": v.value,
                    "title": v.title,
                    "aliases": list(v.aliases),
                    "statuses": [s.as_dict() for s in v.statuses],
                    **({"cited": v.evidence.as_dict()} if v.evidence else {}),
                }
                for v in self.values
            ],
            "format": self.format,
            "minimum": self.minimum,
            "maximum": self.maximum,
            "structure": self.structure,
            "default": self.default,
            "private": self.private,
            "since": str(self.since) if self.since else None,
            "since_source": self.since_evidence.as_dict() if self.since_evidence else None,
            "profile_only_from": str(self.profile_only) if self.profile_only else None,
            "statuses": [s.as_dict() for s in self.statuses],
            "aliases": list(self.aliases),
            "caveats": [{"text": c.text, **c.evidence.as_dict()} for c in self.caveats],
            "impact": [
                {
                    "when": None if r.set else r.when,
                    "effect": r.effect,
                    "hosts": list(r.hosts),
                    "sections": list(r.sections),
                    "reason": r.reason,
                    **r.cited.as_dict(),
                }
                for r in self.impact
            ],
            "group": self.group,
            **self.evidence.as_dict(),
        }

    def claims(self) -> list[Claim]:
        """Every claim it makes, each with what the cited section must show."""
        # true and false are the type's, not values a page lists; a value with its own evidence is its own claim.
        plain = tuple(format_value(v.value) for v in self.values if v.evidence is None and self.type != "boolean")
        result = [Claim(self.key, self.evidence, self.key, (), plain, domains=self.domains, type=self.type)]
        if self.since:
            result.append(
                Claim(
                    f"{self.key}: read from {self.since}",
                    self.since_evidence or self.evidence,
                    self.key,
                    (str(self.since),),
                )
            )
        if self.profile_only:
            cited = self.profile_only_evidence or self.evidence
            result.append(
                Claim(
                    f"{self.key}: read only from a profile from {self.profile_only}",
                    cited,
                    self.key,
                    (str(self.profile_only),),
                )
            )
        for s in self.statuses:
            named = () if s.instead_evidence else s.instead
            result.append(
                Claim(f"{self.key}: {s.word} from {s.version}", s.evidence, self.key, (str(s.version),), named)
            )
            if s.instead_evidence:
                result.append(
                    Claim(f"{self.key}: instead, {', '.join(s.instead)}", s.instead_evidence, None, (), s.instead)
                )
        for v in self.values:
            shown = format_value(v.value)
            if v.evidence:
                result.append(Claim(f"{self.key}: value {shown}", v.evidence, self.key, (), (shown,)))
            for s in v.statuses:
                result.append(
                    Claim(f"{self.key}: {shown} {s.word} from {s.version}", s.evidence, self.key, (str(s.version),))
                )
        for i, caveat in enumerate(self.caveats):
            # A caveat from another page says something of settings of its kind, not of this key by name.
            key = self.key if caveat.evidence.source == self.evidence.source else None
            result.append(Claim(f"{self.key}: caveat {i + 1}", caveat.evidence, key, versions_in(caveat.text)))
        for i, rule in enumerate(self.impact):
            # A rule from another page cites what that page says of the feature, not of this key's values.
            own = rule.cited.source == self.evidence.source
            when = () if rule.set or not own else (format_value(rule.when),)
            result.append(Claim(f"{self.key}: impact rule {i + 1}", rule.cited, self.key if own else None, (), when))
        return result


def _where(domains: tuple[str, ...]) -> str:
    return f" in {', '.join(domains)}" if domains else ""


class Group(NamedTuple):
    """Preferences the wizard asks together, under a heading."""

    name: str
    title: str
    about: str


class Domain(NamedTuple):
    domain: str
    alias: str
    name: str
    product: str = "office"  # whose version says what it reads
    apps: tuple[str, ...] = ()  # the applications its settings act for
    statuses: tuple[Status, ...] = ()


ROW_STATUSES = {
    "current": "contacted by the versions the source covers",
    "legacy": "contacted only by versions before the one named",
    "retired": "taken out of service by Microsoft: nothing answers there",
}


class RowStatus(NamedTuple):
    """An endpoint row no longer contacted: legacy (only by `product` versions before `before`)
    or retired (from `date`, for every version)."""

    word: str
    evidence: Evidence
    product: str | None = None
    before: Version | None = None
    date: str | None = None

    def applies(self, versions: dict[str, Version]) -> bool:
        if self.product is None or self.before is None:
            return self.word == "retired"
        return versions[self.product] >= self.before

    def describe(self, catalog: Catalog) -> str:
        if self.word == "retired":
            return f"retired from {self.date}"
        return f"legacy: contacted only by {catalog.products[self.product or 'office'].title} before {self.before}"

    def as_dict(self, catalog: Catalog) -> dict:
        return {
            "status": self.word,
            "text": self.describe(catalog),
            "product": self.product,
            "before": str(self.before) if self.before else None,
            "date": self.date,
            **self.evidence.as_dict(),
        }


class Endpoint(NamedTuple):
    section: str
    url: str
    apps: tuple[str, ...]
    type: str
    description: str
    cited: Evidence  # the row's source, the section of it, and how sure
    essential: str | None = None  # the essential service it serves, where Microsoft names one
    shared: bool = False  # a public site or CDN other programs use too: a proxy can't block it for Office alone
    who: str | None = None  # who contacts it, where the article's table has no app column
    statuses: tuple[RowStatus, ...] = ()
    scope: str = "office"  # "microsoft-365": a Microsoft 365-wide host, not one Office for Mac's article names
    contacted_by: tuple[str, ...] = ()  # where the table has no app column: the apps its section's text names

    @property
    def callers(self) -> tuple[str, ...]:
        """The apps that contact it, each judged on its own by a per-app rule: the table's app
        column, or else the apps the section's text names; () when neither says."""
        return self.apps or self.contacted_by

    @property
    def host(self) -> str:
        return self.url.split("://", 1)[-1].split("/", 1)[0].lower()

    @property
    def source(self) -> str:
        return self.cited.source

    def status(self, versions: dict[str, Version]) -> RowStatus | None:
        """Why the target no longer contacts it (retired before legacy), or None: current."""
        return next((s for s in sorted(self.statuses, key=lambda s: s.word != "retired") if s.applies(versions)), None)


class Section(NamedTuple):
    name: str
    about: str
    source: str
    who: str | None = None


class Preset(NamedTuple):
    name: str
    title: str
    description: str
    settings: dict  # the [settings] table, as a config file has it
    path: Path
    values: tuple[Setting, ...] = ()  # the table resolved, in catalog order
    versions: tuple[tuple[str, Version | None, Version | None], ...] = ()  # (product, min, max)

    def fits(self, versions: dict[str, Version]) -> bool:
        return all(
            (low is None or versions[p] >= low) and (high is None or versions[p] <= high)
            for p, low, high in self.versions
        )

    def for_versions(self, catalog: Catalog) -> str:
        parts = []
        for product, low, high in self.versions:
            title = catalog.products[product].title
            parts.append(
                f"{title} {low} to {high}"
                if low and high
                else f"{title} {low} and later"
                if low
                else f"{title} {high} and earlier"
            )
        return "; ".join(parts) or "every version"

    def summary(self, catalog: Catalog) -> list[str]:
        return [
            f"{self.name}: {self.title}",
            f"  {self.description}",
            f"  For: {self.for_versions(catalog)}.",
            *(f"    {s}" for s in self.values),
        ]

    def as_dict(self, catalog: Catalog) -> dict:
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "for": {p: {"min": str(lo) if lo else None, "max": str(hi) if hi else None} for p, lo, hi in self.versions},
            "for_text": self.for_versions(catalog),
            "settings": [{"domain": s.domain, "key": s.key, "value": s.value} for s in self.values],
        }


class NeverSet(NamedTuple):
    """A key the application keeps for itself, which Microsoft says a profile must never set."""

    key: str
    domain: str
    type: str
    reason: str
    evidence: Evidence

    def message(self) -> str:
        return (
            f"{self.key} in {self.domain} is a key Microsoft says never to set in a profile: {self.reason} "
            f"({cite(self.evidence)})"
        )


class Catalog(NamedTuple):
    preferences: dict[str, Preference]  # by group, then order, then key
    groups: dict[str, Group]
    domains: dict[str, Domain]
    apps: dict[str, str]
    sections: tuple[Section, ...]
    endpoints: tuple[Endpoint, ...]
    presets: dict[str, Preset]
    sources: dict[str, Source]
    products: dict[str, Product]
    never_set: dict[str, NeverSet]  # by key
    essentials: dict[str, tuple[str, Evidence]]  # an endpoint's `essential`: the name its source gives, and where
    revision: str = ""  # SHA-256 of every data file read, shortened: which catalog an output came from

    def claims(self) -> list[Claim]:
        """Every claim of the catalog, by name, as the citation test reads them."""
        result = [claim for pref in self.preferences.values() for claim in pref.claims()]
        for domain in self.domains.values():
            result += [
                Claim(f"{domain.domain}: {s.word} from {s.version}", s.evidence, domain.domain, (str(s.version),))
                for s in domain.statuses
            ]
        for e in self.endpoints:
            name = f"endpoint {e.url} ({e.section})"
            result.append(Claim(name, e.cited, url=e.url))
            for s in e.statuses:
                versions = (str(s.before),) if s.before else ()
                result.append(Claim(f"{name}: {s.describe(self)}", s.evidence, e.host, versions))
        result += [
            Claim(f"{p.title} {p.current} current", p.evidence, p.title, (str(p.current),))
            for p in self.products.values()
        ]
        result += [Claim(f"{n.key}: never set", n.evidence, n.key) for n in self.never_set.values()]
        result += [
            Claim(f"essential service {name}", evidence, term) for name, (term, evidence) in self.essentials.items()
        ]
        return result

    def domain(self, name: str) -> Domain:
        """A domain by its full name or alias, in any case."""
        found = names.find(name.strip(), self.domains.values(), lambda d: d.alias) or names.find(
            name.strip(), self.domains.values(), lambda d: d.domain
        )
        if found is None:
            aliases = [d.alias for d in self.domains.values()]
            raise names.unknown("app", name, aliases, f"expected one of {', '.join(aliases)}, or a full domain")
        return found

    def preference(self, key: str) -> Preference:
        """A preference by its key (in any case, with or without '-' and '_') or by another spelling
        of it (`aliases`), which callers warn about."""
        found = self.preferences.get(key) or names.find(key, self.preferences.values(), lambda p: p.key)
        if found is None:
            spellings = {alias: p for p in self.preferences.values() for alias in p.aliases}
            found = spellings.get(names.find(key, spellings) or "")
        never = self.never(key)
        if found is None and never is not None:
            raise SelectionError(never.message())
        if found is None:
            raise names.unknown(
                "preference",
                key,
                self.preferences,
                f"`profilegen settings` lists the {len(self.preferences)} documented keys",
            )
        return found

    def never(self, key: str, domain: str | None = None) -> NeverSet | None:
        """The key, if Microsoft says a profile must never set it (in `domain`, where given)."""
        found = self.never_set.get(key) or self.never_set.get(names.find(key, self.never_set) or "")
        return found if found and domain in (None, found.domain) else None

    def preset(self, name: str) -> Preset:
        """A preset by its name, in any case and with '-' or '_'."""
        found = self.presets.get(name) or names.find(name, self.presets.values(), lambda p: p.name)
        if found is None:
            raise names.unknown("preset", name, self.presets)
        return found

    def domain_order(self, domain: str) -> int:
        return list(self.domains).index(domain)

    def ordered(self, settings) -> tuple[Setting, ...]:
        """Settings in catalog order: by domain, then by preference."""
        keys = {key: i for i, key in enumerate(self.preferences)}
        return tuple(sorted(settings, key=lambda s: (self.domain_order(s.domain), keys[s.key])))

    def active(self, settings) -> list[tuple[Setting, Rule]]:
        """Every (setting, rule) whose value triggers the rule, whose `also` settings are all there
        and whose `unless` doesn't hold."""
        settings = list(settings)

        def holds(key, value) -> bool:
            return any(s.key == key and same_value(s.value, value) for s in settings)

        return [
            (setting, rule)
            for setting in settings
            for rule in self.preferences[setting.key].impact
            if rule.holds(setting.value)
            and not any(holds(k, v) for k, v in rule.unless)
            and all(holds(k, v) for k, v in rule.also)
        ]

    def current(self) -> dict[str, Version]:
        return {name: product.current for name, product in self.products.items()}
