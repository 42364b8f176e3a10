"""Loading the catalog: every TOML file of payloads/ read, checked as it is read (a broken file
fails with the file and field named, before anything uses it), and cached once per process.

Every claim names a source of sources.toml and how sure it is.
"""

from __future__ import annotations

import datetime
import functools
import tomllib
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, NamedTuple

from profilegen.catalog.model import (
    RULE_EFFECTS,
    URL_TYPES,
    Catalog,
    Caveat,
    Domain,
    Endpoint,
    Group,
    NeverSet,
    Preference,
    Preset,
    Product,
    RowStatus,
    Rule,
    Section,
    Setting,
    Status,
    Value,
)
from profilegen.catalog.settings import settings_from_table
from profilegen.catalog.sources import CONFIDENCE, EVIDENCE, Evidence, Source
from profilegen.catalog.values import FORMATS, PLIST_TYPES, VALUE_TYPES, Version, type_name
from profilegen.errors import CatalogError, SelectionError


def payloads_dir() -> Path:
    """payloads/ inside an installed wheel, or beside the package in a checkout."""
    here = Path(__file__).resolve().parent.parent  # the profilegen package
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
