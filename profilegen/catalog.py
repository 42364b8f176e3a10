"""The catalog: documented preferences, preference domains, endpoints, presets, and their sources.

Everything here is read from the TOML files in payloads/ and checked as it is
read, so that a broken data file fails with the file and field named before
anything uses it. Every claim names a source of sources.toml and how sure it is.
"""

from __future__ import annotations

import datetime
import functools
import re
import tomllib
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, NamedTuple

from profilegen import names
from profilegen.errors import CatalogError, SelectionError

# Every property list type by the name Apple's schema and `defaults` use; bool before int,
# since a Python bool is also an int and a plist keeps them apart.
PLIST_TYPES = {
    "boolean": bool,
    "integer": int,
    "real": float,
    "string": str,
    "date": datetime.datetime,
    "data": bytes,
    "array": list,
    "dictionary": dict,
}
VALUE_TYPES = ("integer", "boolean", "string", "dictionary")  # the types a catalog preference may have
FORMATS = {  # checks for free string values
    "https-url": "an https:// URL",
    "email": "an email address such as bob@contoso.com",
    "text": "text of one line",
}
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
EVIDENCE = {
    "documented": "the source says so of this endpoint or section",
    "inferred": "the source names a feature category; the endpoints are mapped to it by profilegen",
}
CONFIDENCE = {
    "high": "Microsoft's own documentation or Message Center",
    "medium": "Microsoft-authored but informal, several community sources, or community data read "
    "mechanically from Microsoft's update feeds",
    "low": "one community source, or an inference",
}
_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")
# An https URL (RFC 3986 characters, no fragment): what AutoUpdate can fetch from.
_URL = re.compile(
    r"^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?"
    r"(\?[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*)?$"
)


def json_value(value: Any) -> Any:
    """Any plist value as JSON takes it: data as base64, dates as ISO 8601 in UTC, UIDs, NaN and
    infinities by their names; dictionaries and arrays all the way down."""
    import base64
    import math
    import plistlib

    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, plistlib.UID):
        return f"UID({value.data})"
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def json_default(value: Any) -> Any:
    """The `default` of json.dumps for what JSON can't hold (dates, data), as json_value writes it."""
    if isinstance(value, (bytes, datetime.datetime)):
        return json_value(value)
    raise TypeError(f"{type(value).__name__} can't be written as JSON")


def type_name(value: Any) -> str:
    """The plist type name of a Python value: "boolean" for True, "real" for 1.5."""
    return next((name for name, kind in PLIST_TYPES.items() if isinstance(value, kind)), type(value).__name__)


class Version(NamedTuple):
    """An Office or AutoUpdate version such as 16.112.1 or 4.85, compared number by number
    (each comparison defined here: a tuple's own would compare the text as a string)."""

    text: str

    @property
    def numbers(self) -> tuple[int, ...]:
        return tuple(int(part) for part in self.text.split("."))

    def __lt__(self, other: Version) -> bool:  # type: ignore[override]
        return self.numbers < other.numbers

    def __le__(self, other: Version) -> bool:  # type: ignore[override]
        return self.numbers <= other.numbers

    def __gt__(self, other: Version) -> bool:  # type: ignore[override]
        return self.numbers > other.numbers

    def __ge__(self, other: Version) -> bool:  # type: ignore[override]
        return self.numbers >= other.numbers

    def __str__(self) -> str:
        return self.text

    @classmethod
    def parse(cls, text: str, what: str = "version") -> Version:
        text = text.strip()
        if not re.fullmatch(r"[0-9]{1,4}(\.[0-9]{1,9}){0,3}", text):
            raise SelectionError(f"{what} {text!r} is not a version; expected numbers such as 16.89 or 16.112.1")
        return cls(text)


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


class Source(NamedTuple):
    id: str
    title: str
    publisher: str
    url: str
    date: str | None = None
    revision: str = ""  # the revision read: a commit, or the date it was read


class Evidence(NamedTuple):
    """Where a claim comes from: a source of sources.toml, the section of it where the claim
    stands (its heading, as the page has it), how sure it is (CONFIDENCE), and whether the source
    says it or profilegen infers it from what the source says (then `note` gives the reasoning)."""

    source: str
    confidence: str
    note: str = ""
    section: str | None = None
    inferred: bool = False

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            "section": self.section,
            "confidence": self.confidence,
            "evidence": "inferred" if self.inferred else "documented",
            "note": self.note,
        }


class Claim(NamedTuple):
    """One thing the catalog says, by name, with its evidence and what a reader of the cited
    section must find there: the key it names, and every version and value it gives."""

    name: str
    evidence: Evidence
    key: str | None = None
    versions: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    url: str | None = None  # an endpoint row's URL
    domains: tuple[str, ...] = ()  # a preference's domains, which the source names
    type: str | None = None  # a preference's plist type, where its section gives one


class Caveat(NamedTuple):
    text: str
    evidence: Evidence


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
    """What a preference stops when it has the value `when` (see profilegen.impact)."""

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
    structure: dict | None = None  # for a dictionary (profilegen.facts)
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
            from profilegen.facts import describe

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
            from profilegen.facts import findings

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
            from profilegen.facts import dated

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


def versions_in(text: str) -> tuple[str, ...]:
    """The version numbers a sentence gives (16.28, 4.51, 15.25), as a reader would find them."""
    return tuple(dict.fromkeys(re.findall(r"(?<![\w.])[0-9]{1,2}\.[0-9]{1,3}(?:\.[0-9]{1,3})?(?![\w.])", text)))


def cite(evidence: Evidence) -> str:
    """A claim's source in words: `mau-preferences, section "HowToCheck", high`."""
    section = f', section "{evidence.section}"' if evidence.section else ""
    inferred = ", inferred" if evidence.inferred else ""
    return f"{evidence.source}{section}, {evidence.confidence}{inferred}"


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

    def current(self) -> dict[str, Version]:
        return {name: product.current for name, product in self.products.items()}


MAX_DEPTH = 16  # the deepest a config needs is [settings.APP] with a dictionary value in it


def bounded(value: Any, levels: int = MAX_DEPTH, values: int | None = None) -> bool:
    """Whether tables and arrays nest at most `levels` deep in value and, where `values` is given,
    it reaches at most that many values, a repeated one counted each time it is reached (a binary
    plist of 233 bytes can hold 2**40 of them, or itself). Found without recursion, so that every
    reader may then walk value whole."""
    stack, seen = [(value, 0)], 0
    while stack:
        item, level = stack.pop()
        seen += 1
        if values is not None and seen > values:
            return False
        if isinstance(item, dict | list):
            if level + 1 > levels:
                return False
            stack.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return True


def same_value(a: Any, b: Any) -> bool:
    """Equal and of the same type: in a plist, False and 0 are different values."""
    return type(a) is type(b) and a == b


def format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value, sort_keys=True, ensure_ascii=False, default=json_default)
    return str(value)


def a_or_an(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def payloads_dir() -> Path:
    """payloads/ inside an installed wheel, or beside the package in a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "payloads", here.parent / "payloads"):
        if candidate.is_dir():
            return candidate
    raise CatalogError(f"no payloads folder beside {here}")


# Written beside the data files when the package is built (hatch_build.py), never at run time:
# each file's bytes and its parsed table, so that an unchanged file isn't parsed again.
CACHE = "catalog.marshal"


@functools.cache
def load(root: Path | None = None) -> Catalog:
    """Read and check every data file once per process."""
    root = root or payloads_dir()
    _read = _Reader(root)
    sources = _sources(_read(root / "sources.toml"), root / "sources.toml")
    check = _Checker(sources)
    products = _products(_read(root / "versions.toml"), root / "versions.toml", check)
    domains_data = _read(root / "domains.toml")
    apps = _get(domains_data, "apps", dict, root / "domains.toml")
    domains = _domains(domains_data, root / "domains.toml", apps, products, check)
    groups = _groups(_read(root / "groups.toml"), root / "groups.toml")
    found: list[Preference] = []
    for path in sorted((root / "preferences").glob("*.toml")):
        pref = _preference(_read(path), path, domains, groups, check)
        if pref.key != path.stem:
            raise CatalogError(f"{path}: field 'key': {pref.key!r} must match the file name")
        found.append(pref)
    _check_names(found, root / "preferences")
    rank = {name: i for i, name in enumerate(groups)}
    preferences = {p.key: p for p in sorted(found, key=lambda p: (rank[p.group], p.order, p.key))}
    endpoints_data = _read(root / "endpoints.toml")
    essentials = _essentials(endpoints_data, root / "endpoints.toml", check)
    sections, endpoints = _endpoints(endpoints_data, root / "endpoints.toml", apps, products, check)
    for e in endpoints:
        if e.essential is not None and e.essential not in essentials:
            raise CatalogError(
                f"{root / 'endpoints.toml'}: {e.url}: essential {e.essential!r} is not one of {', '.join(essentials)}"
            )
    never_set = _never_set(_read(root / "never-set.toml"), root / "never-set.toml", domains, check)
    for key in set(never_set) & set(preferences):
        raise CatalogError(f"{root / 'never-set.toml'}: {key} is a preference of the catalog too")
    catalog = Catalog(
        preferences, groups, domains, apps, sections, endpoints, {}, sources, products, never_set, essentials
    )
    for key, pref in preferences.items():
        preferences[key] = _resolve_rules(pref, catalog, root / "preferences" / f"{key}.toml")
    for path in sorted((root / "presets").glob("*.toml")):
        catalog.presets[path.stem] = _preset(_read(path), path, catalog)
    return catalog._replace(revision=_read.digest.hexdigest()[:12])


class _Reader:
    """Reads a data file under root: from the cache where it holds exactly the file's bytes (so an
    edited file is always parsed again), else parsed; the check that follows is the same either
    way. It keeps a SHA-256 of every file read, the catalog's revision."""

    def __init__(self, root: Path) -> None:
        import hashlib
        import marshal

        self.root = root
        self.digest = hashlib.sha256()
        try:
            self.cache = marshal.loads((root / CACHE).read_bytes())
        except (OSError, ValueError, EOFError, TypeError):  # none, or from another Python's marshal
            self.cache = {}

    def __call__(self, path: Path) -> dict:
        try:
            raw = path.read_bytes()
        except OSError as e:
            raise CatalogError(f"{path}: can't read: {e.strerror}") from None
        name = path.relative_to(self.root).as_posix()
        self.digest.update(f"{name}\0{len(raw)}\0".encode() + raw)
        cached, table = self.cache.get(name, (None, None))
        return table if cached == raw else _parse(raw, path)


def _parse(raw: bytes, path: Path) -> dict:
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise CatalogError(f"{path}: not valid TOML: not UTF-8 ({e.reason} at byte {e.start})") from None
    except tomllib.TOMLDecodeError as e:
        raise CatalogError(f"{path}: not valid TOML: {e}") from None


def cache(root: Path) -> bytes:
    """The cache of every data file under root, as the package build writes it to root/CACHE.
    Dates become the text the catalog makes of them anyway, as marshal has no dates."""
    import marshal

    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return str(value) if isinstance(value, (datetime.date, datetime.time)) else value

    return marshal.dumps(
        {
            path.relative_to(root).as_posix(): (path.read_bytes(), plain(_parse(path.read_bytes(), path)))
            for path in sorted(root.rglob("*.toml"))
        }
    )


def _get(data: dict, name: str, kind: type | tuple, where: Any, default: Any = ...) -> Any:
    if name not in data:
        if default is ...:
            raise CatalogError(f"{where}: field {name!r} is missing")
        return default
    value = data[name]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise CatalogError(f"{where}: field {name!r} must be {names}, got {value!r}")
    return value


def _no_extra(data: dict, allowed: set[str], where: Any) -> None:
    extra = sorted(set(data) - allowed)
    if extra:
        raise CatalogError(f"{where}: unknown field {extra[0]!r}; expected {', '.join(sorted(allowed))}")


def _one_of(value: Any, allowed, name: str, where: Any) -> Any:
    if value not in allowed:
        raise CatalogError(f"{where}: field {name!r}: {value!r} is not one of {', '.join(map(repr, allowed))}")
    return value


def _version(data: dict, name: str, where: Any, default: Any = ...) -> Version | None:
    if isinstance(data.get(name), dict):
        return None  # a version with its own evidence: read by the caller
    text = _get(data, name, str, where, default)
    if text is None:
        return None
    try:
        return Version.parse(text)
    except SelectionError as e:
        raise CatalogError(f"{where}: field {name!r}: {e}") from None


def _required_version(data: dict, name: str, where: Any) -> Version:
    version = _version(data, name, where)
    if version is None:
        raise CatalogError(f"{where}: field {name!r}: expected a version such as 16.89, as text")
    return version


def _sources(data: dict, path: Path) -> dict[str, Source]:
    result = {}
    for key, item in data.items():
        where = f"{path} [{key}]"
        if not isinstance(item, dict):
            raise CatalogError(f"{where}: expected a table")
        _no_extra(item, {"title", "publisher", "url", "date", "revision"}, where)
        url = _get(item, "url", str, where)
        if not url.startswith("https://"):
            raise CatalogError(f"{where}: field 'url': {url!r} must start with https://")
        date = _get(item, "date", (str, datetime.date), where, None)
        result[key] = Source(
            key,
            _get(item, "title", str, where),
            _get(item, "publisher", str, where),
            url,
            str(date) if date else None,
            _get(item, "revision", str, where),
        )
    return result


class _Checker(NamedTuple):
    """Reads the fields every claim has: a source of sources.toml and a confidence."""

    sources: dict[str, Source]

    def source(self, data: dict, where: Any, default: Any = ...) -> str:
        name = _get(data, "source", str, where, default)
        if name is not None and name not in self.sources:
            raise CatalogError(f"{where}: field 'source': {name!r} is not in sources.toml")
        return name

    def evidence(self, data: dict, where: Any, parent: Evidence | None = None, note: str = "note") -> Evidence:
        """A claim's evidence. What it doesn't say it takes from `parent` (the preference it is
        part of): the source, the section where the source is the same, and the confidence."""
        source = self.source(data, where, parent.source if parent else ...)
        same = parent if parent is not None and source == parent.source else None
        kind = _one_of(_get(data, "evidence", str, where, "documented"), EVIDENCE, "evidence", where)
        reasoning = _get(data, note, str, where, "")
        if kind == "inferred" and not reasoning:
            raise CatalogError(f"{where}: field {note!r}: an inferred claim says how it was inferred")
        return Evidence(
            source,
            _one_of(
                _get(data, "confidence", str, where, same.confidence if same else ...),
                CONFIDENCE,
                "confidence",
                where,
            ),
            reasoning,
            _get(data, "section", str, where, same.section if same else None),
            kind == "inferred",
        )

    def statuses(self, data: dict, where: Any, domains: tuple[str, ...] = ()) -> tuple[Status, ...]:
        result = []
        for i, item in enumerate(_get(data, "status", list, where, [])):
            here = f"{where} [[status]] #{i + 1}"
            _no_extra(
                item,
                {"status", "from", "instead", "domains", "source", "section", "confidence", "evidence", "note"},
                here,
            )
            only = tuple(_get(item, "domains", list, here, []))
            for domain in only:
                _one_of(domain, domains, "domains", here)
            # `instead`: keys, which the status's source names, or a table of keys with a source of their own.
            instead, instead_evidence = _get(item, "instead", (list, dict), here, []), None
            if isinstance(instead, dict):
                there = f"{here} instead"
                _no_extra(instead, {"keys", "source", "section", "confidence", "evidence", "note"}, there)
                instead_evidence = self.evidence(instead, there)
                instead = _get(instead, "keys", list, there)
            result.append(
                Status(
                    _get(item, "status", str, here),
                    _required_version(item, "from", here),
                    self.evidence(item, here),
                    tuple(instead),
                    only,
                    instead_evidence,
                )
            )
        return tuple(result)


def _products(data: dict, path: Path, check: _Checker) -> dict[str, Product]:
    result = {}
    for name in ("office", "autoupdate"):
        where = f"{path} [{name}]"
        item = _get(data, name, dict, path)
        _no_extra(item, {"title", "current", "build", "released", "source", "section", "confidence", "note"}, where)
        released = _get(item, "released", (str, datetime.date), where)
        result[name] = Product(
            name,
            _get(item, "title", str, where),
            _required_version(item, "current", where),
            str(released),
            check.evidence(item, where),
            _get(item, "build", str, where, None),
        )
    return result


def _domains(data: dict, path: Path, apps: dict[str, str], products: dict, check: _Checker) -> dict[str, Domain]:
    result: dict[str, Domain] = {}
    for i, item in enumerate(_get(data, "domain", list, path)):
        where = f"{path} [[domain]] #{i + 1}"
        _no_extra(item, {"domain", "alias", "name", "product", "apps", "status"}, where)
        letters = _get(item, "apps", str, where, "")
        for letter in letters:
            _one_of(letter, apps, "apps", where)
        name = _get(item, "domain", str, where)
        domain = Domain(
            name,
            _get(item, "alias", str, where),
            _get(item, "name", str, where),
            _one_of(_get(item, "product", str, where, "office"), products, "product", where),
            tuple(apps[x] for x in apps if x in letters),
            check.statuses(item, where),
        )
        if domain.domain in result:
            raise CatalogError(f"{where}: field 'domain': {domain.domain!r} is listed twice")
        result[domain.domain] = domain
    return result


def _never_set(data: dict, path: Path, domains: dict[str, Domain], check: _Checker) -> dict[str, NeverSet]:
    result: dict[str, NeverSet] = {}
    for i, item in enumerate(_get(data, "key", list, path)):
        where = f"{path} [[key]] #{i + 1}"
        _no_extra(item, {"key", "domain", "type", "reason", "source", "section", "confidence", "note"}, where)
        entry = NeverSet(
            _get(item, "key", str, where),
            _one_of(_get(item, "domain", str, where), domains, "domain", where),
            _one_of(_get(item, "type", str, where), PLIST_TYPES, "type", where),
            _get(item, "reason", str, where),
            check.evidence(item, where),
        )
        result[entry.key] = entry
    return result


def _groups(data: dict, path: Path) -> dict[str, Group]:
    result: dict[str, Group] = {}
    for i, item in enumerate(_get(data, "group", list, path)):
        where = f"{path} [[group]] #{i + 1}"
        _no_extra(item, {"name", "title", "about"}, where)
        group = Group(_get(item, "name", str, where), _get(item, "title", str, where), _get(item, "about", str, where))
        if group.name in result:
            raise CatalogError(f"{where}: field 'name': {group.name!r} is listed twice")
        result[group.name] = group
    return result


def _check_names(preferences: list[Preference], folder: Path) -> None:
    """A key or alias means one preference only."""
    seen: dict[str, str] = {}
    for pref in preferences:
        for name in (pref.key, *pref.aliases):
            if name in seen and seen[name] != pref.key:
                raise CatalogError(
                    f"{folder / (pref.key + '.toml')}: field 'aliases': {name!r} already names {seen[name]}"
                )
            seen[name] = pref.key


def _preference(
    data: dict, path: Path, domains: dict[str, Domain], groups: dict[str, Group], check: _Checker
) -> Preference:
    _no_extra(
        data,
        {
            "key",
            "title",
            "description",
            "question",
            "group",
            "order",
            "type",
            "domains",
            "default",
            "private",
            "source",
            "section",
            "confidence",
            "since",
            "profile_only",
            "expected",
            "status",
            "format",
            "minimum",
            "maximum",
            "structure",
            "aliases",
            "caveats",
            "values",
            "impact",
            "evidence",
            "note",
        },
        path,
    )
    evidence = check.evidence(data, path)
    kind = _one_of(_get(data, "type", str, path), VALUE_TYPES, "type", path)
    group = _get(data, "group", str, path)
    if group not in groups:
        raise CatalogError(f"{path}: field 'group': {group!r} is not one of {', '.join(groups)} (groups.toml)")
    names = tuple(_get(data, "domains", list, path))
    for domain in names:
        if domain not in domains:
            raise CatalogError(f"{path}: field 'domains': {domain!r} is not in domains.toml")
    values = []
    for i, item in enumerate(_get(data, "values", list, path, [])):
        where = f"{path} [[values]] #{i + 1}"
        _no_extra(
            item, {"value", "title", "aliases", "status", "source", "section", "confidence", "evidence", "note"}, where
        )
        values.append(
            Value(
                _get(item, "value", PLIST_TYPES[kind], where),
                _get(item, "title", str, where),
                tuple(_get(item, "aliases", list, where, [])),
                check.statuses(item, where, names),
                check.evidence(item, where, evidence) if {"source", "section", "evidence"} & set(item) else None,
            )
        )
    fmt = _get(data, "format", str, path, None)
    if fmt is not None:
        _one_of(fmt, FORMATS, "format", path)
    minimum = _get(data, "minimum", int, path, None)
    maximum = _get(data, "maximum", int, path, None)
    structure = _get(data, "structure", dict, path, None)
    if (structure is not None) != (kind == "dictionary"):
        raise CatalogError(f"{path}: field 'structure': a dictionary preference has one, and only it")
    if not values and fmt is None and minimum is None and structure is None:
        raise CatalogError(f"{path}: field 'values' is empty; give values, or a format or minimum")
    since, since_evidence = _cited_version(data, "since", path, check, evidence)
    profile_only, profile_only_evidence = _cited_version(data, "profile_only", path, check, evidence)
    rules = []
    for i, item in enumerate(_get(data, "impact", list, path, [])):
        where = f"{path} [[impact]] #{i + 1}"
        _no_extra(
            item,
            {
                "when",
                "set",
                "effect",
                "evidence",
                "reason",
                "source",
                "section",
                "confidence",
                "hosts",
                "sections",
                "unless",
                "also",
                "per_app",
                "apps",
                "breaks",
            },
            where,
        )
        any_value = _get(item, "set", bool, where, False)
        rules.append(
            Rule(
                when=None if any_value else _get(item, "when", PLIST_TYPES[kind], where),
                effect=_one_of(_get(item, "effect", str, where), RULE_EFFECTS, "effect", where),
                evidence=_one_of(_get(item, "evidence", str, where), EVIDENCE, "evidence", where),
                reason=_get(item, "reason", str, where),
                cited=check.evidence(item, where, evidence, note="reason"),
                hosts=tuple(h.lower() for h in _get(item, "hosts", list, where, [])),
                sections=tuple(_get(item, "sections", list, where, [])),
                unless=tuple(_get(item, "unless", dict, where, {}).items()),
                also=tuple(_get(item, "also", dict, where, {}).items()),
                per_app=_get(item, "per_app", bool, where, True),
                apps=tuple(_get(item, "apps", list, where, [])),
                breaks=tuple(_get(item, "breaks", list, where, [])),
                set=any_value,
            )
        )
    pref = Preference(
        key=_get(data, "key", str, path),
        title=_get(data, "title", str, path),
        description=_get(data, "description", str, path),
        type=kind,
        domains=names,
        values=tuple(values),
        private=_get(data, "private", PLIST_TYPES[kind], path, None),
        evidence=evidence,
        question=_get(data, "question", str, path),
        group=group,
        order=_get(data, "order", int, path, 0),
        default=_get(data, "default", PLIST_TYPES[kind], path, None),
        since=since,
        since_evidence=since_evidence,
        profile_only=profile_only,
        profile_only_evidence=profile_only_evidence,
        expected=_get(data, "expected", str, path, None),
        statuses=check.statuses(data, path, names),
        format=fmt,
        minimum=minimum,
        maximum=maximum,
        structure=structure,
        aliases=tuple(_get(data, "aliases", list, path, [])),
        caveats=_caveats(data, path, check, evidence),
        impact=tuple(rules),
    )
    for name in ("private", "default"):
        value = getattr(pref, name)
        if value is not None and pref.problem(value):
            raise CatalogError(f"{path}: field {name!r}: {pref.problem(value)}")
    return pref


def _cited_version(
    data: dict, name: str, path: Path, check: _Checker, parent: Evidence
) -> tuple[Version | None, Evidence | None]:
    """A version as text (the preference's own source says it), or a table with the version and
    its own source, section and confidence."""
    if not isinstance(data.get(name), dict):
        return _version(data, name, path, None), None
    where = f"{path} {name}"
    _no_extra(data[name], {"version", "source", "section", "confidence", "evidence", "note"}, where)
    return _version(data[name], "version", where), check.evidence(data[name], where, parent)


def _caveats(data: dict, path: Path, check: _Checker, evidence: Evidence) -> tuple[Caveat, ...]:
    """Caveats: text, which says what the preference's source says, or a table that names its own
    source, section and confidence (or says it is inferred, and how)."""
    result = []
    for i, item in enumerate(_get(data, "caveats", list, path, [])):
        where = f"{path} caveats #{i + 1}"
        if isinstance(item, str):
            result.append(Caveat(item, evidence))
            continue
        if not isinstance(item, dict):
            raise CatalogError(f"{where}: expected text, or a table with text and its source")
        _no_extra(item, {"text", "source", "section", "confidence", "evidence", "note"}, where)
        result.append(Caveat(_get(item, "text", str, where), check.evidence(item, where, evidence)))
    return tuple(result)


def _essentials(data: dict, path: Path, check: _Checker) -> dict[str, tuple[str, Evidence]]:
    """[essential.NAME]: the services Microsoft says keep running whatever a setting says, each
    with the name its source gives it (`names`) and where."""
    result = {}
    for name, item in _get(data, "essential", dict, path).items():
        where = f"{path} [essential.{name}]"
        if not isinstance(item, dict):
            raise CatalogError(f"{where}: expected a table")
        _no_extra(item, {"names", "source", "section", "confidence", "note"}, where)
        result[name] = (_get(item, "names", str, where), check.evidence(item, where))
    return result


def _endpoints(
    data: dict, path: Path, apps: dict[str, str], products: dict[str, Product], check: _Checker
) -> tuple[tuple, tuple]:
    sections, endpoints, seen = [], [], set()
    _no_extra(data, {"section", "essential"}, path)
    for i, item in enumerate(_get(data, "section", list, path)):
        where = f"{path} [[section]] #{i + 1}"
        _no_extra(item, {"name", "about", "source", "confidence", "who", "apps", "endpoints"}, where)
        named = _get(item, "apps", str, where, "")
        for letter in named:
            _one_of(letter, apps, "apps", where)
        section = Section(
            _get(item, "name", str, where),
            _get(item, "about", str, where),
            check.source(item, where),
            _get(item, "who", str, where, None),
        )
        # A row says what the section's source says in the section of that name, unless it names its own.
        cited = Evidence(section.source, _get(item, "confidence", str, where), section=section.name)
        _one_of(cited.confidence, CONFIDENCE, "confidence", where)
        sections.append(section)
        for j, row in enumerate(_get(item, "endpoints", list, where)):
            here = f"{where} ({section.name}) endpoint #{j + 1}"
            _no_extra(
                row,
                {
                    "url",
                    "apps",
                    "type",
                    "description",
                    "source",
                    "section",
                    "confidence",
                    "evidence",
                    "note",
                    "essential",
                    "shared",
                    "status",
                    "scope",
                },
                here,
            )
            url = _get(row, "url", str, here)
            if not url.startswith("https://"):
                raise CatalogError(f"{here}: field 'url': {url!r} must start with https://")
            letters = _get(row, "apps", str, here)
            for letter in letters:
                if letter not in apps:
                    raise CatalogError(f"{here}: field 'apps': {letter!r} is not one of {''.join(apps)}")
            kind = _get(row, "type", str, here)
            if kind not in URL_TYPES:
                raise CatalogError(f"{here}: field 'type': {kind!r} is not one of {', '.join(URL_TYPES)}")
            endpoint = Endpoint(
                section.name,
                url,
                tuple(apps[x] for x in apps if x in letters),
                kind,
                _get(row, "description", str, here),
                check.evidence(row, here, cited),
                _get(row, "essential", str, here, None),
                _get(row, "shared", bool, here, False),
                None if letters else section.who,
                _row_statuses(row, here, products, check),
                _one_of(_get(row, "scope", str, here, "office"), ("office", "microsoft-365"), "scope", here),
                () if letters else tuple(apps[x] for x in apps if x in named),
            )
            if not letters and section.who is None:
                raise CatalogError(f"{here}: field 'apps' is empty and the section has no 'who': say who contacts it")
            identity = (section.name, url.lower().rstrip("/"), endpoint.apps, kind)
            if identity in seen:
                raise CatalogError(f"{here}: field 'url': {url} is listed twice in {section.name}")
            seen.add(identity)
            endpoints.append(endpoint)
    return tuple(sections), tuple(endpoints)


def _row_statuses(row: dict, where: str, products: dict[str, Product], check: _Checker) -> tuple[RowStatus, ...]:
    result = []
    for i, item in enumerate(_get(row, "status", list, where, [])):
        here = f"{where} status #{i + 1}"
        _no_extra(
            item, {"status", "product", "before", "date", "source", "section", "confidence", "evidence", "note"}, here
        )
        word = _one_of(_get(item, "status", str, here), ("legacy", "retired"), "status", here)
        if word == "legacy":
            status = RowStatus(
                word,
                check.evidence(item, here),
                _one_of(_get(item, "product", str, here), products, "product", here),
                _required_version(item, "before", here),
            )
        else:
            status = RowStatus(
                word, check.evidence(item, here), date=str(_get(item, "date", (str, datetime.date), here))
            )
        result.append(status)
    return tuple(result)


def _resolve_rules(pref: Preference, catalog: Catalog, path: Path) -> Preference:
    """Check each rule, and work out once which endpoint rows it names."""
    names = {s.name for s in catalog.sections}
    rules = []
    for i, rule in enumerate(pref.impact):
        where = f"{path} [[impact]] #{i + 1}"
        for section in rule.sections:
            if section not in names:
                raise CatalogError(f"{where}: field 'sections': {section!r} is not a section of endpoints.toml")
        for field_name in ("unless", "also"):
            for key, value in getattr(rule, field_name):
                other = catalog.preferences.get(key)
                if other is None or type_name(value) != other.type or other.problem(value):
                    raise CatalogError(f"{where}: field {field_name!r}: {key} = {value!r} is not a catalog value")
        for app in rule.apps:
            _one_of(app, catalog.apps.values(), "apps", where)
        rows = {j for j, e in enumerate(catalog.endpoints) if e.section in rule.sections}
        for host in rule.hosts:
            matched = {j for j, e in enumerate(catalog.endpoints) if fnmatchcase(e.host, host)}
            if not matched:
                raise CatalogError(f"{where}: field 'hosts': {host!r} matches no endpoint of endpoints.toml")
            rows |= matched
        if rule.evidence == "inferred" and rule.effect == "silenced":
            essential = next((catalog.endpoints[j] for j in sorted(rows) if catalog.endpoints[j].essential), None)
            if essential:
                raise CatalogError(
                    f"{where}: an inferred rule may not silence {essential.url}, an essential "
                    f"service ({essential.essential})"
                )
        rules.append(rule._replace(rows=frozenset(rows)))
    return pref._replace(impact=tuple(rules))


def _preset(data: dict, path: Path, catalog: Catalog) -> Preset:
    from profilegen.selection import settings_from_table

    _no_extra(
        data, {"title", "description", "settings", "office_min", "office_max", "autoupdate_min", "autoupdate_max"}, path
    )
    settings = _get(data, "settings", dict, path)
    try:
        values = settings_from_table(catalog, settings)
    except SelectionError as e:
        raise CatalogError(f"{path}: field 'settings': {e}") from None
    versions = tuple(
        (product, _version(data, f"{product}_min", path, None), _version(data, f"{product}_max", path, None))
        for product in catalog.products
        if f"{product}_min" in data or f"{product}_max" in data
    )
    return Preset(
        path.stem,
        _get(data, "title", str, path),
        _get(data, "description", str, path),
        settings,
        path,
        catalog.ordered(Setting(d, k, v) for (d, k), v in values.items()),
        versions,
    )
