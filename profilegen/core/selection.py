"""A selection: which preferences to set, to which values, and the profile's details.

Resolved from a preset, then a TOML config file, then --set overrides, the
later winning; every value is checked against the catalog on the way in.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from profilegen import inputs, names
from profilegen.catalog.model import Catalog, Setting
from profilegen.catalog.settings import parse_set, settings_from_table
from profilegen.catalog.values import MAX_DEPTH, bounded, format_value
from profilegen.core.request import Profile, TargetOptions
from profilegen.core.target import Target
from profilegen.errors import SelectionError

CONFIG_KEYS = ("preset", "target", "profile", "settings")
PROFILE_FIELDS = {f.name: f.metadata["option"] for f in fields(Profile)}
TARGET_FIELDS = {f.name: f.metadata["option"] for f in fields(TargetOptions)}
DEFAULTS = Profile(scope="System", removal_disallowed=False, payload_style="direct")


@dataclass(frozen=True)
class Selection:
    """What a build renders: settings in catalog order, profile details, and where they came from."""

    name: str
    settings: tuple[Setting, ...]
    profile: Profile  # resolved: every field but organization set
    preset: str | None = None
    config: str | None = None
    overrides: tuple[str, ...] = field(default=())
    warnings: tuple[str, ...] = field(default=(), compare=False)
    target: Target | None = None  # what the Macs run; None: judge the settings whatever reads them
    pac_proxy: str | None = None  # HOST:PORT a PAC file sends what Office doesn't reach directly to
    pac_mode: str = "direct"  # "proxy": the PAC file sends everything but the local network to the proxy

    def domains(self) -> dict[str, list[Setting]]:
        grouped: dict[str, list[Setting]] = {}
        for setting in self.settings:
            grouped.setdefault(setting.domain, []).append(setting)
        return grouped

    def value(self, domain: str, key: str) -> Any:
        return next((s.value for s in self.settings if (s.domain, s.key) == (domain, key)), None)


@dataclass(frozen=True)
class Config:
    path: Path
    preset: str | None
    profile: Profile
    settings: dict[tuple[str, str], Any]
    warnings: tuple[str, ...] = ()
    target: TargetOptions = TargetOptions()


def load_config(catalog: Catalog, path: Path, text: str | None = None) -> Config:
    """Read and check a TOML config file (or its text, not yet saved); errors name the file and,
    where known, the line."""
    try:
        if text is None:
            text = inputs.read(path).decode("utf-8")
    except FileNotFoundError:
        raise SelectionError(f"config file {str(path)!r} does not exist") from None
    except OSError as e:
        raise SelectionError(f"config file {str(path)!r} can't be read: {e.strerror}") from None
    except UnicodeDecodeError as e:
        raise SelectionError(f"config file {str(path)!r} is not UTF-8 text ({e.reason} at byte {e.start})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise SelectionError(f"{path}: not valid TOML: {e}") from None
    except RecursionError:
        raise SelectionError(f"{path}: nested deeper than a config can be (at most {MAX_DEPTH} levels)") from None
    return parse_config(catalog, data, path, text)


def parse_config(catalog: Catalog, data: dict, path: Path, text: str = "") -> Config:
    """Check config data (as read from TOML); errors name the file and, where found in text, the line."""

    def fail(message: str, key: str) -> SelectionError:
        line = _line_of(text, key)
        return SelectionError(f"{path}{f':{line}' if line else ''}: {message}")

    if not bounded(data):
        raise SelectionError(f"{path}: nested deeper than a config can be (at most {MAX_DEPTH} levels)")

    for key in data:
        if key not in CONFIG_KEYS:
            raise fail(str(names.unknown("key", key, CONFIG_KEYS)), key)
    preset = data.get("preset")
    if preset is not None:
        if not isinstance(preset, str):
            raise fail(f"preset must be a string, got {preset!r}", "preset")
        try:
            preset = catalog.preset(preset).name
        except SelectionError as e:
            raise fail(str(e), "preset") from None
    profile = _table(data, "profile", PROFILE_FIELDS, fail)
    target = _table(data, "target", TARGET_FIELDS, fail)
    settings = data.get("settings", {})
    if not isinstance(settings, dict):
        raise fail("settings must be a table: [settings]", "settings")
    warnings: list[str] = []
    try:
        resolved = settings_from_table(catalog, settings, warnings)
    except SelectionError as e:
        bad = next((k for k in _walk(settings) if k in str(e)), "settings")
        raise fail(str(e), bad) from None
    return Config(
        path, preset, Profile(**profile), resolved, tuple(f"{path}: {w}" for w in warnings), TargetOptions(**target)
    )


def _table(data: dict, name: str, options: dict, fail) -> dict:
    """A [profile] or [target] table: its keys are the fields of the request's options."""
    table = data.get(name, {})
    if not isinstance(table, dict):
        raise fail(f"{name} must be a table: [{name}]", name)
    checked = {}
    for key, value in table.items():
        opt = options.get(key)
        if opt is None:
            raise fail(str(names.unknown("key", f"{name}.{key}", (f"{name}.{k}" for k in options))), key)
        if type(value) is not opt.type:
            raise fail(f"{name}.{key} must be a {'boolean' if opt.type is bool else 'string'}, got {value!r}", key)
        try:
            checked[key] = opt.check(value) if opt.check else value
        except SelectionError as e:
            raise fail(str(e), key) from None
    return checked


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


def config_text(catalog: Catalog, settings, profile: Profile, target: TargetOptions | None = None) -> str:
    """A config file (TOML) that resolves to these settings and profile details: KEY = VALUE where
    every documented domain has the same value, [settings.APP] for the others."""
    import tomli_w

    values = {(s.domain, s.key): _utc(s.value) for s in settings}
    table: dict = {}
    per_app: dict[str, dict] = {}
    for pref in catalog.preferences.values():
        here = [values.get((d, pref.key)) for d in pref.domains]
        if all(v is not None for v in here) and len({format_value(v) for v in here}) == 1:
            table[pref.key] = here[0]
            continue
        for domain, value in zip(pref.domains, here, strict=True):
            if value is not None:
                per_app.setdefault(catalog.domains[domain].alias, {})[pref.key] = value
    given = target.given() if target else {}
    data = {"target": given, "profile": profile.given(), "settings": {**table, **per_app}}
    return tomli_w.dumps({name: part for name, part in data.items() if part or name == "settings"})


def _utc(value: Any) -> Any:
    """Dates as TOML offset date-times in UTC, as a property list holds them (a naive datetime is UTC)."""
    import datetime

    if isinstance(value, datetime.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=datetime.UTC)
    if isinstance(value, dict):
        return {k: _utc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_utc(v) for v in value]
    return value


def name_of(config: Path) -> str:
    """A build's name from its config file's: letters, digits, '-', '_' and inner dots, so that it
    is one path component inside the output folder whatever the file is called."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", config.stem).strip(".-")
    if not re.search(r"[A-Za-z0-9]", name):
        raise SelectionError(
            f"config file name {config.name!r} has no letters or digits to name its build "
            "and its files; rename the file"
        )
    return name


def default_display_name(preset, settings) -> str:
    """The preset's title, marked when the settings are no longer the preset's own."""
    if preset is None:
        return "Office for Mac preferences"
    changed = set(settings) != set(preset.values)
    return f"Office for Mac: {preset.title}" + (" (modified)" if changed else "")


def identifier_warnings(identifier: str) -> list[str]:
    """An identifier that will collide or confuse: profilegen's own default, or not reverse-DNS."""
    if identifier.startswith("org.profilegen."):
        return [
            f"the profile identifier {identifier} is profilegen's default: give your organization's own "
            "(--identifier, or --organization), and keep it, so macOS updates the installed profile in place"
        ]
    first, dot, _ = identifier.partition(".")
    if not dot or not first.isalpha():
        return [f"the profile identifier {identifier} is not reverse-DNS; use one such as com.example.office"]
    return []


def default_identifier(name: str, organization: str | None = None) -> str:
    """com.ORGANIZATION.office.NAME, or org.profilegen.office.NAME without an organization."""
    org = re.sub(r"[^a-z0-9]+", "-", (organization or "").lower()).strip("-")
    base = f"com.{org}.office." if org else "org.profilegen.office."
    return base + (re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "office")


def resolve(
    catalog: Catalog,
    *,
    preset: str | None = None,
    config: Path | Config | None = None,
    sets: tuple[str, ...] | list[str] = (),
    profile: Profile | None = None,
    target: TargetOptions | None = None,
    name: str | None = None,
) -> Selection:
    """Preset, then config file, then --set overrides; profile options override the config's."""
    loaded = config if isinstance(config, Config) or config is None else load_config(catalog, config)
    config = loaded.path if loaded else None
    preset = preset or (loaded.preset if loaded else None)
    chosen = catalog.preset(preset) if preset else None
    preset = chosen.name if chosen else None
    values: dict[tuple[str, str], Any] = {}
    warnings = list(loaded.warnings if loaded else ())
    if chosen:
        values.update(((s.domain, s.key), s.value) for s in chosen.values)
    if loaded:
        values.update(loaded.settings)
    for text in sets:
        values.update(parse_set(catalog, text, warnings))
    if not values:
        raise SelectionError("nothing to build: choose a --preset, a --config with [settings], or --set KEY=VALUE")
    settings = catalog.ordered(Setting(domain, key, value) for (domain, key), value in values.items())
    name = name or (name_of(config) if config else preset) or "office-network"
    given = (profile or Profile()).checked().over(loaded.profile if loaded else Profile())
    details = given.over(
        replace(
            DEFAULTS,
            identifier=default_identifier(name, given.organization),
            display_name=default_display_name(chosen, settings),
            description=_describe(catalog, settings),
        )
    )
    aimed = (target or TargetOptions()).over(loaded.target if loaded else TargetOptions())
    return Selection(
        name,
        settings,
        details,
        preset,
        str(config) if config else None,
        tuple(sets),
        tuple(dict.fromkeys(warnings)),
        Target.of(catalog, aimed.office, aimed.mau, bool(aimed.include_legacy)),
    )


def _describe(catalog: Catalog, settings: tuple[Setting, ...]) -> str:
    seen: dict[tuple[str, str], tuple[Any, list[str]]] = {}
    for s in settings:
        seen.setdefault((s.key, format_value(s.value)), (s.value, []))[1].append(catalog.domains[s.domain].name)
    parts = [
        f"{catalog.preferences[key].title_of(value)} ({key} = {shown}) in {', '.join(names)}"
        if catalog.preferences[key].values
        else f"{catalog.preferences[key].title}: {shown} in {', '.join(names)}"
        for (key, shown), (value, names) in seen.items()
    ]
    return "Office for Mac preferences, as Microsoft documents them: " + "; ".join(parts) + "."
