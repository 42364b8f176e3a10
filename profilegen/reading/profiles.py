"""Reading any .mobileconfig: XML, binary, signed (DER, BER or PEM), direct or MCX style, with
the settings it holds and where; a file that isn't a profile says why, and where.
"""

from __future__ import annotations

import plistlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from profilegen import inputs
from profilegen.catalog.model import Catalog, Setting
from profilegen.catalog.values import bounded, type_name
from profilegen.errors import ProfilegenError, SelectionError

MCX = "com.apple.ManagedClient.preferences"
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
PROFILE_SERVICE = "Profile Service"


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


def preference_of(catalog: Catalog, key: str):
    """The catalog's preference for a key or another spelling of it, or None."""
    try:
        return catalog.preference(key)
    except SelectionError:
        return None
