"""Checking a profile (`profilegen check`).

Apple's rules for profiles (required keys and their types, PayloadVersion 1, PayloadType
Configuration, unique UUIDs and identifiers, PayloadScope values, and the payload types of
Apple's schema) and the catalog's rules for Office keys (type, value, domain, and what the
target reads). Each problem carries the path of the key it is about, so that XML files can be
reported with the line the key is on.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from profilegen.catalog.model import Catalog, Setting
from profilegen.catalog.values import a_or_an, format_value, type_name
from profilegen.reading.profiles import COMMON, MCX, PROFILE_SERVICE, ProfileFile, payloads, preference_of, settings

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


@dataclass(frozen=True)
class Problem:
    level: str  # "error", "warning" or "info"
    code: str  # stable: PG1xx profile structure, PG2xx catalog keys, PG3xx Apple payloads, PG4xx signature
    message: str
    path: tuple = field(default=())


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
        pref = preference_of(catalog, s.key)
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
