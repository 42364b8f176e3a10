"""Describing a profile (`profilegen inspect`): its details, payloads, settings with what the
catalog knows of them, certificates and signer, as JSON and as lines of text; and any plist
value as people read it.
"""

from __future__ import annotations

from typing import Any

from profilegen.catalog.model import Catalog
from profilegen.catalog.values import format_value, json_value, type_name
from profilegen.reading.profiles import PROFILE_SERVICE, ProfileFile, payloads, preference_of, settings

CERTIFICATES = ("com.apple.security.root", "com.apple.security.pkcs1", "com.apple.security.pem")


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
            pref = preference_of(catalog, s.key)
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
