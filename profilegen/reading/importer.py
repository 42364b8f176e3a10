"""Bringing existing configuration in: profiles, preference plists, Intune preference files and
`defaults` output become settings of the catalog, typed, and a config file.

Nothing is guessed: a key the catalog doesn't document for its domain is left
out and said so; a value of the wrong type is converted only where the
conversion is certain (the string "0" for an integer, 0 or 1 for a boolean),
with a warning; another spelling of a key or an old name of a value becomes the
documented one, with a warning.
"""

from __future__ import annotations

import plistlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from profilegen import inputs, names
from profilegen.catalog.model import Catalog, Setting
from profilegen.catalog.values import format_value, type_name
from profilegen.core.request import SCOPES, Profile, check_identifier, one_of
from profilegen.errors import ProfilegenError, SelectionError

# Profile keys carried into [profile], and how.
METADATA = {
    "PayloadIdentifier": "identifier",
    "PayloadOrganization": "organization",
    "PayloadDisplayName": "display_name",
    "PayloadDescription": "description",
    "PayloadScope": "scope",
    "PayloadRemovalDisallowed": "removal_disallowed",
}


class UnreadableError(ProfilegenError):
    """A file can't be read as any form of configuration profilegen knows."""


@dataclass(frozen=True)
class Raw:
    """What a file holds, before the catalog has a say."""

    path: Path
    form: str  # profile (signed or not), plist, intune, defaults
    settings: tuple[tuple[str, str, Any], ...]  # (domain, key, value) as written
    metadata: dict = field(default_factory=dict)  # Payload* keys of a profile
    style: str | None = None  # direct or mcx, for a profile


@dataclass
class Imported:
    """Settings of the catalog, the profile's details, and what happened on the way."""

    settings: dict[tuple[str, str], Any] = field(default_factory=dict)
    origin: dict[tuple[str, str], Path] = field(default_factory=dict)
    spelled: dict[tuple[str, str], str] = field(default_factory=dict)  # the name the value was set under
    profile: dict[str, Any] = field(default_factory=dict)
    converted: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    forms: list[str] = field(default_factory=list)

    def ordered(self, catalog: Catalog) -> tuple[Setting, ...]:
        return catalog.ordered(Setting(d, k, v) for (d, k), v in self.settings.items())

    def config(self, catalog: Catalog) -> str:
        from profilegen.core.selection import config_text

        return config_text(catalog, self.ordered(catalog), Profile(**self.profile))

    def as_dict(self, catalog: Catalog) -> dict:
        return {
            "files": self.forms,
            "profile": self.profile,
            "settings": [{"domain": s.domain, "key": s.key, "value": s.value} for s in self.ordered(catalog)],
            "converted": self.converted,
            "left_out": self.left_out,
            "warnings": self.warnings,
            "config": self.config(catalog),
        }

    def lines(self) -> list[str]:
        return (
            [f"imported {len(self.settings)} settings from {', '.join(self.forms)}"]
            + [f"converted: {line}" for line in self.converted]
            + [f"left out: {line}" for line in self.left_out]
            + [f"warning: {line}" for line in self.warnings]
        )


def read(path: Path, domain: str | None = None) -> Raw:
    """A file in any of the forms: a profile (XML, binary or signed), a preference plist, an Intune
    preference file, or `defaults export` / `defaults read` output."""
    try:
        data = inputs.read(path)
    except OSError as e:
        raise UnreadableError(f"{path} can't be read: {e.strerror}") from None
    from profilegen.reading.profiles import ProfileReadError, is_signed, parse_plist, settings, signed_content, unwrap

    form = "profile"
    data = unwrap(data)
    if is_signed(data):
        data, form = signed_content(data, path).content, "signed profile"
    stripped = data.removeprefix(b"\xef\xbb\xbf").lstrip()
    if stripped.startswith((b"<key>", b"{")):
        plist = _text_forms(stripped, path)
        form = "intune" if stripped.startswith(b"<key>") else "defaults"
    else:
        try:
            plist = parse_plist(data, path)
        except ProfileReadError as e:
            if not str(e).startswith(f"{path} is not a property list"):
                raise  # well-formedness, with its line and column
            raise UnreadableError(
                f"{path} is not a profile, a property list, an Intune preference file or `defaults` output"
            ) from None
    if not isinstance(plist, dict):
        raise UnreadableError(f"{path} holds a property list, but not a dictionary")
    kind = plist.get("PayloadType")
    if kind is not None and ("PayloadContent" in plist or "EncryptedPayloadContent" in plist):
        if "EncryptedPayloadContent" in plist:
            raise UnreadableError(
                f"{path} is an encrypted profile: its payloads are encrypted for one device, "
                "so there are no settings to import"
            )
        if kind == "Profile Service":
            raise UnreadableError(
                f"{path} is an enrolment (Profile Service) profile: it asks a device to enrol, "
                "and holds no settings to import"
            )
        if kind != "Configuration":
            raise UnreadableError(
                f"{path} is a profile of type {kind!r}, not a Configuration profile: there are no settings to import"
            )
    if isinstance(plist.get("PayloadContent"), list) and plist.get("PayloadType") == "Configuration":
        found = settings(plist)
        styles = {f.style for f in found}
        metadata = {k: v for k, v in plist.items() if k in METADATA}
        return Raw(
            Path(path),
            form,
            tuple((f.setting.domain, f.setting.key, f.setting.value) for f in found),
            metadata,
            styles.pop() if len(styles) == 1 else None,
        )
    name = domain or Path(path).name.removesuffix(".plist").removesuffix(".xml")
    if not re.fullmatch(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+", name):
        raise UnreadableError(f"{path}: can't tell its preference domain; name the file DOMAIN.plist or give --domain")
    return Raw(
        Path(path), "plist" if form == "profile" else form, tuple((name, key, value) for key, value in plist.items())
    )


def _text_forms(data: bytes, path: Path) -> dict:
    if data.startswith(b"<key>"):  # Intune: the pairs alone
        try:
            return plistlib.loads(b'<plist version="1.0"><dict>' + data + b"</dict></plist>", fmt=plistlib.FMT_XML)
        except Exception:
            raise UnreadableError(f"{path} looks like an Intune preference file but isn't well-formed") from None
    try:
        return _OldStyle(data.decode("utf-8", "replace")).read()
    except ValueError as e:
        raise UnreadableError(f"{path} looks like `defaults read` output but {e}") from None


class _OldStyle:
    """The old-style (OpenStep) property list `defaults read` prints: { key = value; }, ( a, b )."""

    TOKEN = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|([A-Za-z0-9_.:/$+-]+)|(.))', re.S)

    LEVELS = 64  # as deep as any property list profilegen reads

    def __init__(self, text: str):
        self.tokens = [
            (quoted, bare, sign) for quoted, bare, sign in self.TOKEN.findall(text) if quoted or bare or sign.strip()
        ]
        self.at = 0
        self.depth = 0

    def read(self) -> Any:
        value = self.value()
        if self.at != len(self.tokens):
            raise ValueError("has text after its end")
        return value

    def next(self):
        self.peek()
        self.at += 1
        return self.tokens[self.at - 1]

    def peek(self) -> str:
        """The sign of the next token ("" for a word), or ValueError at the end."""
        if self.at >= len(self.tokens):
            raise ValueError("ends too early")
        return self.tokens[self.at][2]

    def value(self) -> Any:
        quoted, bare, sign = self.next()
        if sign in ("{", "("):
            self.depth += 1
            if self.depth > self.LEVELS:
                raise ValueError(f"nests deeper than {self.LEVELS} levels")
            try:
                return self.dictionary() if sign == "{" else self.array()
            finally:
                self.depth -= 1
        if sign:
            raise ValueError(f"has an unexpected {sign!r}")
        if bare:
            return int(bare) if re.fullmatch(r"-?[0-9]+", bare) else bare
        return re.sub(r"\\(.)", r"\1", quoted)

    def dictionary(self) -> dict:
        result = {}
        while self.peek() != "}":
            key = self.value()
            if self.next()[2] != "=" or not isinstance(key, str):
                raise ValueError("has a key without '='")
            result[key] = self.value()
            if self.next()[2] != ";":
                raise ValueError("has a value without ';'")
        self.next()
        return result

    def array(self) -> list:
        items = []
        while self.peek() != ")":
            items.append(self.value())
            if self.peek() == ",":
                self.next()
        self.next()
        return items


def bring_in(catalog: Catalog, raws: list[Raw]) -> Imported:
    """The catalog's settings in these files, typed, merged; a key set two ways is an error."""
    result = Imported()
    for raw in raws:
        result.forms.append(f"{raw.path} ({raw.form})")
        for domain, key, value in raw.settings:
            _one(catalog, result, raw.path, domain, key, value)
        _profile(result, raw)
    return result


def _one(catalog: Catalog, result: Imported, path: Path, domain: str, key: str, value: Any) -> None:
    where = f"{names.shorten(domain, 80)} {names.shorten(key, 80)}"  # a hostile name is quoted in part
    if domain not in catalog.domains:
        result.left_out.append(f"{where} = {_shown(value)} ({path.name}): {domain} is not in profilegen's catalog")
        return
    never = catalog.never(key, domain)
    if never:
        result.left_out.append(f"{where} = {_shown(value)} ({path.name}): {never.message()}")
        return
    try:
        pref = catalog.preference(key)
    except SelectionError:
        result.left_out.append(f"{where} = {_shown(value)} ({path.name}): not in profilegen's catalog")
        return
    if domain not in pref.domains:
        result.left_out.append(f"{where} ({path.name}): {pref.key} is not documented for {domain}")
        return
    if pref.key != key:
        result.warnings.append(
            f"{where} ({path.name}): {key} is another spelling of {pref.key}; imported as {pref.key}"
        )
    typed = value
    if type_name(value) != pref.type:
        try:
            if isinstance(value, bool) or type_name(value) not in ("string", "integer"):
                raise SelectionError("no certain conversion")
            typed = pref.parse(str(value))
        except SelectionError:
            result.left_out.append(
                f"{where} = {_shown(value)} ({path.name}): {type_name(value)} where "
                f"{pref.key} takes {pref.type}, and no certain conversion"
            )
            return
        result.converted.append(
            f"{domain} {pref.key}: the {type_name(value)} {_shown(value)} "
            f"to the {pref.type} {format_value(typed)} ({path.name})"
        )
    elif pref.old_name(value):
        typed = pref.old_name(value)
        result.warnings.append(f"{where} = {value} ({path.name}): an old name of {typed}; imported as {typed}")
    problem = pref.problem(typed)
    if problem:
        result.left_out.append(f"{where} ({path.name}): {problem}")
        return
    if pref.structure:
        from profilegen.catalog.facts import findings

        result.warnings += [
            f"{where} ({path.name}): {message}"
            for level, _, message, _ in findings(typed, pref.structure)
            if level == "warning"
        ]
    slot = (domain, pref.key)
    if slot in result.settings and not _same(result.settings[slot], typed):
        before, was = result.spelled[slot], result.settings[slot]
        if (before == pref.key) != (key == pref.key):
            # An old name and the current one, as MOFA's profiles set UpdateCheckFrequency beside
            # UpdateCheckInterval: AutoUpdate reads the current one, so it is the one imported.
            old, old_value = (key, typed) if before == pref.key else (before, was)
            result.warnings.append(
                f"{domain} {old} = {_shown(old_value)} ({path.name}): superseded by {pref.key}, its current name, "
                f"which the profile sets too; imported {pref.key} = {_shown(typed if key == pref.key else was)}"
            )
            if key == pref.key:
                result.settings[slot], result.spelled[slot], result.origin[slot] = typed, key, path
            return
        where = (
            f"in {path} as {before} and as {key}"
            if result.origin[slot] == path
            else f"in {result.origin[slot]} but {_shown(typed)} in {path}"
        )
        first = f"{_shown(was)} and {_shown(typed)}" if result.origin[slot] == path else _shown(was)
        raise SelectionError(f"{domain} {pref.key} is {first} {where}; choose one")
    if slot in result.settings and result.spelled[slot] != pref.key:
        result.spelled[slot] = key  # the same value under both names: the current name is what counts
        return
    result.settings[slot] = typed
    result.spelled.setdefault(slot, key)
    result.origin.setdefault(slot, path)


def _profile(result: Imported, raw: Raw) -> None:
    """The profile's own details into [profile]: the first file that has one wins."""
    checks = {"identifier": check_identifier, "scope": one_of("scope", SCOPES)}
    found = {}
    for payload_key, name in METADATA.items():
        value = raw.metadata.get(payload_key)
        if value is None:
            continue
        try:
            if type_name(value) != ("boolean" if name == "removal_disallowed" else "string"):
                raise SelectionError(f"{payload_key} is {_shown(value)}, not of its type")
            found[name] = checks[name](value) if name in checks else value
        except SelectionError as e:
            result.warnings.append(f"{raw.path.name}: {payload_key} left out: {e}")
    if "scope" in found:  # as the README and config files write it
        found["scope"] = found["scope"].lower()
    elif raw.form in ("profile", "signed profile") and "PayloadScope" not in raw.metadata:
        found["scope"] = "none"  # kept out of the rebuilt profile too
    if raw.style == "mcx":
        found["payload_style"] = "mcx"
    if found.get("removal_disallowed") is False:
        del found["removal_disallowed"]
    for name, value in found.items():
        if name not in result.profile:
            result.profile[name] = value
        elif result.profile[name] != value:
            result.warnings.append(
                f"{raw.path.name}: {name} {_shown(value)} differs from the first file's; "
                f"kept {_shown(result.profile[name])}"
            )


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _shown(value: Any) -> str:
    return names.shorten(format_value(value) if isinstance(value, bool) else repr(value), 200)


def load(catalog: Catalog, paths: list[Path], domain: str | None = None) -> Imported:
    if domain is not None:
        catalog.domain(domain)  # a domain the catalog knows, or one clear error
        domain = catalog.domain(domain).domain
    return bring_in(catalog, [read(path, domain) for path in paths])
