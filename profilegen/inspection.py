"""Reading any .mobileconfig (XML, binary or signed), describing it, and checking it.

`check` knows Apple's rules for profiles (required keys and their types,
PayloadVersion 1, PayloadType Configuration, unique UUIDs and identifiers,
PayloadScope values) and the catalog's rules for Office keys (type, value and
domain). Each problem carries the path of the key it is about, so that XML
files can be reported with the line the key is on.
"""

from __future__ import annotations

import plistlib
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from profilegen.catalog import PLIST_TYPES, Catalog, a_or_an, format_value, same_value
from profilegen.errors import ProfilegenError

MCX = "com.apple.ManagedClient.preferences"
TOP_LEVEL = {
    "PayloadContent": list, "PayloadIdentifier": str, "PayloadUUID": str, "PayloadType": str,
    "PayloadVersion": int, "PayloadDisplayName": str, "PayloadDescription": str,
    "PayloadOrganization": str, "PayloadScope": str, "PayloadRemovalDisallowed": bool,
    "HasRemovalPasscode": bool, "IsEncrypted": bool, "EncryptedPayloadContent": bytes,
    "RemovalDate": object, "DurationUntilRemoval": (int, float), "PayloadExpirationDate": object,
    "TargetDeviceType": int, "ConsentText": dict,
}
REQUIRED = ("PayloadIdentifier", "PayloadUUID", "PayloadType", "PayloadVersion")
COMMON = {"PayloadIdentifier": str, "PayloadUUID": str, "PayloadType": str, "PayloadVersion": int,
          "PayloadDescription": str, "PayloadDisplayName": str, "PayloadOrganization": str,
          "PayloadEnabled": bool}
SPELLINGS = {"IsAttachedEnabled": "IsAttachFilesEnabled"}
_TYPE_NAMES = {str: "string", int: "integer", bool: "boolean", float: "real", list: "array",
               dict: "dictionary", bytes: "data"}


class ProfileReadError(ProfilegenError):
    """The file is not a profile that can be read."""


@dataclass(frozen=True)
class ProfileFile:
    path: Path
    profile: dict
    content: bytes  # the plist itself; inside the signature when signed
    format: str  # "xml" or "binary"
    signer: Any = None  # the signer's certificate, not yet verified


@dataclass(frozen=True)
class Setting:
    payload: int
    domain: str
    key: str
    value: Any
    path: tuple  # key path from the top of the plist
    style: str  # "direct" or "mcx"


@dataclass(frozen=True)
class Problem:
    level: str  # "error" or "warning"
    message: str
    path: tuple = field(default=())


def read(path: Path) -> ProfileFile:
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise ProfileReadError(f"{path} can't be read: {e.strerror}") from None
    signer = None
    if data[:1] == b"\x30":
        from profilegen import cms

        signed = cms.extract(data)
        data, signer = signed.content, signed.signer
    try:
        profile = plistlib.loads(data)
    except Exception:  # plistlib raises several kinds for malformed input
        raise ProfileReadError(f"{path} is not a property list (XML, binary or signed)") from None
    if not isinstance(profile, dict):
        raise ProfileReadError(f"{path} is a property list but not a dictionary")
    kind = "binary" if data.startswith(b"bplist") else "xml"
    return ProfileFile(Path(path), profile, data, kind, signer)


def payloads(profile: dict) -> list:
    """The top-level PayloadContent, or nothing where it isn't an array (check reports that)."""
    content = profile.get("PayloadContent")
    return content if isinstance(content, list) else []


def settings(profile: dict) -> list[Setting]:
    """Every preference a profile sets, in either payload form."""
    found = []
    for i, payload in enumerate(payloads(profile)):
        if not isinstance(payload, dict):
            continue
        kind = payload.get("PayloadType")
        base = ("PayloadContent", i)
        if kind == MCX and isinstance(payload.get("PayloadContent"), dict):
            for domain, forms in payload["PayloadContent"].items():
                for form, entries in (forms.items() if isinstance(forms, dict) else ()):
                    for j, entry in enumerate(entries if isinstance(entries, list) else []):
                        prefs = entry.get("mcx_preference_settings") if isinstance(entry, dict) else None
                        for key, value in (prefs or {}).items():
                            path = (*base, "PayloadContent", domain, form, j, "mcx_preference_settings", key)
                            found.append(Setting(i, domain, key, value, path, "mcx"))
        elif isinstance(kind, str):
            for key, value in payload.items():
                if key not in COMMON:
                    found.append(Setting(i, kind, key, value, (*base, key), "direct"))
    return found


def describe(pf: ProfileFile, catalog: Catalog) -> dict:
    """What `profilegen inspect` shows: metadata, payloads, and each setting in words."""
    profile = pf.profile
    described = []
    all_settings = settings(profile)
    for i, payload in enumerate(payloads(profile)):
        if not isinstance(payload, dict):
            continue
        items = []
        for s in (s for s in all_settings if s.payload == i):
            pref = catalog.preferences.get(s.key)
            known = pref is not None and s.domain in pref.domains
            meaning = None
            if known and any(same_value(v.value, s.value) for v in pref.values):
                meaning = pref.title_of(s.value)
            items.append({
                "domain": s.domain, "key": s.key, "value": _plain(s.value),
                "title": pref.title if known else None,
                "meaning": meaning,
                "known": known,
            })
        described.append({
            "type": payload.get("PayloadType"),
            "identifier": payload.get("PayloadIdentifier"),
            "uuid": payload.get("PayloadUUID"),
            "display_name": payload.get("PayloadDisplayName"),
            "settings": items,
        })
    return {
        "file": str(pf.path),
        "format": pf.format,
        "signed": pf.signer is not None,
        "signer": pf.signer.subject.rfc4514_string() if pf.signer is not None else None,
        "metadata": {k: _plain(v) for k, v in profile.items() if k != "PayloadContent"},
        "payloads": described,
    }


def _plain(value: Any) -> Any:
    """JSON-friendly: dates and data become strings."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _kind(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _type_ok(value: Any, expected) -> bool:
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)


def check(pf: ProfileFile, catalog: Catalog) -> list[Problem]:
    profile = pf.profile
    problems: list[Problem] = []

    def error(message, *path):
        problems.append(Problem("error", message, path))

    def warn(message, *path):
        problems.append(Problem("warning", message, path))

    for key in ("PayloadContent", "PayloadIdentifier", "PayloadUUID", "PayloadType", "PayloadVersion"):
        if key not in profile:
            error(f"required top-level key {key} is missing")
    for key, value in profile.items():
        expected = TOP_LEVEL.get(key)
        if expected is None:
            warn(f"top-level key {key} is not in Apple's schema for profiles", key)
        elif not _type_ok(value, expected):
            error(f"top-level {key} must be {_TYPE_NAMES.get(expected, 'another type')}, "
                  f"not {_kind(value)}", key)
    if profile.get("PayloadType", "Configuration") != "Configuration":
        error(f"top-level PayloadType must be Configuration, not {profile['PayloadType']!r}", "PayloadType")
    if "PayloadVersion" in profile and not same_value(profile["PayloadVersion"], 1):
        error(f"top-level PayloadVersion must be the integer 1, not {profile['PayloadVersion']!r}", "PayloadVersion")
    if "PayloadScope" in profile and profile["PayloadScope"] not in ("System", "User"):
        error(f"PayloadScope must be System or User, not {profile['PayloadScope']!r}", "PayloadScope")

    uuids: dict[str, tuple] = {}
    identifiers: dict[str, tuple] = {}
    for where, item in [((), profile)] + [
        (("PayloadContent", i), p) for i, p in enumerate(payloads(profile))
    ]:
        name = "top-level" if not where else f"payload {where[1] + 1}"
        if not isinstance(item, dict):
            error(f"{name} must be a dictionary, not {_kind(item)}", *where)
            continue
        if where:
            for key in REQUIRED:
                if key not in item:
                    error(f"{name} ({item.get('PayloadType', 'no type')}): required key {key} is missing", *where)
            for key, expected in COMMON.items():
                if key in item and not _type_ok(item[key], expected):
                    error(f"{name}: {key} must be {_TYPE_NAMES[expected]}, not {_kind(item[key])}", *where, key)
            if "PayloadVersion" in item and not same_value(item["PayloadVersion"], 1):
                error(f"{name}: PayloadVersion must be the integer 1, not {item['PayloadVersion']!r}",
                      *where, "PayloadVersion")
        value = item.get("PayloadUUID")
        if isinstance(value, str):
            if value.upper() in uuids:
                error(f"{name}: PayloadUUID {value} is used twice", *where, "PayloadUUID")
            uuids[value.upper()] = where
            if not _is_uuid(value):
                warn(f"{name}: PayloadUUID {value!r} is not a UUID; generate one with uuidgen",
                     *where, "PayloadUUID")
        ident = item.get("PayloadIdentifier")
        if isinstance(ident, str):
            if ident in identifiers and where:
                error(f"{name}: PayloadIdentifier {ident} is used twice", *where, "PayloadIdentifier")
            identifiers[ident] = where
            if not re.fullmatch(r"[A-Za-z0-9_.-]+", ident):
                warn(f"{name}: PayloadIdentifier {ident!r} is not reverse-DNS (spaces or other characters)",
                     *where, "PayloadIdentifier")
        if where and item.get("PayloadType") == MCX:
            _check_mcx(item.get("PayloadContent"), (*where, "PayloadContent"), name, error)

    domains = {d.domain for d in catalog.domains.values()}
    warned_domains = set()
    for s in settings(profile):
        pref = catalog.preferences.get(s.key)
        if s.key in SPELLINGS:
            warn(f"{s.domain}: {s.key} is not Microsoft's spelling; Microsoft documents "
                 f"{SPELLINGS[s.key]}", *s.path)
        elif pref is not None:
            if s.domain not in pref.domains:
                error(f"{s.domain}: {s.key} is not documented for this domain; "
                      f"it applies to {', '.join(pref.domains)}", *s.path)
            elif not _type_ok(s.value, PLIST_TYPES[pref.type]):
                shown = format_value(s.value) if isinstance(s.value, bool) else repr(s.value)
                error(f"{s.domain}: {s.key} is {a_or_an(_kind(s.value))} {_kind(s.value)} ({shown}); "
                      f"expected {a_or_an(pref.type)} {pref.type}, one of {pref.allowed}", *s.path)
            elif not any(same_value(v.value, s.value) for v in pref.values):
                error(f"{s.domain}: {s.key} = {format_value(s.value)} is not allowed; "
                      f"expected one of {pref.allowed}", *s.path)
        elif s.domain in domains:
            warn(f"{s.domain}: {s.key} is not in profilegen's catalog; not checked", *s.path)
        elif s.domain.startswith("com.microsoft.") and s.domain not in warned_domains:
            warned_domains.add(s.domain)
            warn(f"{s.domain} is not in profilegen's catalog; its keys are not checked", *s.path[:2])
    return problems


def _check_mcx(content, path, name, error) -> None:
    if not isinstance(content, dict):
        error(f"{name}: {MCX} needs PayloadContent as a dictionary of preference domains", *path)
        return
    for domain, forms in content.items():
        if not isinstance(forms, dict):
            error(f"{name}: {domain} must be a dictionary with Forced or Set-Once", *path, domain)
            continue
        for form, entries in forms.items():
            if form not in ("Forced", "Set-Once"):
                error(f"{name}: {domain} has {form!r}; expected Forced or Set-Once", *path, domain, form)
            elif not isinstance(entries, list) or not all(
                isinstance(e, dict) and isinstance(e.get("mcx_preference_settings"), dict) for e in entries
            ):
                error(f"{name}: {domain} {form} must be an array of dictionaries holding "
                      "mcx_preference_settings", *path, domain, form)


def _is_uuid(text: str) -> bool:
    try:
        return len(text) == 36 and uuid.UUID(text) is not None
    except ValueError:
        return False


def line_of(xml: bytes, path: tuple) -> int | None:
    """The source line of the key at path in an XML plist (lxml keeps source lines)."""
    from lxml import etree

    try:
        node = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True)).find("dict")
    except etree.XMLSyntaxError:
        return None
    line = None
    for step in path:
        if node is None:
            return line
        children = [c for c in node if isinstance(c.tag, str)]
        if isinstance(step, int):
            if node.tag != "array" or step >= len(children):
                return line
            node = children[step]
            line = node.sourceline
        else:
            if node.tag != "dict":
                return line
            keys = [i for i, c in enumerate(children) if c.tag == "key" and c.text == step]
            if not keys or keys[0] + 1 >= len(children):
                return line
            line = children[keys[0]].sourceline
            node = children[keys[0] + 1]
    return line
