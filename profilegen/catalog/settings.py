"""Settings from text: a [settings] table (a config file's or a preset's) or one --set, each
value checked by its preference on the way in. Microsoft's spelling of a key and the current
name of a value are what come out, with a warning where another was given."""

from __future__ import annotations

from typing import Any

from profilegen import names
from profilegen.catalog.model import Catalog
from profilegen.errors import SelectionError


def _spelling(catalog: Catalog, key: str, warnings: list[str] | None):
    """The preference; a documented other spelling is taken with a warning, a difference of
    case, '-' or '_' silently: either way, Microsoft's spelling is what gets written."""
    pref = catalog.preference(key)
    if names.fold(pref.key) != names.fold(key) and warnings is not None:
        warnings.append(f"{key} is another spelling of {pref.key}, Microsoft's; profilegen writes {pref.key}")
    return pref


def _read(pref, value: Any, warnings: list[str] | None, parse: bool = False) -> Any:
    """A value checked by the preference (parsed from text with parse=True); an old name of a
    value is written as the current one, with a warning."""
    new = pref.old_name(value.strip() if parse else value)
    if new and warnings is not None:
        warnings.append(
            f"{pref.key} = {value.strip() if parse else value} is an old name of {new}; profilegen writes {new}"
        )
    return pref.parse(value) if parse else pref.coerce(value)


def settings_from_table(catalog: Catalog, table: dict, warnings: list[str] | None = None) -> dict[tuple[str, str], Any]:
    """A [settings] table: KEY = VALUE for every documented domain, [settings.APP] for one."""
    result: dict[tuple[str, str], Any] = {}
    per_app = {k: v for k, v in table.items() if isinstance(v, dict) and not _dictionary(catalog, k)}
    for key, value in table.items():
        if key not in per_app:
            pref = _spelling(catalog, key, warnings)
            value = _read(pref, value, warnings)
            for domain in pref.domains:
                result[(domain, pref.key)] = value
    for app, entries in per_app.items():
        domain = catalog.domain(app).domain
        for key, value in entries.items():
            if isinstance(value, dict) and not _dictionary(catalog, key):
                raise SelectionError(f"[settings.{app}.{key}]: expected KEY = VALUE, not a table")
            pref = _for_domain(catalog, domain, key, warnings)
            result[(domain, pref.key)] = _read(pref, value, warnings)
    return result


def _dictionary(catalog: Catalog, key: str) -> bool:
    """Whether a table in [settings] is a dictionary preference's value rather than an app's settings."""
    try:
        return catalog.preference(key).type == "dictionary"
    except SelectionError:
        return False


def parse_set(catalog: Catalog, text: str, warnings: list[str] | None = None) -> dict[tuple[str, str], Any]:
    """One --set: KEY=VALUE for every documented domain, APP:KEY=VALUE for one."""
    target, sep, raw = text.partition("=")
    if not sep or not target.strip():
        raise SelectionError(f"--set {names.shorten(text)!r}: expected KEY=VALUE or APP:KEY=VALUE")
    app, _, key = target.strip().rpartition(":")
    try:
        if app:
            domain = catalog.domain(app).domain
            pref = _for_domain(catalog, domain, key, warnings)
            return {(domain, pref.key): _read(pref, raw, warnings, parse=True)}
        pref = _spelling(catalog, key, warnings)
        value = _read(pref, raw, warnings, parse=True)
        return {(domain, pref.key): value for domain in pref.domains}
    except SelectionError as e:
        raise SelectionError(f"--set {names.shorten(text, 120)}: {e}") from None


def _for_domain(catalog: Catalog, domain: str, key: str, warnings: list[str] | None):
    pref = _spelling(catalog, key, warnings)
    if domain not in pref.domains:
        raise SelectionError(f"{key} is not documented for {domain}; it applies to {', '.join(pref.domains)}")
    return pref
