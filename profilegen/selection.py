"""A selection: which preferences to set, to which values, and the profile's details.

Resolved from a preset, then a TOML config file, then --set overrides, the
later winning; every value is checked against the catalog on the way in.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from profilegen.catalog import Catalog, format_value
from profilegen.errors import SelectionError

SCOPES = ("System", "User")
PAYLOAD_STYLES = ("direct", "mcx")
PROFILE_FIELDS = ("identifier", "organization", "display_name", "description", "scope",
                  "removal_disallowed", "payload_style")
CONFIG_KEYS = ("preset", "profile", "settings")
_IDENTIFIER = re.compile(r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$")


@dataclass(frozen=True)
class Setting:
    domain: str
    key: str
    value: Any


@dataclass(frozen=True)
class Profile:
    identifier: str
    display_name: str
    description: str
    organization: str | None = None
    scope: str = "System"
    removal_disallowed: bool = False
    payload_style: str = "direct"  # or "mcx": com.apple.ManagedClient.preferences


@dataclass(frozen=True)
class Selection:
    """What a build renders: settings in catalog order, profile details, and where they came from."""

    name: str
    settings: tuple[Setting, ...]
    profile: Profile
    preset: str | None = None
    config: str | None = None
    overrides: tuple[str, ...] = field(default=())

    def domains(self) -> dict[str, list[Setting]]:
        grouped: dict[str, list[Setting]] = {}
        for setting in self.settings:
            grouped.setdefault(setting.domain, []).append(setting)
        return grouped

    def value(self, domain: str, key: str) -> Any:
        return next((s.value for s in self.settings if (s.domain, s.key) == (domain, key)), None)


def check_identifier(text: str) -> str:
    """The one check for identifiers, shared by the CLI, config files and the wizard."""
    if not _IDENTIFIER.match(text):
        raise SelectionError(
            f"identifier {text!r} is not valid; expected reverse-DNS such as com.example.office, "
            "with letters, digits, '-' or '_' between dots and no spaces"
        )
    return text


def check_scope(text: str) -> str:
    for scope in SCOPES:
        if text.strip().lower() == scope.lower():
            return scope
    raise SelectionError(f"scope {text!r} is not valid; expected system or user")


def check_payload_style(text: str) -> str:
    style = text.strip().lower()
    if style not in PAYLOAD_STYLES:
        raise SelectionError(f"payload style {text!r} is not valid; expected direct or mcx")
    return style


def settings_from_table(catalog: Catalog, table: dict) -> dict[tuple[str, str], Any]:
    """A [settings] table: KEY = VALUE for every documented domain, [settings.APP] for one."""
    result: dict[tuple[str, str], Any] = {}
    per_app = {k: v for k, v in table.items() if isinstance(v, dict)}
    for key, value in table.items():
        if key not in per_app:
            pref = catalog.preference(key)
            value = pref.coerce(value)
            for domain in pref.domains:
                result[(domain, key)] = value
    for app, entries in per_app.items():
        domain = catalog.domain(app).domain
        for key, value in entries.items():
            if isinstance(value, dict):
                raise SelectionError(f"[settings.{app}.{key}]: expected KEY = VALUE, not a table")
            result[(domain, key)] = _for_domain(catalog, domain, key).coerce(value)
    return result


def parse_set(catalog: Catalog, text: str) -> dict[tuple[str, str], Any]:
    """One --set: KEY=VALUE for every documented domain, APP:KEY=VALUE for one."""
    target, sep, raw = text.partition("=")
    if not sep or not target.strip():
        raise SelectionError(f"--set {text!r}: expected KEY=VALUE or APP:KEY=VALUE")
    app, _, key = target.strip().rpartition(":")
    try:
        if app:
            domain = catalog.domain(app).domain
            return {(domain, key): _for_domain(catalog, domain, key).parse(raw)}
        pref = catalog.preference(key)
        value = pref.parse(raw)
        return {(domain, key): value for domain in pref.domains}
    except SelectionError as e:
        raise SelectionError(f"--set {text}: {e}") from None


def _for_domain(catalog: Catalog, domain: str, key: str):
    pref = catalog.preference(key)
    if domain not in pref.domains:
        raise SelectionError(
            f"{key} is not documented for {domain}; it applies to {', '.join(pref.domains)}"
        )
    return pref


@dataclass(frozen=True)
class Config:
    path: Path
    preset: str | None
    profile: dict
    settings: dict[tuple[str, str], Any]


def load_config(catalog: Catalog, path: Path) -> Config:
    """Read and check a TOML config file; errors name the file and, where known, the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SelectionError(f"config file {str(path)!r} does not exist") from None
    except (OSError, UnicodeDecodeError) as e:
        raise SelectionError(f"config file {str(path)!r} can't be read: {e}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise SelectionError(f"{path}: not valid TOML: {e}") from None
    return parse_config(catalog, data, path, text)


def parse_config(catalog: Catalog, data: dict, path: Path, text: str = "") -> Config:
    """Check config data (as read from TOML); errors name the file and, where found in text, the line."""

    def fail(message: str, key: str) -> SelectionError:
        line = _line_of(text, key)
        return SelectionError(f"{path}{f':{line}' if line else ''}: {message}")

    for key in data:
        if key not in CONFIG_KEYS:
            raise fail(f"unknown key {key!r}; expected {', '.join(CONFIG_KEYS)}", key)
    preset = data.get("preset")
    if preset is not None:
        if not isinstance(preset, str):
            raise fail(f"preset must be a string, got {preset!r}", "preset")
        try:
            catalog.preset(preset)
        except SelectionError as e:
            raise fail(str(e), "preset") from None
    profile = data.get("profile", {})
    if not isinstance(profile, dict):
        raise fail("profile must be a table: [profile]", "profile")
    for key, value in profile.items():
        if key not in PROFILE_FIELDS:
            raise fail(f"unknown key profile.{key}; expected {', '.join(PROFILE_FIELDS)}", key)
        expected = bool if key == "removal_disallowed" else str
        if type(value) is not expected:
            raise fail(f"profile.{key} must be a {'boolean' if expected is bool else 'string'}, "
                       f"got {value!r}", key)
        try:
            _check_profile_field(key, value)
        except SelectionError as e:
            raise fail(str(e), key) from None
    settings = data.get("settings", {})
    if not isinstance(settings, dict):
        raise fail("settings must be a table: [settings]", "settings")
    try:
        resolved = settings_from_table(catalog, settings)
    except SelectionError as e:
        bad = next((k for k in _walk(settings) if k in str(e)), "settings")
        raise fail(str(e), bad) from None
    return Config(path, preset, profile, resolved)


def _walk(table: dict):
    for key, value in table.items():
        if isinstance(value, dict):
            yield from _walk(value)
        yield key


def _line_of(text: str, key: str) -> int | None:
    pattern = re.compile(rf"^\s*(\[\s*[^\]]*\b{re.escape(key)}\b|\"?{re.escape(key)}\"?\s*=)")
    for number, line in enumerate(text.splitlines(), 1):
        if pattern.match(line):
            return number
    return None


def _check_profile_field(key: str, value: Any) -> Any:
    if key in ("organization", "display_name", "description") and re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", value):
        raise SelectionError(f"{key.replace('_', ' ')} {value!r} holds a control character, "
                             "which a property list can't carry")
    if key == "identifier":
        return check_identifier(value)
    if key == "scope":
        return check_scope(value)
    if key == "payload_style":
        return check_payload_style(value)
    return value


def resolve(
    catalog: Catalog,
    *,
    preset: str | None = None,
    config: Path | Config | None = None,
    sets: tuple[str, ...] | list[str] = (),
    profile: dict | None = None,
    name: str | None = None,
) -> Selection:
    """Preset, then config file, then --set overrides; profile options override the config's."""
    loaded = config if isinstance(config, Config) or config is None else load_config(catalog, config)
    config = loaded.path if loaded else None
    preset = preset or (loaded.preset if loaded else None)
    chosen = catalog.preset(preset) if preset else None
    values: dict[tuple[str, str], Any] = {}
    if chosen:
        values.update(settings_from_table(catalog, chosen.settings))
    if loaded:
        values.update(loaded.settings)
    for text in sets:
        values.update(parse_set(catalog, text))
    if not values:
        raise SelectionError(
            "nothing to build: choose a --preset, a --config with [settings], or --set KEY=VALUE"
        )
    order = {key: i for i, key in enumerate(catalog.preferences)}
    settings = tuple(
        Setting(domain, key, value)
        for (domain, key), value in sorted(
            values.items(), key=lambda item: (catalog.domain_order(item[0][0]), order[item[0][1]])
        )
    )
    name = name or (config.stem if config else preset) or "office-network"
    given = {**(loaded.profile if loaded else {}), **{k: v for k, v in (profile or {}).items()
                                                       if v is not None}}
    for key, value in given.items():
        given[key] = _check_profile_field(key, value)
    details = Profile(
        identifier=given.get("identifier") or check_identifier(
            "org.profilegen.office." + re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")
        ),
        display_name=given.get("display_name")
        or (f"Office for Mac: {chosen.title}" if chosen else "Office for Mac network preferences"),
        description=given.get("description") or _describe(catalog, settings),
        organization=given.get("organization"),
        scope=given.get("scope", "System"),
        removal_disallowed=bool(given.get("removal_disallowed", False)),
        payload_style=given.get("payload_style", "direct"),
    )
    return Selection(name, settings, details, preset, str(config) if config else None, tuple(sets))


def _describe(catalog: Catalog, settings: tuple[Setting, ...]) -> str:
    seen: dict[tuple[str, Any], list[str]] = {}
    for s in settings:
        seen.setdefault((s.key, s.value), []).append(catalog.domains[s.domain].name)
    parts = [
        f"{catalog.preferences[key].title_of(value)} ({key} = {format_value(value)}) in {', '.join(names)}"
        for (key, value), names in seen.items()
    ]
    return ("Office for Mac network preferences, as documented in Microsoft's "
            "'Network requests in Office 2016 for Mac': " + "; ".join(parts) + ".")
