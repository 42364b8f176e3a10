"""The .mobileconfig renderer, checked against Apple's schema and the seed's own commands."""

import plistlib
import re
import uuid

import pytest

from profilegen.catalog import loading as catalog_module
from profilegen.core.request import Profile
from profilegen.core.selection import resolve
from profilegen.formats import mobileconfig

import apple_schema
import seed
from conftest import shared
from helpers import FLAG_TYPES, PYTHON_TYPES

PRESETS = list(catalog_module.load().presets)


def build(catalog, **kwargs) -> dict:
    out = mobileconfig.render(resolve(catalog, **kwargs), catalog)
    assert len(out) == 1 and out[0].path.endswith(".mobileconfig")
    return plistlib.loads(out[0].data)


@pytest.mark.reference
def test_the_schema_check_catches_real_defects():
    with shared("reference", "real-profiles", "rtrouton__DisableOffice2016Telemetry.mobileconfig").open("rb") as f:
        broken = plistlib.load(f)
    assert "profile: key PayloadEnabled is not in Apple's schema" in apple_schema.problems(broken)
    assert apple_schema.problems({"PayloadType": "Configuration"})


def test_the_schema_check_catches_each_kind_of_defect(catalog):
    """On any clone: the facts in tests/data are enough to fail a profile that departs from them."""
    good = build(catalog, preset="manual-updates")
    assert apple_schema.problems(good) == []
    for change, expected in [
        (lambda p: p.update(PayloadEnabled=True), "profile: key PayloadEnabled is not in Apple's schema"),
        (lambda p: p.pop("PayloadUUID"), "profile: required key PayloadUUID is missing"),
        (lambda p: p.update(PayloadVersion="1"), "profile.PayloadVersion: expected <integer>, got str"),
        (lambda p: p.update(PayloadScope="Device"), "profile.PayloadScope: 'Device' not in"),
        (lambda p: p["PayloadContent"][0].update(PayloadVersion=2), "PayloadContent[0].PayloadVersion: 2 not in [1]"),
        (
            lambda p: p["PayloadContent"][0].pop("PayloadIdentifier"),
            "PayloadContent[0]: required key PayloadIdentifier is missing",
        ),
    ]:
        broken = build(catalog, preset="manual-updates")
        change(broken)
        assert any(expected in problem for problem in apple_schema.problems(broken)), expected


@pytest.mark.parametrize("preset", PRESETS)
def test_every_preset_passes_apples_schema(catalog, preset):
    profile = build(catalog, preset=preset)
    assert apple_schema.problems(profile) == []
    for payload in profile["PayloadContent"]:
        domain = payload["PayloadType"]
        for key, value in payload.items():
            if not key.startswith("Payload"):
                pref = catalog.preferences[key]
                assert domain in pref.domains
                assert type(value) is PYTHON_TYPES[pref.type]


@pytest.mark.reference
def test_the_offline_profile_carries_every_documented_command(catalog):
    profile = build(catalog, preset="volume-license-offline")
    payloads = {p["PayloadType"]: p for p in profile["PayloadContent"]}
    for domain, key, flag, value in seed.commands():
        written = payloads[domain][key]
        assert type(written) is PYTHON_TYPES[FLAG_TYPES[flag]]
        expected = {"FALSE": False, "TRUE": True}.get(value, value)
        assert str(written) == str(expected)
    assert payloads["com.microsoft.Word"]["UseOnlineContent"] == 0
    assert b"<integer>0</integer>" in plistlib.dumps(profile)


def test_identifiers_and_uuids(catalog):
    profile = build(catalog, preset="volume-license-offline", profile=Profile(identifier="com.example.office"))
    payloads = profile["PayloadContent"]
    identifiers = [profile["PayloadIdentifier"]] + [p["PayloadIdentifier"] for p in payloads]
    uuids = [profile["PayloadUUID"]] + [p["PayloadUUID"] for p in payloads]
    domains = {s.domain for s in catalog.presets["volume-license-offline"].values}
    assert len(set(identifiers)) == len(identifiers) == 1 + len(domains)
    assert len(set(uuids)) == len(uuids)
    for value in uuids:
        assert str(uuid.UUID(value)).upper() == value
    assert all(i.startswith("com.example.office.") for i in identifiers[1:])
    again = build(catalog, preset="manual-updates", profile=Profile(identifier="com.example.office"))
    assert again["PayloadUUID"] == profile["PayloadUUID"], "same identifier, same profile UUID"
    other = build(catalog, preset="volume-license-offline", profile=Profile(identifier="com.example.other"))
    assert other["PayloadUUID"] != profile["PayloadUUID"]


def test_profile_details(catalog):
    profile = build(catalog, preset="manual-updates")
    assert profile["PayloadScope"] == "System"
    assert "PayloadRemovalDisallowed" not in profile
    assert "PayloadOrganization" not in profile
    profile = build(
        catalog,
        preset="manual-updates",
        profile=Profile(
            scope="user",
            removal_disallowed=True,
            organization="Example Corp",
            display_name="Office updates",
            description="Updates by IT",
        ),
    )
    assert profile["PayloadScope"] == "User"
    assert profile["PayloadRemovalDisallowed"] is True
    assert profile["PayloadOrganization"] == "Example Corp"
    assert profile["PayloadContent"][0]["PayloadOrganization"] == "Example Corp"
    assert (profile["PayloadDisplayName"], profile["PayloadDescription"]) == ("Office updates", "Updates by IT")
    assert apple_schema.problems(profile) == []


def test_payloads_say_in_words_what_they_do(catalog):
    profile = build(catalog, preset="crash-reports-only")
    errors = next(p for p in profile["PayloadContent"] if p["PayloadType"] == "com.microsoft.errorreporting")
    assert "Microsoft Error Reporting" in errors["PayloadDisplayName"]
    assert re.search(r"[Nn]ever attach documents.*IsAttachFilesEnabled = false", errors["PayloadDescription"])
    assert "IsMerpEnabled = true" in errors["PayloadDescription"]
    assert "crash" in profile["PayloadDescription"].lower()


def test_same_inputs_same_bytes(catalog):
    a = mobileconfig.render(resolve(catalog, preset="volume-license-offline"), catalog)[0].data
    b = mobileconfig.render(resolve(catalog, preset="volume-license-offline"), catalog)[0].data
    assert a == b
