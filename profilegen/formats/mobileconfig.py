"""The .mobileconfig renderer: one Configuration profile, one payload per preference domain."""

from __future__ import annotations

import hashlib
from typing import Any

from profilegen.catalog.model import Catalog, Setting
from profilegen.catalog.values import format_value
from profilegen.core.registry import Output
from profilegen.core.selection import Selection
from profilegen.formats import plist

# UUIDs are derived from the identifiers, so rebuilding a profile keeps its
# PayloadUUIDs and macOS updates the installed payloads in place.
NAMESPACE = bytes.fromhex("5f0c6d2e6d1b4a8e9a570b5f3c2d7e41")


def stable_uuid(name: str) -> str:
    """uuid.uuid5(NAMESPACE, name), upper case, computed as RFC 4122 section 4.3 says: the uuid
    module's objects cost a profile of a batch more than the hash does."""
    digest = bytearray(hashlib.sha1(NAMESPACE + name.encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # the RFC 4122 variant
    text = digest.hex().upper()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def payload(selection: Selection, catalog: Catalog, domain: str, settings: list[Setting]) -> dict:
    """One domain's payload: PayloadType = the domain with the keys inline, or the legacy
    com.apple.ManagedClient.preferences form that Jamf Pro keeps from an uploaded profile."""
    identifier = f"{selection.profile.identifier}.{domain}"
    mcx = selection.profile.payload_style == "mcx"
    result: dict[str, Any] = {
        "PayloadType": "com.apple.ManagedClient.preferences" if mcx else domain,
        "PayloadVersion": 1,
        "PayloadIdentifier": identifier,
        # Another payload type under the same identifier needs its own UUID.
        "PayloadUUID": stable_uuid(identifier + ("/mcx" if mcx else "")),
        "PayloadDisplayName": f"{catalog.domains[domain].name} ({domain})",
        "PayloadDescription": " ".join(
            f"{catalog.preferences[s.key].title}: "
            f"{catalog.preferences[s.key].title_of(s.value)} ({s.key} = {format_value(s.value)})."
            for s in settings
        ),
    }
    if selection.profile.organization:
        result["PayloadOrganization"] = selection.profile.organization
    values = {s.key: s.value for s in settings}
    if mcx:
        result["PayloadContent"] = {domain: {"Forced": [{"mcx_preference_settings": values}]}}
    else:
        result.update(values)
    return result


def profile(selection: Selection, catalog: Catalog) -> dict:
    details = selection.profile
    assert details.identifier is not None  # resolved: every field but organization set
    result: dict[str, Any] = {
        "PayloadContent": [
            payload(selection, catalog, domain, settings) for domain, settings in selection.domains().items()
        ],
        "PayloadDisplayName": details.display_name,
        "PayloadDescription": details.description,
        "PayloadIdentifier": details.identifier,
        "PayloadType": "Configuration",
        "PayloadUUID": stable_uuid(details.identifier),
        "PayloadVersion": 1,
    }
    if details.scope != "None":
        result["PayloadScope"] = details.scope
    if details.organization:
        result["PayloadOrganization"] = details.organization
    if details.removal_disallowed:
        result["PayloadRemovalDisallowed"] = True
    return result


def render(selection: Selection, catalog: Catalog) -> list[Output]:
    data = plist.dumps(profile(selection, catalog))
    return [Output(f"{selection.name}.mobileconfig", "mobileconfig", data)]
