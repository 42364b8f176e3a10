"""The catalog: documented preferences, preference domains, endpoints and presets.

Everything here is read from the TOML files in payloads/ and checked as it is
read, so that a broken data file fails with the file and field named before
anything uses it.
"""

from __future__ import annotations

import datetime
import functools
import tomllib
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from profilegen.errors import CatalogError, SelectionError

# Every property list type by the name Apple's schema and `defaults` use; bool before int,
# since a Python bool is also an int and a plist keeps them apart.
PLIST_TYPES = {"boolean": bool, "integer": int, "real": float, "string": str, "date": datetime.datetime,
               "data": bytes, "array": list, "dictionary": dict}
VALUE_TYPES = ("integer", "boolean", "string")  # the types a catalog preference may have
URL_TYPES = {"ST": "static", "SS": "semi-static", "CS": "configuration service"}
# What a selection does to an endpoint row. A rule names one of RULE_EFFECTS; "partly
# silenced" and "unchanged" follow from which apps the rules act for.
EFFECTS = {
    "silenced": "no documented app still contacts it",
    "partly silenced": "silenced for some apps, still contacted by others",
    "reduced": "still contacted, but less is sent",
    "unchanged": "no setting of the selection changes it",
}
RULE_EFFECTS = ("silenced", "reduced")
EVIDENCE = ("documented", "inferred")
_TRUE = ("true", "yes", "1")
_FALSE = ("false", "no", "0")


def type_name(value: Any) -> str:
    """The plist type name of a Python value: "boolean" for True, "real" for 1.5."""
    return next((name for name, kind in PLIST_TYPES.items() if isinstance(value, kind)), type(value).__name__)


@dataclass(frozen=True)
class Setting:
    """One preference in one domain, at one value: what a build writes and a profile holds."""

    domain: str
    key: str
    value: Any

    def __str__(self) -> str:
        return f"{self.domain} {self.key} = {format_value(self.value)}"


@dataclass(frozen=True)
class Value:
    value: Any
    title: str


@dataclass(frozen=True)
class Rule:
    """What a preference stops when it has the value `when` (see profilegen.impact)."""

    when: Any
    effect: str
    evidence: str
    reason: str
    hosts: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    unless: tuple[tuple[str, Any], ...] = ()
    per_app: bool = True
    breaks: tuple[str, ...] = ()
    rows: frozenset[int] = frozenset()  # indexes of the endpoints it names, set when the catalog loads


@dataclass(frozen=True)
class Preference:
    key: str
    title: str
    description: str
    type: str
    domains: tuple[str, ...]
    values: tuple[Value, ...]
    private: Any
    source: str
    question: str
    group: str
    order: int = 0
    default: Any = None
    min_version: str | None = None
    aliases: tuple[str, ...] = ()
    caveats: tuple[str, ...] = ()
    impact: tuple[Rule, ...] = ()

    @property
    def allowed(self) -> str:
        return ", ".join(format_value(v.value) for v in self.values)

    def title_of(self, value: Any) -> str:
        return next(v.title for v in self.values if same_value(v.value, value))

    def coerce(self, value: Any) -> Any:
        """Check a typed value (from TOML or code) and return it in its documented form."""
        if type_name(value) != self.type:
            got = type_name(value)
            shown = f"{got} {format_value(value) if got == 'boolean' else repr(value)}"
            raise SelectionError(
                f"{self.key}: expected {a_or_an(self.type)} {self.type} "
                f"(one of {self.allowed}), got the {shown}"
            )
        for allowed in self.values:
            if same_value(allowed.value, value) or (
                self.type == "string" and allowed.value.lower() == value.lower()
            ):
                return allowed.value
        raise SelectionError(
            f"{self.key}: {format_value(value)} is not allowed; expected one of {self.allowed}"
        )

    def parse(self, text: str) -> Any:
        """Parse a value typed by a person (--set, the wizard) by the catalog type."""
        raw = text.strip()
        if self.type == "boolean":
            if raw.lower() in _TRUE:
                return self.coerce(True)
            if raw.lower() in _FALSE:
                return self.coerce(False)
            raise SelectionError(
                f"{self.key}: {text!r} is not a boolean; expected true/false, yes/no or 1/0"
            )
        if self.type == "integer":
            try:
                number = int(raw, 10)
            except ValueError:
                raise SelectionError(
                    f"{self.key}: {text!r} is not an integer; expected one of {self.allowed}"
                ) from None
            return self.coerce(number)
        return self.coerce(raw)

    def summary(self) -> list[str]:
        """The preference in a few lines of text, as `profilegen settings` prints it."""
        width = max(len(format_value(v.value)) for v in self.values)
        marks = {format_value(self.private): "  (most private)"}
        return [
            f"{self.key}: {self.title}",
            *(f"  also read as {alias}" for alias in self.aliases),
            f"  {self.type}, in {', '.join(self.domains)}",
            *(f"  {format_value(v.value):<{width}}  {v.title}{marks.get(format_value(v.value), '')}"
              for v in self.values),
            f"  {self.description}",
            *(f"  ! {caveat}" for caveat in self.caveats),
        ]

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "description": self.description,
            "type": self.type,
            "domains": list(self.domains),
            "values": [{"value": v.value, "title": v.title} for v in self.values],
            "default": self.default,
            "private": self.private,
            "min_version": self.min_version,
            "aliases": list(self.aliases),
            "caveats": list(self.caveats),
            "group": self.group,
            "source": self.source,
        }


@dataclass(frozen=True)
class Group:
    """Preferences the wizard asks together, under a heading."""

    name: str
    title: str
    about: str


@dataclass(frozen=True)
class Domain:
    domain: str
    alias: str
    name: str
    app: str | None = None


@dataclass(frozen=True)
class Endpoint:
    section: str
    url: str
    apps: tuple[str, ...]
    type: str
    description: str

    @property
    def host(self) -> str:
        return self.url.split("://", 1)[-1].split("/", 1)[0].lower()


@dataclass(frozen=True)
class Section:
    name: str
    about: str


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    description: str
    settings: dict = field(hash=False)  # the [settings] table, as a config file has it
    path: Path = field(hash=False)
    values: tuple[Setting, ...] = ()  # the table resolved, in catalog order

    def summary(self) -> list[str]:
        return [f"{self.name}: {self.title}", f"  {self.description}",
                *(f"    {s}" for s in self.values)]

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "settings": [{"domain": s.domain, "key": s.key, "value": s.value} for s in self.values],
        }


@dataclass(frozen=True)
class Catalog:
    preferences: dict[str, Preference]  # by group, then order, then key
    groups: dict[str, Group]
    domains: dict[str, Domain]
    apps: dict[str, str]
    sections: tuple[Section, ...]
    endpoints: tuple[Endpoint, ...]
    presets: dict[str, Preset]

    def domain(self, name: str) -> Domain:
        """A domain by its full name or alias, in any case."""
        wanted = name.strip().lower()
        for domain in self.domains.values():
            if wanted in (domain.alias, domain.domain.lower()):
                return domain
        known = ", ".join(d.alias for d in self.domains.values())
        raise SelectionError(f"unknown app {name!r}; expected one of {known}, or a full domain")

    def preference(self, key: str) -> Preference:
        """A preference by its key or by another spelling of it (`aliases`)."""
        found = self.preferences.get(key) or next(
            (p for p in self.preferences.values() if key in p.aliases), None)
        if found is None:
            raise SelectionError(
                f"unknown preference {key!r}; expected one of {', '.join(self.preferences)}"
            )
        return found

    def preset(self, name: str) -> Preset:
        try:
            return self.presets[name]
        except KeyError:
            raise SelectionError(
                f"unknown preset {name!r}; expected one of {', '.join(self.presets)}"
            ) from None

    def domain_order(self, domain: str) -> int:
        return list(self.domains).index(domain)

    def ordered(self, settings) -> tuple[Setting, ...]:
        """Settings in catalog order: by domain, then by preference."""
        keys = {key: i for i, key in enumerate(self.preferences)}
        return tuple(sorted(settings, key=lambda s: (self.domain_order(s.domain), keys[s.key])))


def same_value(a: Any, b: Any) -> bool:
    """Equal and of the same type: in a plist, False and 0 are different values."""
    return type(a) is type(b) and a == b


def format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
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


@functools.cache
def load(root: Path | None = None) -> Catalog:
    """Read and check every data file once per process."""
    root = root or payloads_dir()
    domains_data = _read(root / "domains.toml")
    domains = _domains(domains_data, root / "domains.toml")
    apps = _apps(domains_data, domains, root / "domains.toml")
    groups = _groups(_read(root / "groups.toml"), root / "groups.toml")
    found: list[Preference] = []
    for path in sorted((root / "preferences").glob("*.toml")):
        pref = _preference(_read(path), path, domains, groups)
        if pref.key != path.stem:
            raise CatalogError(f"{path}: field 'key': {pref.key!r} must match the file name")
        found.append(pref)
    _check_names(found, root / "preferences")
    rank = {name: i for i, name in enumerate(groups)}
    preferences = {p.key: p for p in sorted(found, key=lambda p: (rank[p.group], p.order, p.key))}
    sections, endpoints = _endpoints(_read(root / "endpoints.toml"), root / "endpoints.toml", apps)
    catalog = Catalog(preferences, groups, domains, apps, sections, endpoints, {})
    for key, pref in preferences.items():
        preferences[key] = _resolve_rules(pref, catalog, root / "preferences" / f"{key}.toml")
    for path in sorted((root / "presets").glob("*.toml")):
        catalog.presets[path.stem] = _preset(_read(path), path, catalog)
    return catalog


def _read(path: Path) -> dict:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except OSError as e:
        raise CatalogError(f"{path}: can't read: {e.strerror}") from None
    except tomllib.TOMLDecodeError as e:
        raise CatalogError(f"{path}: not valid TOML: {e}") from None


def _get(data: dict, name: str, kind: type | tuple, where: Path, default: Any = ...) -> Any:
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


def _domains(data: dict, path: Path) -> dict[str, Domain]:
    result: dict[str, Domain] = {}
    for i, item in enumerate(_get(data, "domain", list, path)):
        where = f"{path} [[domain]] #{i + 1}"
        _no_extra(item, {"domain", "alias", "name", "app"}, where)
        domain = Domain(
            _get(item, "domain", str, where),
            _get(item, "alias", str, where),
            _get(item, "name", str, where),
            _get(item, "app", str, where, None),
        )
        if domain.domain in result:
            raise CatalogError(f"{where}: field 'domain': {domain.domain!r} is listed twice")
        result[domain.domain] = domain
    return result


def _apps(data: dict, domains: dict[str, Domain], path: Path) -> dict[str, str]:
    apps = _get(data, "apps", dict, path)
    for domain in domains.values():
        if domain.app is not None and domain.app not in apps:
            raise CatalogError(f"{path}: field 'app': {domain.app!r} of {domain.domain} is not in [apps]")
    return apps


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
                raise CatalogError(f"{folder / (pref.key + '.toml')}: field 'aliases': {name!r} "
                                   f"already names {seen[name]}")
            seen[name] = pref.key


def _preference(data: dict, path: Path, domains: dict[str, Domain], groups: dict[str, Group]) -> Preference:
    _no_extra(
        data,
        {"key", "title", "description", "question", "group", "order", "type", "domains", "default",
         "private", "source", "min_version", "aliases", "caveats", "values", "impact"},
        path,
    )
    kind = _get(data, "type", str, path)
    if kind not in VALUE_TYPES:
        raise CatalogError(f"{path}: field 'type': {kind!r} is not one of {', '.join(VALUE_TYPES)}")
    group = _get(data, "group", str, path)
    if group not in groups:
        raise CatalogError(f"{path}: field 'group': {group!r} is not one of {', '.join(groups)} (groups.toml)")
    for domain in _get(data, "domains", list, path):
        if domain not in domains:
            raise CatalogError(f"{path}: field 'domains': {domain!r} is not in domains.toml")
    values = []
    for i, item in enumerate(_get(data, "values", list, path)):
        where = f"{path} [[values]] #{i + 1}"
        _no_extra(item, {"value", "title"}, where)
        value = _get(item, "value", PLIST_TYPES[kind], where)
        values.append(Value(value, _get(item, "title", str, where)))
    rules = []
    for i, item in enumerate(_get(data, "impact", list, path, [])):
        where = f"{path} [[impact]] #{i + 1}"
        _no_extra(item, {"when", "effect", "evidence", "reason", "hosts", "sections", "unless",
                         "per_app", "breaks"}, where)
        rules.append(Rule(
            when=_get(item, "when", PLIST_TYPES[kind], where),
            effect=_get(item, "effect", str, where),
            evidence=_get(item, "evidence", str, where),
            reason=_get(item, "reason", str, where),
            hosts=tuple(h.lower() for h in _get(item, "hosts", list, where, [])),
            sections=tuple(_get(item, "sections", list, where, [])),
            unless=tuple(_get(item, "unless", dict, where, {}).items()),
            per_app=_get(item, "per_app", bool, where, True),
            breaks=tuple(_get(item, "breaks", list, where, [])),
        ))
    pref = Preference(
        key=_get(data, "key", str, path),
        title=_get(data, "title", str, path),
        description=_get(data, "description", str, path),
        type=kind,
        domains=tuple(data["domains"]),
        values=tuple(values),
        private=_get(data, "private", PLIST_TYPES[kind], path),
        source=_get(data, "source", str, path),
        question=_get(data, "question", str, path),
        group=group,
        order=_get(data, "order", int, path, 0),
        default=_get(data, "default", PLIST_TYPES[kind], path, None),
        min_version=_get(data, "min_version", str, path, None),
        aliases=tuple(_get(data, "aliases", list, path, [])),
        caveats=tuple(_get(data, "caveats", list, path, [])),
        impact=tuple(rules),
    )
    if not pref.values:
        raise CatalogError(f"{path}: field 'values' is empty")
    for name in ("private", "default"):
        value = getattr(pref, name)
        if value is not None and not any(same_value(v.value, value) for v in pref.values):
            raise CatalogError(
                f"{path}: field {name!r}: {format_value(value)} is not among the values ({pref.allowed})"
            )
    return pref


def _endpoints(data: dict, path: Path, apps: dict[str, str]) -> tuple[tuple, tuple]:
    sections, endpoints, seen = [], [], set()
    for i, item in enumerate(_get(data, "section", list, path)):
        where = f"{path} [[section]] #{i + 1}"
        _no_extra(item, {"name", "about", "endpoints"}, where)
        section = Section(_get(item, "name", str, where), _get(item, "about", str, where))
        sections.append(section)
        for j, row in enumerate(_get(item, "endpoints", list, where)):
            here = f"{where} ({section.name}) endpoint #{j + 1}"
            _no_extra(row, {"url", "apps", "type", "description"}, here)
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
                section.name, url, tuple(apps[x] for x in apps if x in letters), kind,
                _get(row, "description", str, here),
            )
            identity = (section.name, url.lower().rstrip("/"), endpoint.apps, kind)
            if identity in seen:
                raise CatalogError(f"{here}: field 'url': {url} is listed twice in {section.name}")
            seen.add(identity)
            endpoints.append(endpoint)
    return tuple(sections), tuple(endpoints)


def _resolve_rules(pref: Preference, catalog: Catalog, path: Path) -> Preference:
    """Check each rule, and work out once which endpoint rows it names."""
    names = {s.name for s in catalog.sections}
    rules = []
    for i, rule in enumerate(pref.impact):
        where = f"{path} [[impact]] #{i + 1}"
        if rule.effect not in RULE_EFFECTS:
            raise CatalogError(f"{where}: field 'effect': {rule.effect!r} is not one of {', '.join(RULE_EFFECTS)}")
        if rule.evidence not in EVIDENCE:
            raise CatalogError(f"{where}: field 'evidence': {rule.evidence!r} is not one of {', '.join(EVIDENCE)}")
        for section in rule.sections:
            if section not in names:
                raise CatalogError(f"{where}: field 'sections': {section!r} is not a section of endpoints.toml")
        for key, value in rule.unless:
            other = catalog.preferences.get(key)
            if other is None or not any(same_value(v.value, value) for v in other.values):
                raise CatalogError(f"{where}: field 'unless': {key} = {value!r} is not a catalog value")
        rows = frozenset(
            j for j, e in enumerate(catalog.endpoints)
            if e.section in rule.sections or any(fnmatchcase(e.host, h) for h in rule.hosts)
        )
        for host in rule.hosts:
            if not any(fnmatchcase(e.host, host) for e in catalog.endpoints):
                raise CatalogError(f"{where}: field 'hosts': {host!r} matches no endpoint of endpoints.toml")
        rules.append(replace(rule, rows=rows))
    return replace(pref, impact=tuple(rules))


def _preset(data: dict, path: Path, catalog: Catalog) -> Preset:
    from profilegen.selection import settings_from_table

    _no_extra(data, {"title", "description", "settings"}, path)
    settings = _get(data, "settings", dict, path)
    try:
        values = settings_from_table(catalog, settings)
    except SelectionError as e:
        raise CatalogError(f"{path}: field 'settings': {e}") from None
    return Preset(path.stem, _get(data, "title", str, path), _get(data, "description", str, path),
                  settings, path, catalog.ordered(Setting(d, k, v) for (d, k), v in values.items()))
