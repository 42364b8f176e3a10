"""Reading any .mobileconfig (XML, binary or signed), describing it, and checking it.

`check` knows Apple's rules for profiles (required keys and their types,
PayloadVersion 1, PayloadType Configuration, unique UUIDs and identifiers,
PayloadScope values) and the catalog's rules for Office keys (type, value and
domain). Each problem carries the path of the key it is about, so that XML
files can be reported with the line the key is on.
"""

from __future__ import annotations

import functools
import plistlib
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from profilegen import inputs
from profilegen.catalog.model import Catalog, Setting
from profilegen.catalog.values import a_or_an, bounded, format_value, json_value, type_name
from profilegen.errors import ProfilegenError, SelectionError

MCX = "com.apple.ManagedClient.preferences"
TOP_LEVEL: dict[str, str | tuple[str, ...]] = {
    "PayloadContent": "array",
    "PayloadIdentifier": "string",
    "PayloadUUID": "string",
    "PayloadType": "string",
    "PayloadVersion": "integer",
    "PayloadDisplayName": "string",
    "PayloadDescription": "string",
    "PayloadOrganization": "string",
    "PayloadScope": "string",
    "PayloadRemovalDisallowed": "boolean",
    "HasRemovalPasscode": "boolean",
    "IsEncrypted": "boolean",
    "EncryptedPayloadContent": "data",
    "RemovalDate": "date",
    "DurationUntilRemoval": ("integer", "real"),
    "PayloadExpirationDate": "date",
    "TargetDeviceType": "integer",
    "ConsentText": "dictionary",
}
REQUIRED = ("PayloadIdentifier", "PayloadUUID", "PayloadType", "PayloadVersion")
COMMON: dict[str, str | tuple[str, ...]] = {
    "PayloadIdentifier": "string",
    "PayloadUUID": "string",
    "PayloadType": "string",
    "PayloadVersion": "integer",
    "PayloadDescription": "string",
    "PayloadDisplayName": "string",
    "PayloadOrganization": "string",
    "PayloadEnabled": "boolean",
}


class ProfileReadError(ProfilegenError):
    """The file is not a profile that can be read; `line`, where the place is known."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class ProfileFile:
    path: Path
    profile: dict
    content: bytes  # the plist itself; inside the signature when signed
    format: str  # "xml" or "binary"
    signer: Any = None  # the signer's certificate, not yet verified
    signed: bytes | None = None  # the whole signed file, where it is signed


@dataclass(frozen=True)
class Found:
    """A setting as a profile holds it, and where."""

    setting: Setting
    payload: int
    path: tuple  # key path from the top of the plist
    style: str  # "direct" or "mcx"


@dataclass(frozen=True)
class Problem:
    level: str  # "error", "warning" or "info"
    code: str  # stable: PG1xx profile structure, PG2xx catalog keys, PG3xx Apple payloads, PG4xx signature
    message: str
    path: tuple = field(default=())


def unwrap(data: bytes) -> bytes:
    """A signed profile's DER from its PEM form (-----BEGIN PKCS7----- or CMS, as openssl writes
    it with -outform PEM); anything else as it is."""
    import base64
    import binascii

    found = re.match(rb"\s*-----BEGIN (PKCS7|CMS)-----\s+(.*?)-----END \1-----\s*$", data, re.S)
    if found is None:
        return data
    try:
        return base64.b64decode(b"".join(found.group(2).split()), validate=True)
    except binascii.Error:
        return data


def signed_content(data: bytes, path: Path):
    """The signed profile in data (profilegen.reading.cms.Signed), its file named in any error."""
    from profilegen.reading import cms

    try:
        return cms.extract(data)
    except cms.VerificationError as e:
        raise ProfileReadError(f"{path}: {e}") from None


def is_signed(data: bytes) -> bool:
    """CMS ContentInfo starts with a SEQUENCE (0x30) holding the signedData OID."""
    return data[:1] == b"\x30" and b"\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02" in data[:40]


def parse_plist(data: bytes, path: Path) -> Any:
    """A property list as macOS reads it: XML may start with a byte-order mark, white space, a
    DOCTYPE or a comment; a malformed one is reported with its line and column."""
    from xml.parsers.expat import ExpatError

    text = data.removeprefix(b"\xef\xbb\xbf")
    fmt = plistlib.FMT_XML if text.lstrip().startswith(b"<") else None
    try:
        value = plistlib.loads(text.lstrip() if fmt else data, fmt=fmt)
    except ExpatError as e:
        # Count lines in the file as given: stripped white space shifts them.
        line = e.lineno + data[: len(data) - len(text.lstrip())].count(b"\n")
        raise ProfileReadError(
            f"{path}:{line}:{e.offset + 1}: not a well-formed property list: {e.args[0].split(':')[0]}", line
        ) from None
    except Exception:  # plistlib raises several kinds for malformed input, RecursionError among them
        found = _xml_plist_problem(data) if fmt else None
        if found:
            why, line, column = found
            raise ProfileReadError(f"{path}:{line}:{column}: not a property list: {why}", line) from None
        raise ProfileReadError(f"{path} is not a property list (XML, binary or signed)") from None
    if not bounded(value, MAX_LEVELS, MAX_VALUES):
        raise ProfileReadError(
            f"{path} nests or repeats its values beyond what a profile holds "
            f"(more than {MAX_LEVELS} levels or {MAX_VALUES:,} values, counted as read)"
        )
    odd = _odd_key(value)
    if odd is not None:
        key, where = odd
        raise ProfileReadError(
            f"{path}: a dictionary key that isn't text ({type_name(key)} {key!r}) at {where or 'the top level'}; "
            "a property list's keys are strings, and macOS reads no other"
        )
    return value


_ELEMENTS = {"plist", "dict", "array", "key", "string", "integer", "real", "true", "false", "date", "data"}
_TEXT = {"key", "string", "integer", "real", "date", "data"}  # elements that hold text, never another element


def _xml_plist_problem(data: bytes) -> tuple[str, int, int] | None:
    """Where well-formed XML stops being a property list, and why: an element a plist has no
    such thing as, a value its element can't hold (a template's placeholder in an <integer>, bad
    base64), a dictionary whose keys and values don't alternate. (line, column) of the element."""
    import base64
    import binascii
    import datetime
    from xml.parsers import expat

    parser = expat.ParserCreate()
    stack: list[list] = []  # [name, text, line, column, children]
    found: list[tuple[str, int, int]] = []

    def start(name, attrs):
        where = (parser.CurrentLineNumber, parser.CurrentColumnNumber + 1)
        if not found and name not in _ELEMENTS:
            found.append((f"<{name}> is not an element of a property list", *where))
        if stack:
            parent = stack[-1]
            if not found and parent[0] in _TEXT:  # as `<string>Manual/string>` leaves it
                found.append(
                    (f"<{parent[0]}> holds a <{name}>: its closing </{parent[0]}> is missing or mistyped", *parent[2:4])
                )
            if not found and parent[0] == "dict" and (name == "key") != (len(parent[4]) % 2 == 0):
                wanted = "a <key>" if len(parent[4]) % 2 == 0 else "the value of the <key> before it"
                found.append((f"<dict> has a <{name}> where {wanted} belongs", *where))
            parent[4].append(name)
        stack.append([name, "", *where, []])

    def text(chunk):
        if stack:
            stack[-1][1] += chunk

    def end(name):
        element, content, line, column, children = stack.pop()
        value = content.strip()
        problem = None
        if element == "integer" and not re.fullmatch(r"[+-]?(0x[0-9a-fA-F]+|[0-9]+)", value):
            problem = f"<integer> holds {value[:40]!r}, not a whole number"
        elif element == "real":
            try:
                float(value)
            except ValueError:
                problem = f"<real> holds {value[:40]!r}, not a number"
        elif element == "data":
            try:
                base64.b64decode("".join(value.split()), validate=True)
            except (binascii.Error, ValueError):
                problem = "<data> holds something that isn't base64"
        elif element == "date":
            try:
                datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
            except ValueError:
                problem = f"<date> holds {value[:40]!r}, not a date such as 2026-12-31T18:00:00Z"
        elif element == "dict" and len(children) % 2:
            problem = "<dict> ends with a <key> that has no value"
        if problem and not found:
            found.append((problem, line, column))

    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text
    try:
        parser.Parse(data, True)
    except expat.ExpatError as e:  # plistlib stopped first; what went wrong before this is the cause
        if not found:
            return f"not well-formed: {e.args[0].split(':')[0]}", e.lineno, e.offset + 1
    return found[0] if found else None


def _odd_key(value: Any) -> tuple[Any, str] | None:
    """The first dictionary key that isn't a string, and where it is; None when every key is text.
    (A binary plist made by hand may key a dictionary by data or a number.)"""
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        item, where = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                if not isinstance(key, str):
                    return key, where
                stack.append((child, f"{where}.{key}" if where else key))
        elif isinstance(item, list):
            stack += [(child, f"{where}[{i}]") for i, child in enumerate(item)]
    return None


MAX_LEVELS = 64  # deeper than any payload Apple documents, far short of Python's recursion limit
MAX_VALUES = 100_000  # a binary plist can name one array many times: counted each time it is read


def read(path: Path) -> ProfileFile:
    try:
        data = unwrap(inputs.read(path))
    except OSError as e:
        raise ProfileReadError(f"{path} can't be read: {e.strerror}") from None
    signer, whole = None, None
    if is_signed(data):
        signed = signed_content(data, path)
        whole, data, signer = data, signed.content, signed.signer
    profile = parse_plist(data, path)
    if not isinstance(profile, dict):
        raise ProfileReadError(f"{path} is a property list but not a dictionary")
    kind = "binary" if data.startswith(b"bplist") else "xml"
    return ProfileFile(Path(path), profile, data, kind, signer, whole)


def payloads(profile: dict) -> list:
    """The top-level PayloadContent, or nothing where it isn't an array (check reports that)."""
    content = profile.get("PayloadContent")
    return content if isinstance(content, list) else []


def settings(profile: dict) -> list[Found]:
    """Every preference a profile sets, in either payload form."""
    found = []
    for i, payload in enumerate(payloads(profile)):
        if not isinstance(payload, dict):
            continue
        kind = payload.get("PayloadType")
        base = ("PayloadContent", i)
        if kind == MCX and isinstance(payload.get("PayloadContent"), dict):
            for domain, forms in payload["PayloadContent"].items():
                for form, entries in forms.items() if isinstance(forms, dict) else ():
                    for j, entry in enumerate(entries if isinstance(entries, list) else []):
                        prefs = entry.get("mcx_preference_settings") if isinstance(entry, dict) else None
                        for key, value in prefs.items() if isinstance(prefs, dict) else ():
                            path = (*base, "PayloadContent", domain, form, j, "mcx_preference_settings", key)
                            found.append(Found(Setting(domain, key, value), i, path, "mcx"))
        elif isinstance(kind, str):
            for key, value in payload.items():
                if key not in COMMON:
                    found.append(Found(Setting(kind, key, value), i, (*base, key), "direct"))
    return found


CERTIFICATES = ("com.apple.security.root", "com.apple.security.pkcs1", "com.apple.security.pem")
PROFILE_SERVICE = "Profile Service"


def describe(pf: ProfileFile, catalog: Catalog) -> dict:
    """What `profilegen inspect` shows: metadata, payloads, and each setting in words; JSON-safe."""
    profile = pf.profile
    described = []
    all_settings = settings(profile)
    for i, payload in enumerate(payloads(profile)):
        if not isinstance(payload, dict):
            continue
        items = []
        for s in (f.setting for f in all_settings if f.payload == i):
            if s.key == "PayloadContent" and payload.get("PayloadType") in CERTIFICATES:
                continue  # shown as the certificate it holds
            pref = _known(catalog, s.key)
            known = pref is not None and s.domain in pref.domains
            meaning = None
            if known and type_name(s.value) == pref.type and not pref.problem(s.value):
                meaning = pref.title_of(s.value)
            items.append(
                {
                    "domain": s.domain,
                    "key": s.key,
                    "value": plain(s.value),
                    "title": pref.title if known else None,
                    "meaning": meaning,
                    "known": known,
                    "spelling_of": pref.key if known and pref.key != s.key else None,
                }
            )
        entry = {
            "type": plain(payload.get("PayloadType")),
            "identifier": plain(payload.get("PayloadIdentifier")),
            "uuid": plain(payload.get("PayloadUUID")),
            "display_name": plain(payload.get("PayloadDisplayName")),
            "settings": items,
        }
        if payload.get("PayloadType") in CERTIFICATES:
            entry["certificate"] = _certificate(payload.get("PayloadContent"))
        described.append(entry)
    result = {
        "file": str(pf.path),
        "format": pf.format,
        "signed": pf.signer is not None,
        "signer": pf.signer.subject.rfc4514_string() if pf.signer is not None else None,
        "metadata": {k: plain(v) for k, v in profile.items() if k != "PayloadContent"},
        "payloads": described,
    }
    if profile.get("PayloadType") == PROFILE_SERVICE and isinstance(profile.get("PayloadContent"), dict):
        content = profile["PayloadContent"]
        result["profile_service"] = {  # the challenge is a secret: only whether there is one
            "url": plain(content.get("URL")),
            "device_attributes": plain(content.get("DeviceAttributes")),
            "challenge": "Challenge" in content,
        }
    return result


def _certificate(data: Any) -> dict | None:
    """Subject, issuer and expiry of a certificate payload's content (DER or PEM)."""
    if not isinstance(data, bytes):
        return None
    try:
        from cryptography import x509

        cert = (
            x509.load_pem_x509_certificate(data)
            if data.lstrip().startswith(b"-----BEGIN")
            else x509.load_der_x509_certificate(data)
        )
    except Exception:  # cryptography raises several kinds for what isn't a certificate
        return {"error": "not a readable certificate"}
    return {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "not_after": cert.not_valid_after_utc.isoformat(),
    }


plain = json_value  # the one JSON form of a plist value


LONG = 20  # entries of a dictionary or array shown before the rest is counted
TEXT = 200  # characters of a string shown before the rest is counted


def plist_text(value: Any, indent: str = "", quote: bool = True) -> list[str]:
    """A value in plist terms, for people: true and false, "text", <date>...</date>, <data> in
    base64, dictionaries and arrays across indented lines; long ones cut, saying how much is left."""
    import base64
    import datetime
    import json

    more = indent + "  "
    if value is None:
        return ["not set"]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, str):
        cut = f" ... ({len(value) - TEXT} more characters)" if len(value) > TEXT else ""
        if quote:
            return [json.dumps(value[:TEXT], ensure_ascii=False) + cut]
        first, *rest = (value[:TEXT] + cut).splitlines() or [""]
        return [first, *(more + line for line in rest)]
    if isinstance(value, datetime.datetime):
        return [f"<date>{value.strftime('%Y-%m-%dT%H:%M:%SZ')}</date>"]
    if isinstance(value, bytes):
        text = base64.b64encode(value[:150]).decode()
        return [f"<data>{text}</data>" + (f" ... ({len(value) - 150} more bytes)" if len(value) > 150 else "")]
    if isinstance(value, dict):
        if not value:
            return ["{}"]
        lines = ["{"]
        for i, (key, item) in enumerate(value.items()):
            if i == LONG:
                lines.append(f"{more}... ({len(value) - LONG} more keys)")
                break
            shown = plist_text(item, more, quote)
            lines.append(f"{more}{plist_text(key)[0]}: {shown[0]}")
            lines += shown[1:]
        return [*lines, indent + "}"]
    if isinstance(value, list):
        if not value:
            return ["[]"]
        lines = ["["]
        for i, item in enumerate(value):
            if i == LONG:
                lines.append(f"{more}... ({len(value) - LONG} more items)")
                break
            shown = plist_text(item, more, quote)
            lines += [more + shown[0], *shown[1:]]
        return [*lines, indent + "]"]
    return [format_value(value)]


def text(value: Any, indent: str = "    ") -> str:
    """A value in plist terms for people, as `inspect` prints it (text unquoted)."""
    return "\n".join(plist_text(value, indent.removesuffix("  "), quote=False))


def lines(info: dict) -> list[str]:
    """`profilegen inspect` in words, from what `describe` gives."""
    signed = f", signed by {info['signer']} (not verified; see profilegen verify)" if info["signed"] else ""
    found = [f"{info['file']}: {info['format']} property list{signed}"]
    found += [f"  {key}: {text(value)}" for key, value in info["metadata"].items()]
    service = info.get("profile_service")
    if service:
        found += [
            f"  Profile Service URL: {service['url']}",
            f"  Device attributes: {', '.join(map(str, service['device_attributes'] or []))}",
            f"  Challenge: {'present (not shown)' if service['challenge'] else 'none'}",
        ]
    for i, payload in enumerate(info["payloads"], 1):
        found.append(f"Payload {i}: {payload['type']} ({payload['identifier']})")
        certificate = payload.get("certificate")
        if certificate:
            found += [f"  {name}: {value}" for name, value in certificate.items()]
        for s in payload["settings"]:
            words = (
                f"{s['title']}: {s['meaning'] or 'value not documented'}"
                if s["known"]
                else "not in profilegen's catalog"
            )
            domain = f"{s['domain']} " if s["domain"] != payload["type"] else ""
            found.append(f"  {domain}{s['key']} = {text(s['value'])}  [{words}]")
    return found


def _known(catalog: Catalog, key: str):
    """The catalog's preference for a key or another spelling of it, or None."""
    try:
        return catalog.preference(key)
    except SelectionError:
        return None


def _type_ok(value: Any, expected: str | tuple[str, ...]) -> bool:
    return type_name(value) in ((expected,) if isinstance(expected, str) else expected)


def check(pf: ProfileFile, catalog: Catalog, target=None) -> list[Problem]:
    """Apple's rules and the catalog's; with a target (profilegen.core.target.Target), also what those
    versions of Office and AutoUpdate don't read, as `build` warns of it."""
    from profilegen.core.target import unread

    profile = pf.profile
    problems: list[Problem] = []

    def error(code, message, *path):
        problems.append(Problem("error", code, message, path))

    def warn(code, message, *path):
        problems.append(Problem("warning", code, message, path))

    if pf.signed is not None:
        from profilegen.reading import cms

        verdict = cms.verify(pf.signed)
        if verdict.signature:
            error("PG400", f"the signature is not valid: {verdict.signature}")
    if profile.get("PayloadType") == PROFILE_SERVICE:
        _check_profile_service(profile, error)
        return problems
    encrypted = "EncryptedPayloadContent" in profile and "PayloadContent" not in profile
    for key in ("PayloadContent", "PayloadIdentifier", "PayloadUUID", "PayloadType", "PayloadVersion"):
        if key not in profile and not (key == "PayloadContent" and encrypted):
            error("PG100", f"required top-level key {key} is missing")
    if encrypted:
        problems.append(
            Problem(
                "info",
                "PG117",
                "the payloads are encrypted (EncryptedPayloadContent), for the device they were made for: not checked",
                ("EncryptedPayloadContent",),
            )
        )
    for key, value in profile.items():
        expected = TOP_LEVEL.get(key)
        if expected is None:
            warn("PG102", f"top-level key {key} is not in Apple's schema for profiles", key)
        elif not _type_ok(value, expected):
            error(
                "PG103",
                f"top-level {key} must be {' or '.join(expected) if isinstance(expected, tuple) else expected}, "
                f"not {type_name(value)}",
                key,
            )
    if profile.get("PayloadType", "Configuration") != "Configuration":
        error("PG104", f"top-level PayloadType must be Configuration, not {profile['PayloadType']!r}", "PayloadType")
    if type_name(profile.get("PayloadVersion")) == "integer" and profile["PayloadVersion"] != 1:  # else a type finding
        error(
            "PG105",
            f"top-level PayloadVersion must be the integer 1, not {profile['PayloadVersion']!r}",
            "PayloadVersion",
        )
    if "PayloadScope" in profile and profile["PayloadScope"] not in ("System", "User"):
        error("PG106", f"PayloadScope must be System or User, not {profile['PayloadScope']!r}", "PayloadScope")

    uuids: dict[str, tuple] = {}
    identifiers: dict[str, tuple] = {}
    for where, item in [((), profile)] + [(("PayloadContent", i), p) for i, p in enumerate(payloads(profile))]:
        name = "top-level" if not where else f"payload {where[1] + 1}"
        if not isinstance(item, dict):
            error("PG107", f"{name} must be a dictionary, not {type_name(item)}", *where)
            continue
        if where:
            for key in REQUIRED:
                if key not in item:
                    error(
                        "PG108", f"{name} ({item.get('PayloadType', 'no type')}): required key {key} is missing", *where
                    )
            for key, expected in COMMON.items():
                if key in item and not _type_ok(item[key], expected):
                    error("PG109", f"{name}: {key} must be {expected}, not {type_name(item[key])}", *where, key)
            if type_name(item.get("PayloadVersion")) == "integer" and item["PayloadVersion"] != 1:  # else PG109
                error(
                    "PG110",
                    f"{name}: PayloadVersion must be the integer 1, not {item['PayloadVersion']!r}",
                    *where,
                    "PayloadVersion",
                )
        value = item.get("PayloadUUID")
        if value == "":
            error("PG116", f"{name}: PayloadUUID is empty; generate one with uuidgen", *where, "PayloadUUID")
        elif isinstance(value, str):
            if value.upper() in uuids:
                error("PG111", f"{name}: PayloadUUID {value} is used twice", *where, "PayloadUUID")
            uuids[value.upper()] = where
            if not _is_uuid(value):
                warn(
                    "PG101",
                    f"{name}: PayloadUUID {value!r} is not a UUID; generate one with uuidgen",
                    *where,
                    "PayloadUUID",
                )
        ident = item.get("PayloadIdentifier")
        if isinstance(ident, str):
            if ident in identifiers and where and identifiers[ident] == ():
                # Apple only says payload identifiers are usually derived from the profile's.
                warn(
                    "PG113",
                    f"{name}: PayloadIdentifier {ident} is the profile's own; a payload's usually extends it",
                    *where,
                    "PayloadIdentifier",
                )
            elif ident in identifiers and where:
                error("PG112", f"{name}: PayloadIdentifier {ident} is used twice", *where, "PayloadIdentifier")
            identifiers.setdefault(ident, where)
            if not re.fullmatch(r"[A-Za-z0-9_.-]+", ident):
                warn(
                    "PG114",
                    f"{name}: PayloadIdentifier {ident!r} is not reverse-DNS (spaces or other characters)",
                    *where,
                    "PayloadIdentifier",
                )
        if where and item.get("PayloadType") == MCX:
            _check_mcx(item.get("PayloadContent"), (*where, "PayloadContent"), name, error)
        elif where and str(item.get("PayloadType", "")).startswith("com.apple."):
            _check_apple(item, where, name, problems)

    domains = {d.domain for d in catalog.domains.values()}
    warned_domains = set()
    for found in settings(profile):
        s, path = found.setting, found.path
        pref = _known(catalog, s.key)
        if pref is not None and pref.key != s.key:
            warn("PG200", f"{s.domain}: {s.key} is not Microsoft's spelling; Microsoft documents {pref.key}", *path)
        if not s.domain.startswith("com.microsoft."):
            # Another vendor's key of the same name (Chrome's UpdateCheckInterval, a firewall's
            # Applications) is that vendor's, not profilegen's to judge.
            if not s.domain.startswith("com.apple.") and s.domain not in warned_domains:
                warned_domains.add(s.domain)
                problems.append(
                    Problem(
                        "info", "PG208", f"{s.domain} is not a payload profilegen has facts for; not checked", path[:2]
                    )
                )
            continue
        if pref is not None:
            if s.domain not in pref.domains:
                error(
                    "PG201",
                    f"{s.domain}: {s.key} is not documented for this domain; it applies to {', '.join(pref.domains)}",
                    *path,
                )
            elif not _type_ok(s.value, pref.type):
                kind = type_name(s.value)
                shown = format_value(s.value) if isinstance(s.value, bool) else repr(s.value)
                error(
                    "PG202",
                    f"{s.domain}: {s.key} is {a_or_an(kind)} {kind} ({shown}); "
                    f"expected {a_or_an(pref.type)} {pref.type}, one of {pref.allowed}",
                    *path,
                )
            elif pref.old_name(s.value):
                warn(
                    "PG204",
                    f"{s.domain}: {s.key} = {s.value} is an old name of {pref.old_name(s.value)}, "
                    "which Microsoft documents now",
                    *path,
                )
            elif pref.problem(s.value):
                error("PG203", f"{s.domain}: {s.key} = {pref.problem(s.value)}", *path)
            elif target is not None and (why := unread(catalog, Setting(s.domain, pref.key, s.value), target)):
                warn("PG209", f"{s.domain}: {s.key}: {why}", *path)
            elif pref.structure:
                from profilegen.catalog.facts import findings

                for level, code, message, _ in findings(s.value, pref.structure):
                    if level == "warning":
                        warn(code, f"{s.domain}: {s.key} = {message}", *path)
        elif never := catalog.never(s.key, s.domain):
            warn("PG207", never.message(), *path)
        elif s.domain in domains:
            warn("PG205", f"{s.domain}: {s.key} is not in profilegen's catalog; not checked", *path)
        elif s.domain.startswith("com.microsoft.") and s.domain not in warned_domains:
            warned_domains.add(s.domain)
            warn("PG206", f"{s.domain} is not in profilegen's catalog; its keys are not checked", *path[:2])
    return problems


@functools.cache
def apple_facts() -> dict:
    """Apple's payload schema as facts (payloads/apple-payloads.json, made by tools/apple_facts.py)."""
    import json

    from profilegen.catalog.loading import payloads_dir

    return json.loads((payloads_dir() / "apple-payloads.json").read_text(encoding="utf-8"))


def _check_apple(payload: dict, where: tuple, name: str, problems: list) -> None:
    """A com.apple.* payload against Apple's schema: key types, allowed values, required and unknown keys.

    Apple marks some keys required that have alternatives (TCC's Allowed or Authorization), so a
    missing one is a warning; a wrong type or value is an error.
    """
    from profilegen.catalog import facts

    kind = payload.get("PayloadType")
    spec = apple_facts()["payloads"].get(kind)
    if spec is None:
        problems.append(
            Problem(
                "info",
                "PG300",
                f"{name}: {kind} is not in profilegen's table of Apple's payloads; its keys are not checked",
                where,
            )
        )
        return
    for level, code, message, path in facts.findings(payload, {"type": "dictionary", **spec}, "", where, COMMON):
        problems.append(Problem(level, code, f"{name} ({kind}): {message}", path))


def _check_profile_service(profile: dict, error) -> None:
    """Over-the-air enrolment (Apple's Profile Service): a dictionary with the URL the device answers,
    the device attributes it sends, and an optional challenge."""
    for key, kind in (
        ("PayloadIdentifier", "string"),
        ("PayloadUUID", "string"),
        ("PayloadVersion", "integer"),
        ("PayloadContent", "dictionary"),
    ):
        if key not in profile:
            error("PG130", f"Profile Service: required key {key} is missing")
        elif not _type_ok(profile[key], kind):
            error("PG130", f"Profile Service: {key} must be {kind}, not {type_name(profile[key])}", key)
    if type_name(profile.get("PayloadVersion")) == "integer" and profile["PayloadVersion"] != 1:  # else a type finding
        error(
            "PG130",
            f"Profile Service: PayloadVersion must be the integer 1, not {profile['PayloadVersion']!r}",
            "PayloadVersion",
        )
    content = profile.get("PayloadContent")
    if not isinstance(content, dict):
        return
    url = content.get("URL")
    if not isinstance(url, str) or not url.startswith("https://"):
        error(
            "PG131",
            f"Profile Service: PayloadContent URL must be an https:// URL, not {url!r}",
            "PayloadContent",
            "URL",
        )
    attributes = content.get("DeviceAttributes")
    if not isinstance(attributes, list) or not all(isinstance(a, str) for a in attributes):
        error(
            "PG132",
            "Profile Service: PayloadContent DeviceAttributes must be an array of strings",
            "PayloadContent",
            "DeviceAttributes",
        )
    if "Challenge" in content and not isinstance(content["Challenge"], str):
        error("PG133", "Profile Service: PayloadContent Challenge must be a string", "PayloadContent", "Challenge")


def _check_mcx(content, path, name, error) -> None:
    if not isinstance(content, dict):
        error("PG120", f"{name}: {MCX} needs PayloadContent as a dictionary of preference domains", *path)
        return
    for domain, forms in content.items():
        if not isinstance(forms, dict):
            error("PG121", f"{name}: {domain} must be a dictionary with Forced or Set-Once", *path, domain)
            continue
        for form, entries in forms.items():
            if form not in ("Forced", "Set-Once"):
                error("PG122", f"{name}: {domain} has {form!r}; expected Forced or Set-Once", *path, domain, form)
            elif not isinstance(entries, list) or not all(
                isinstance(e, dict) and isinstance(e.get("mcx_preference_settings"), dict) for e in entries
            ):
                error(
                    "PG123",
                    f"{name}: {domain} {form} must be an array of dictionaries holding mcx_preference_settings",
                    *path,
                    domain,
                    form,
                )


def _is_uuid(text: str) -> bool:
    try:
        return len(text) == 36 and uuid.UUID(text) is not None
    except ValueError:
        return False


def lines_of(xml: bytes) -> Callable[[tuple], int | None]:
    """A function that gives the source line of the key at a path in an XML plist (lxml keeps
    source lines): the file is parsed once, and each node's children listed once, however
    many problems `check` finds in it."""
    from lxml import etree

    text = xml.removeprefix(b"\xef\xbb\xbf")
    shift = text[: len(text) - len(text.lstrip())].count(b"\n")  # lines of white space before the XML
    try:
        root = etree.fromstring(text.lstrip(), etree.XMLParser(resolve_entities=False, no_network=True)).find("dict")
    except etree.XMLSyntaxError:
        return lambda path: None
    listed: dict[int, tuple[list, dict[str, int]]] = {}

    def children(node) -> tuple[list, dict[str, int]]:
        if id(node) not in listed:
            elements = [c for c in node if isinstance(c.tag, str)]
            keys: dict[str, int] = {}
            for i, c in enumerate(elements):
                if c.tag == "key" and c.text is not None:
                    keys.setdefault(c.text, i)
            listed[id(node)] = (elements, keys)
        return listed[id(node)]

    def locate(path: tuple) -> int | None:
        node, line = root, None
        for step in path:
            if node is None:
                break
            elements, keys = children(node)
            if isinstance(step, int):
                if node.tag != "array" or step >= len(elements):
                    break
                node = elements[step]
                line = node.sourceline
            else:
                at = keys.get(step)
                if node.tag != "dict" or at is None or at + 1 >= len(elements):
                    break
                line = elements[at].sourceline
                node = elements[at + 1]
        return line + shift if line else line

    return locate


# --- reports of `profilegen check`, for people and for tools -------------------------------

REPORTS = ("text", "json", "github", "sarif")
_SARIF_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


@dataclass(frozen=True)
class Finding:
    file: str
    line: int | None
    problem: Problem


# Every finding's code: a short description, and what to do about it (SARIF's rules carry both).
CODES = {
    "PG001": ("The file can't be read as a profile", "Give a profile: XML, binary or signed property list."),
    "PG100": ("A required top-level key is missing", "Add the key Apple's schema requires of every profile."),
    "PG101": ("A PayloadUUID isn't a UUID", "Generate one with uuidgen and keep it across updates."),
    "PG102": ("A top-level key isn't in Apple's schema", "Remove it, or check its spelling."),
    "PG103": ("A top-level key has the wrong type", "Write the value in the type Apple's schema gives."),
    "PG104": ("The top-level PayloadType isn't Configuration", "A configuration profile's type is Configuration."),
    "PG105": ("The top-level PayloadVersion isn't 1", "Set PayloadVersion to the integer 1."),
    "PG106": ("PayloadScope isn't System or User", "Use System or User, or leave PayloadScope out."),
    "PG107": ("A payload isn't a dictionary", "Each entry of PayloadContent is a dictionary."),
    "PG108": ("A payload lacks a required key", "Add PayloadIdentifier, PayloadType, PayloadUUID and PayloadVersion."),
    "PG109": ("A payload key has the wrong type", "Write the value in the type Apple's schema gives."),
    "PG110": ("A payload's PayloadVersion isn't 1", "Set PayloadVersion to the integer 1."),
    "PG111": ("A PayloadUUID is used twice", "Give each payload a UUID of its own."),
    "PG112": ("A PayloadIdentifier is used twice", "Give each payload an identifier of its own."),
    "PG113": ("A payload has the profile's own identifier", "Extend the profile's identifier for each payload."),
    "PG114": ("A PayloadIdentifier isn't reverse-DNS", "Use letters, digits, '-' and '_' between dots."),
    "PG116": ("A PayloadUUID is empty", "Generate one with uuidgen."),
    "PG117": ("The payloads are encrypted: not checked", "Check the profile before it is encrypted."),
    "PG120": ("An MCX payload's PayloadContent isn't a dictionary", "Key it by preference domain."),
    "PG121": ("An MCX domain isn't a dictionary", "Give each domain Forced or Set-Once."),
    "PG122": ("An MCX domain has an unknown form", "Use Forced or Set-Once."),
    "PG123": ("An MCX form isn't an array of settings", "Each entry holds mcx_preference_settings."),
    "PG130": ("A Profile Service key is missing or of the wrong type", "Follow Apple's enrolment schema."),
    "PG131": ("A Profile Service URL isn't https", "Enrol over https."),
    "PG132": ("A Profile Service DeviceAttributes entry is unknown", "Ask only for attributes Apple documents."),
    "PG133": ("A Profile Service Challenge isn't text", "Write the challenge as a string."),
    "PG200": ("An Office key isn't spelled as Microsoft documents it", "Use Microsoft's spelling."),
    "PG201": ("An Office key is set in a domain that doesn't read it", "Set it in the domains it is documented for."),
    "PG202": ("An Office key has the wrong type", "Write the value in the type the catalog gives."),
    "PG203": ("An Office key has a value it doesn't take", "Use one of the documented values."),
    "PG204": ("An Office value is an old name", "Write the current name."),
    "PG205": ("An Office key isn't in the catalog: not checked", "Check it against Microsoft's documentation."),
    "PG206": ("A Microsoft domain isn't in the catalog: not checked", "Check it against Microsoft's documentation."),
    "PG207": ("A key Microsoft says never to set", "Remove it from the profile."),
    "PG208": ("Another vendor's payload: not checked", "Check it against that vendor's documentation."),
    "PG209": ("A setting the target versions don't read", "Set what the source names instead, or drop it."),
    "PG300": ("An Apple payload type profilegen has no facts for: not checked", "Check it against Apple's schema."),
    "PG301": ("A key Apple's schema requires is missing", "Add it."),
    "PG302": ("A value has the wrong type for Apple's schema", "Write it in the type Apple's schema gives."),
    "PG303": ("A value isn't one Apple's schema allows", "Use one of the allowed values."),
    "PG304": ("A key isn't in Apple's schema", "Remove it, or check its spelling."),
    "PG305": ("A deprecated key", "Remove it: it no longer applies."),
    "PG400": ("The signature isn't valid", "Sign the profile again; verify says which part failed."),
}


def _github(text: str, property: bool = False) -> str:
    """Text in a GitHub workflow command: %, CR and LF escaped, and in a property also : and , so
    that a file name can't end the command or forge a second one."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property else text


def _sarif_uri(file: str, base: Path | None = None) -> str:
    """A file as a SARIF artifact URI: relative to base (the current folder), percent-encoded from its bytes."""
    import os
    from urllib.parse import quote

    relative = os.path.relpath(file, base or Path.cwd())
    return quote(os.fsencode(Path(relative).as_posix()))


def report(checked: list[str], findings: list[Finding], fmt: str, base: Path | None = None) -> str:
    """The findings of `check` on these files, as text, JSON, GitHub annotations or SARIF 2.1.0."""
    import json

    if fmt == "json":
        from profilegen import __version__

        return json.dumps(
            {
                "profilegen_version": __version__,
                "checked": checked,
                "findings": [
                    {
                        "file": f.file,
                        "line": f.line,
                        "level": f.problem.level,
                        "code": f.problem.code,
                        "message": f.problem.message,
                    }
                    for f in findings
                ],
            },
            indent=2,
            ensure_ascii=True,  # valid whatever bytes the file names hold
        )
    if fmt == "github":
        kinds = {"error": "error", "warning": "warning", "info": "notice"}
        return "\n".join(
            f"::{kinds[f.problem.level]} file={_github(f.file, True)}{f',line={f.line}' if f.line else ''},"
            f"title={f.problem.code}::{_github(f.problem.message)}"
            for f in findings
        )
    if fmt == "sarif":
        from profilegen import __version__

        rules = sorted({f.problem.code for f in findings})
        return json.dumps(
            {
                "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
                "version": "2.1.0",
                "runs": [
                    {
                        "tool": {
                            "driver": {
                                "name": "profilegen",
                                "version": __version__,
                                "rules": [
                                    {
                                        "id": code,
                                        "shortDescription": {"text": CODES.get(code, (code, ""))[0]},
                                        "help": {"text": CODES.get(code, ("", code))[1]},
                                    }
                                    for code in rules
                                ],
                            }
                        },
                        "results": [
                            {
                                "ruleId": f.problem.code,
                                "ruleIndex": rules.index(f.problem.code),
                                "level": _SARIF_LEVELS[f.problem.level],
                                "message": {"text": f.problem.message},
                                "locations": [
                                    {
                                        "physicalLocation": {
                                            "artifactLocation": {"uri": _sarif_uri(f.file, base)},
                                            **({"region": {"startLine": f.line}} if f.line else {}),
                                        }
                                    }
                                ],
                            }
                            for f in findings
                        ],
                    }
                ],
            },
            indent=2,
            ensure_ascii=True,
        )
    found = {f.file for f in findings}
    lines = [
        f"{f.file}{f':{f.line}' if f.line else ''}: {f.problem.level}: {f.problem.message} [{f.problem.code}]"
        for f in findings
        if f.problem.code != "PG001"
    ]
    return "\n".join(lines + [f"{file}: no problems found" for file in checked if file not in found])
