"""`import` from every form admins have, the round trip, `diff`, and several files at once."""

import json
import plistlib
import uuid

import pytest

from profilegen.catalog import loading as catalog_module

from conftest import run, shared

PRESETS = list(catalog_module.load().presets)
ID = ("--identifier", "com.example.office")


def imported(*args):
    result = run("import", *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def values(data):
    return {(s["domain"], s["key"]): s["value"] for s in data["settings"]}


# --- every form --------------------------------------------------------------------------------


def test_profiles_in_every_form(tmp_path, catalog):
    from pki import PKI

    leaf = PKI(tmp_path).leaf("import")
    built = run(
        "build",
        "-p",
        "volume-license-offline",
        "-o",
        tmp_path,
        "-f",
        "mobileconfig",
        *ID,
        "--organization",
        "Example",
        "--sign-cert",
        leaf.cert_pem,
        "--sign-key",
        leaf.key_pem,
    )
    assert built.returncode == 0, built.stderr
    xml = tmp_path / "volume-license-offline.mobileconfig"
    binary = tmp_path / "binary.mobileconfig"
    binary.write_bytes(plistlib.dumps(plistlib.loads(xml.read_bytes()), fmt=plistlib.FMT_BINARY))
    expected = {(s.domain, s.key): s.value for s in catalog.presets["volume-license-offline"].values}
    for path in (xml, binary, tmp_path / "volume-license-offline.signed.mobileconfig"):
        data = imported(path)
        assert values(data) == expected, path
        assert data["profile"]["identifier"] == "com.example.office" and data["profile"]["organization"] == "Example"
        assert not data["left_out"] and not data["converted"]


def test_jamf_plists_intune_files_and_defaults_output(tmp_path):
    assert (
        run("build", "-p", "volume-license-offline", "-o", tmp_path, "-f", "jamf-plist,intune-plist", *ID).returncode
        == 0
    )
    jamf = imported(*sorted((tmp_path / "volume-license-offline-jamf").glob("*.plist")))
    intune = imported(*sorted((tmp_path / "volume-license-offline-intune").glob("*.plist")))
    assert values(jamf) == values(intune) and ("com.microsoft.Word", "UseOnlineContent") in values(jamf)
    assert {f.split(" (")[1] for f in intune["files"]} == {"intune)"}

    exported = tmp_path / "export.plist"  # `defaults export com.microsoft.autoupdate2 -`
    exported.write_bytes(plistlib.dumps({"HowToCheck": "Manual", "LastUpdate": "2026-01-01"}))
    data = imported(exported, "--domain", "autoupdate")
    assert values(data) == {("com.microsoft.autoupdate2", "HowToCheck"): "Manual"}
    assert any("LastUpdate" in line for line in data["left_out"])

    read = tmp_path / "read.txt"  # `defaults read com.microsoft.autoupdate2`
    read.write_text(
        "{\n    ChannelName = Production;\n    HowToCheck = Manual;\n    SendAllTelemetryEnabled = 0;\n"
        '    UpdateCheckInterval = "240";\n    LastUpdate = "2026-01-01 10:00:00 +0000";\n'
        '    Applications = {\n        "/Applications/Microsoft Word.app" = { "Application ID" = MSWD2019; };\n'
        "    };\n}\n"
    )
    data = imported(read, "--domain", "com.microsoft.autoupdate2")
    assert values(data) == {
        ("com.microsoft.autoupdate2", "ChannelName"): "Current",
        ("com.microsoft.autoupdate2", "HowToCheck"): "Manual",
        ("com.microsoft.autoupdate2", "SendAllTelemetryEnabled"): False,
        ("com.microsoft.autoupdate2", "UpdateCheckInterval"): 240,
        ("com.microsoft.autoupdate2", "Applications"): {
            "/Applications/Microsoft Word.app": {"Application ID": "MSWD2019"}
        },
    }
    assert any("the integer 0 to the boolean false" in line for line in data["converted"])
    assert any("the string '240' to the integer 240" in line for line in data["converted"])
    assert any("Production" in line and "old name of Current" in line for line in data["warnings"])
    assert [line.split(" = ")[0] for line in data["left_out"]] == ["com.microsoft.autoupdate2 LastUpdate"]


def test_every_warning_and_nothing_guessed(tmp_path):
    profile = {
        "PayloadType": "Configuration",
        "PayloadVersion": 1,
        "PayloadIdentifier": "com.example.mine",
        "PayloadUUID": str(uuid.uuid4()),
        "PayloadContent": [
            {
                "PayloadType": "com.microsoft.Word",
                "PayloadVersion": 1,
                "PayloadIdentifier": "w",
                "PayloadUUID": str(uuid.uuid4()),
                "PayloadEnabled": True,
                "UseOnlineContent": "0",
                "SendAllTelemetryEnabled": 0,
                "NoSuchKey": 1,
            },
            {
                "PayloadType": "com.microsoft.Outlook",
                "PayloadVersion": 1,
                "PayloadIdentifier": "o",
                "PayloadUUID": str(uuid.uuid4()),
                "UseOnlineContent": 0,
                "SendAllTelemetryEnabled": "maybe",
            },
            {
                "PayloadType": "com.microsoft.errorreporting",
                "PayloadVersion": 1,
                "PayloadIdentifier": "e",
                "PayloadUUID": str(uuid.uuid4()),
                "IsAttachedEnabled": False,
            },
            {
                "PayloadType": "com.microsoft.autoupdate2",
                "PayloadVersion": 1,
                "PayloadIdentifier": "a",
                "PayloadUUID": str(uuid.uuid4()),
                "HowToCheck": "Never",
                "UpdateCache": "http://cache/",
            },
            {
                "PayloadType": "com.example.other",
                "PayloadVersion": 1,
                "PayloadIdentifier": "x",
                "PayloadUUID": str(uuid.uuid4()),
                "Anything": True,
            },
        ],
    }
    path = tmp_path / "mine.mobileconfig"
    path.write_bytes(plistlib.dumps(profile))
    data = imported(path)
    assert values(data) == {
        ("com.microsoft.Word", "UseOnlineContent"): 0,
        ("com.microsoft.Word", "SendAllTelemetryEnabled"): False,
        ("com.microsoft.errorreporting", "IsAttachFilesEnabled"): False,
    }
    assert len(data["converted"]) == 2
    assert any("IsAttachedEnabled is another spelling of IsAttachFilesEnabled" in w for w in data["warnings"])
    left = "\n".join(data["left_out"])
    for expected in (
        "NoSuchKey",
        "UseOnlineContent is not documented for com.microsoft.Outlook",
        "'maybe'",
        "HowToCheck",
        "'http://cache/' is not an https:// URL",
        "com.example.other is not in profilegen's catalog",
    ):
        assert expected in left, expected


def test_a_huge_unknown_key_or_value_is_quoted_in_part(tmp_path):
    path = tmp_path / "com.microsoft.Word.plist"
    path.write_bytes(plistlib.dumps({"K" * 100_000: 1, "UseOnlineContent": "x" * 100_000}))
    data = imported(path)
    assert len(data["left_out"]) == 2
    for line in data["left_out"]:
        assert len(line) < 600 and ",00" in line and "characters)" in line


def test_files_that_disagree_and_files_that_are_nothing(tmp_path):
    one, two = tmp_path / "com.microsoft.Word.plist", tmp_path / "sub" / "com.microsoft.Word.plist"
    two.parent.mkdir()
    one.write_bytes(plistlib.dumps({"UseOnlineContent": 0}))
    two.write_bytes(plistlib.dumps({"UseOnlineContent": 2}))
    result = run("import", one, two)
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert f"is 0 in {one} but 2 in {two}" in result.stderr
    junk = tmp_path / "junk.txt"
    junk.write_text("hello")
    nameless = tmp_path / "prefs.plist"
    nameless.write_bytes(plistlib.dumps({"HowToCheck": "Manual"}))
    for path, expected in (
        (junk, "is not a profile, a property list"),
        (nameless, "can't tell its preference domain"),
        (tmp_path / "missing", "can't be read"),
    ):
        result = run("import", path)
        assert result.returncode == 1 and result.stderr.startswith("Error: ") and expected in result.stderr
        assert "Traceback" not in result.stderr


def test_writing_the_config(tmp_path):
    assert run("build", "-p", "manual-updates", "-o", tmp_path, "-f", "mobileconfig", *ID).returncode == 0
    target = tmp_path / "site.toml"
    result = run("import", tmp_path / "manual-updates.mobileconfig", "-o", target)
    assert result.returncode == 0 and result.stdout == "" and f"wrote {target}" in result.stderr
    assert 'HowToCheck = "Manual"' in target.read_text()
    again = run("import", tmp_path / "manual-updates.mobileconfig", "-o", target)
    assert again.returncode == 1 and "already exists; use --force" in again.stderr
    assert run("import", tmp_path / "manual-updates.mobileconfig", "-o", target, "--force").returncode == 0


# --- the round trip ------------------------------------------------------------------------------


@pytest.mark.parametrize("style", ["direct", "mcx"])
@pytest.mark.parametrize("preset", PRESETS)
def test_importing_a_built_profile_rebuilds_the_same_bytes(tmp_path, preset, style):
    first = tmp_path / "first"
    args = ("--name", "site", "--payload-style", style, "--organization", "Example Corp", *ID, "--scope", "user")
    assert run("build", "-p", preset, "-o", first, *args).returncode == 0
    config = tmp_path / "site.toml"
    assert run("import", first / "site.mobileconfig", "-o", config).returncode == 0
    second = tmp_path / "second"
    rebuilt = run("build", "-c", config, "-o", second, "--name", "site")
    assert rebuilt.returncode == 0, rebuilt.stderr
    names = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for name in names:
        a, b = (first / name).read_bytes(), (second / name).read_bytes()
        if name.suffix == ".sh":  # the header names where the settings came from: a preset, then a config
            a, b = (b"\n".join(line for line in x.split(b"\n") if not line.startswith(b"# Selection:")) for x in (a, b))
        if name.suffix == ".html":  # the warnings say which Office a preset was written for; a config has none
            a, b = (
                b"\n".join(line for line in x.split(b"\n") if not line.startswith((b"<li>preset ", b'<p id="made">')))
                for x in (a, b)
            )
        if name.name.endswith(".manifest.json"):  # it holds the scripts' checksums: the same files, then
            a, b = (json.dumps([f["path"] for f in json.loads(x)["files"]]).encode() for x in (a, b))
        assert a == b, name


@pytest.mark.reference
def test_real_public_profiles_import_with_the_warnings_their_defects_deserve():
    folder = shared("reference", "real-profiles")
    data = imported(folder / "rtrouton__DisableOffice2016Telemetry.mobileconfig")
    found = values(data)
    assert found[("com.microsoft.errorreporting", "IsAttachFilesEnabled")] is False
    assert all(found[(d, "SendAllTelemetryEnabled")] is False for d in ("com.microsoft.Word", "com.microsoft.Outlook"))
    assert any("IsAttachedEnabled is another spelling" in w for w in data["warnings"])
    assert any("kFRETelemetryConsentKey" in line for line in data["left_out"])
    for path in sorted(folder.glob("*.mobileconfig")):
        result = run("import", path)
        assert result.returncode in (0, 1) and "Traceback" not in result.stderr, path


# --- diff ------------------------------------------------------------------------------------------


def test_two_presets_differ_in_settings_and_endpoints():
    result = run(
        "diff", "preset:volume-license-offline", "preset:crash-reports-only", "--office", "16.20", "--mau", "4.10"
    )
    assert result.returncode == 1, result.stderr
    assert "+ com.microsoft.errorreporting IsMerpEnabled = true" in result.stdout
    assert "- com.microsoft.Word UseOnlineContent = 0" in result.stdout
    assert (
        "login.live.com (Sign in): partly silenced -> unchanged, now contacted by Word, Excel, PowerPoint again"
        in result.stdout
    )
    data = json.loads(run("diff", "preset:volume-license-offline", "preset:crash-reports-only", "--json").stdout)
    assert data["same"] is False and any(e["url"] == "https://login.live.com/" for e in data["endpoints"])


def test_builds_that_differ_only_by_identifier_are_metadata_only(tmp_path):
    config = tmp_path / "site.toml"
    config.write_text('preset = "required-data-only"\n')
    for name, identifier in (("a", "com.example.one"), ("b", "com.example.two")):
        assert (
            run(
                "build", "-c", config, "-o", tmp_path / name, "-f", "mobileconfig", "--identifier", identifier
            ).returncode
            == 0
        )
    result = run("diff", tmp_path / "a" / "site.mobileconfig", tmp_path / "b" / "site.mobileconfig", "--json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["profile"] == [{"field": "identifier", "a": "com.example.one", "b": "com.example.two"}]
    assert data["added"] == data["removed"] == data["changed"] == data["endpoints"] == []


def test_uuids_order_and_injected_keys_are_no_difference(tmp_path):
    assert run("build", "-p", "most-private-current", "-o", tmp_path, "-f", "mobileconfig", *ID).returncode == 0
    original = tmp_path / "most-private-current.mobileconfig"
    profile = plistlib.loads(original.read_bytes())
    profile["PayloadUUID"] = str(uuid.uuid4()).upper()
    profile["PayloadContent"].reverse()
    for payload in profile["PayloadContent"]:
        payload["PayloadUUID"] = str(uuid.uuid4())
        payload["PayloadEnabled"] = True
    mdm = tmp_path / "from-the-mdm.mobileconfig"
    mdm.write_bytes(plistlib.dumps(profile, fmt=plistlib.FMT_BINARY))
    result = run("diff", original, mdm)
    assert (result.returncode, result.stdout.strip()) == (0, f"{original} and {mdm} mean the same")


def test_a_profile_against_its_config(tmp_path):
    config = tmp_path / "site.toml"
    config.write_text('preset = "required-data-only"\n[profile]\nidentifier = "com.example.office"\n')
    assert run("build", "-c", config, "-o", tmp_path, "-f", "mobileconfig").returncode == 0
    assert run("diff", config, tmp_path / "site.mobileconfig").returncode == 0
    changed = run("diff", config, "preset:required-data-only")
    assert changed.returncode == 1 and 'profile identifier: "com.example.office"' in changed.stdout
    bad = run("diff", config, "preset:nope")
    assert bad.returncode == 2 and bad.stderr.startswith("Error: unknown preset 'nope'")
    missing = run("diff", tmp_path / "missing.mobileconfig", config)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


# --- several files at once -----------------------------------------------------------------------


def test_check_inspect_and_verify_take_several_files_and_globs(tmp_path):
    from pki import PKI

    pki = PKI(tmp_path)
    leaf = pki.leaf("many")
    for preset in ("manual-updates", "required-data-only"):
        assert (
            run(
                "build",
                "-p",
                preset,
                "-o",
                tmp_path / "out",
                "-f",
                "mobileconfig",
                *ID,
                "--sign-cert",
                leaf.cert_pem,
                "--sign-key",
                leaf.key_pem,
                "--sign-chain",
                pki.chain_pem,
            ).returncode
            == 0
        )
    good = sorted((tmp_path / "out").glob("*.mobileconfig"))
    broken = tmp_path / "broken.mobileconfig"
    broken.write_bytes(
        good[0].read_bytes().replace(b"<string>Configuration</string>", b"<string>Profile</string>")
        if not good[0].name.endswith(".signed.mobileconfig")
        else b""
    )
    checked = run("check", *good)
    assert checked.returncode == 0 and checked.stdout.count("no problems found") == len(good)
    worst = run("check", good[0], broken, tmp_path / "missing.mobileconfig")
    assert worst.returncode == 1 and "no problems found" in worst.stdout and "missing.mobileconfig" in worst.stderr
    listed = json.loads(run("inspect", str(tmp_path / "out" / "*.mobileconfig"), "--json").stdout)["profiles"]
    assert isinstance(listed, list) and len(listed) == len(good)
    signed = [p for p in good if p.name.endswith(".signed.mobileconfig")]
    verified = run("verify", *signed, "--ca", pki.root_pem)
    assert verified.returncode == 0 and verified.stdout.count("trusted: ends in a root") == 2
    mixed = run("verify", *signed, good[0] if good[0] not in signed else broken, "--ca", pki.root_pem)
    assert mixed.returncode == 1 and mixed.stdout.count("trusted: ends in a root") == 2 and "Error: " in mixed.stderr
