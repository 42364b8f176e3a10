"""`profilegen check` and `inspect` on good, broken and real public profiles."""

import json
import os
import plistlib
import re
import uuid
from urllib.parse import quote

import pytest

from conftest import run, shared


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    folder = tmp_path_factory.mktemp("good")
    assert run("build", "-p", "volume-license-offline", "-o", folder, "-f", "mobileconfig").returncode == 0
    return folder / "volume-license-offline.mobileconfig"


def line_of(text: str, needle: str, after: str = "") -> int:
    """The 1-based line of the first `needle` after `after`, found by plain text search."""
    start = text.index(after) if after else 0
    return text[: text.index(needle, start)].count("\n") + 1


def broken(tmp_path, good, old, new, count=1):
    text = good.read_text()
    assert old in text
    path = tmp_path / "broken.mobileconfig"
    path.write_text(text.replace(old, new, count))
    return path, path.read_text()


# The versions the `good` profile (volume-license-offline) is for: check judges against a target.
FOR_2016 = ("--office", "16.23", "--mau", "4.11")


def test_a_good_profile_in_every_encoding(good, tmp_path):
    result = run("check", good, *FOR_2016)
    assert (result.returncode, result.stdout.strip()) == (0, f"{good}: no problems found")
    binary = tmp_path / "binary.mobileconfig"
    binary.write_bytes(plistlib.dumps(plistlib.loads(good.read_bytes()), fmt=plistlib.FMT_BINARY))
    assert run("check", binary).returncode == 0
    # Against the current Office, the per-app keys it no longer reads are said, as build says them.
    current = run("check", good)
    assert current.returncode == 0 and "[PG209]" in current.stdout
    assert "SendAllTelemetryEnabled: reported as ignored from Office 16.28" in current.stdout


def test_a_string_where_an_integer_belongs(good, tmp_path):
    path, text = broken(tmp_path, good, "<integer>0</integer>", "<string>0</string>")
    result = run("check", path)
    assert result.returncode == 1
    line = line_of(text, "<key>UseOnlineContent</key>")
    assert (
        f"{path}:{line}: error: com.microsoft.Word: UseOnlineContent is a string ('0'); "
        "expected an integer, one of 0, 1, 2"
    ) in result.stdout


@pytest.mark.parametrize(
    "old, new, expected",
    [
        ("<string>Manual</string>", "<string>Never</string>", "HowToCheck = Never is not allowed"),
        (
            "<key>HowToCheck</key>",
            "<key>UseOnlineContent</key>",
            "com.microsoft.autoupdate2: UseOnlineContent is not documented for this domain",
        ),
        ("<string>Configuration</string>", "<string>Profile</string>", "PayloadType must be Configuration"),
        ("<string>System</string>", "<string>Device</string>", "PayloadScope must be System or User"),
        (
            "<key>PayloadVersion</key>\n\t<integer>1</integer>",
            "<key>PayloadVersion</key>\n\t<integer>2</integer>",
            "top-level PayloadVersion must be the integer 1",
        ),
        (
            "<key>PayloadUUID</key>\n\t<string>",
            "<key>PayloadUUIDs</key>\n\t<string>",
            "required top-level key PayloadUUID is missing",
        ),
        (
            "<key>PayloadIdentifier</key>\n\t\t\t<string>org.profilegen.office.volume-license-offline.com.microsoft.Excel",
            "<key>PayloadIdentifier</key>\n\t\t\t<string>org.profilegen.office.volume-license-offline.com.microsoft.Word",
            "PayloadIdentifier org.profilegen.office.volume-license-offline.com.microsoft.Word is used twice",
        ),
        ("<false/>", "<string>FALSE</string>", "SendAllTelemetryEnabled is a string ('FALSE'); expected a boolean"),
    ],
)
def test_broken_profiles(good, tmp_path, old, new, expected):
    path, _ = broken(tmp_path, good, old, new)
    result = run("check", path)
    assert result.returncode == 1, result.stdout
    assert re.search(rf"{re.escape(str(path))}(:\d+)?: error: .*{re.escape(expected)}", result.stdout), result.stdout


def test_duplicate_uuid(good, tmp_path):
    profile = plistlib.loads(good.read_bytes())
    profile["PayloadContent"][1]["PayloadUUID"] = profile["PayloadContent"][0]["PayloadUUID"]
    path = tmp_path / "dup.mobileconfig"
    path.write_bytes(plistlib.dumps(profile))
    result = run("check", path)
    assert result.returncode == 1 and "payload 2: PayloadUUID" in result.stdout and "is used twice" in result.stdout


def test_warnings_alone_exit_zero(good, tmp_path):
    path, text = broken(tmp_path, good, "<key>IsAttachFilesEnabled</key>", "<key>IsAttachedEnabled</key>")
    result = run("check", path)
    assert result.returncode == 0
    line = line_of(text, "<key>IsAttachedEnabled</key>")
    assert (
        f"{path}:{line}: warning: com.microsoft.errorreporting: IsAttachedEnabled is not Microsoft's "
        "spelling; Microsoft documents IsAttachFilesEnabled"
    ) in result.stdout
    # A key of a catalog domain the catalog doesn't know (AutoUpdate's GuardAgainstAppModification).
    path, _ = broken(tmp_path, good, "<key>HowToCheck</key>", "<key>GuardAgainstAppModification</key>")
    path.write_text(path.read_text().replace("<string>Manual</string>", "<true/>"))
    result = run("check", path)
    assert result.returncode == 0 and "GuardAgainstAppModification is not in profilegen's catalog" in result.stdout


@pytest.mark.reference
def test_real_public_profiles():
    folder = shared("reference", "real-profiles")
    telemetry = folder / "rtrouton__DisableOffice2016Telemetry.mobileconfig"
    result = run("check", telemetry)
    text = telemetry.read_text()
    assert result.returncode == 0
    assert (
        f":{line_of(text, '<key>IsAttachedEnabled</key>')}: warning: com.microsoft.errorreporting: "
        "IsAttachedEnabled" in result.stdout
    )
    assert "top-level key PayloadEnabled is not in Apple's schema" in result.stdout
    mofa = folder / "MOFA__MOFA_word_user_privacy.mobileconfig"
    result = run("check", mofa)
    assert (
        f"{mofa}:{line_of(mofa.read_text(), '<key>PayloadUUID</key>', after='</array>')}: "
        "warning: top-level: PayloadUUID "
        "'WRDPR-UUID-GLOBAL-E5A86936A9F6' is not a UUID" in result.stdout
    )
    airdrop = run("check", folder / "rtrouton__BlockAirDrop.mobileconfig")
    assert "'new.Block AirDrop' is not reverse-DNS" in airdrop.stdout
    mcx = run("check", folder / "rtrouton__DisableAutomaticDownloadandInstallofOffice2016Updates.mobileconfig")
    assert (mcx.returncode, mcx.stdout.count("\n")) == (0, 1) and "no problems found" in mcx.stdout
    for path in folder.glob("*.mobileconfig"):
        result = run("check", path)
        assert result.returncode in (0, 1) and "Traceback" not in result.stderr, path


@pytest.mark.reference
def test_broken_mcx_structure(tmp_path):
    source = shared(
        "reference", "real-profiles", "rtrouton__DisableAutomaticDownloadandInstallofOffice2016Updates.mobileconfig"
    )
    profile = plistlib.loads(source.read_bytes())
    prefs = profile["PayloadContent"][0]["PayloadContent"]["com.microsoft.autoupdate2"]
    prefs["Forced"] = {"mcx_preference_settings": {"HowToCheck": "Manual"}}
    path = tmp_path / "mcx.mobileconfig"
    path.write_bytes(plistlib.dumps(profile))
    result = run("check", path)
    assert result.returncode == 1 and "Forced must be an array of dictionaries" in result.stdout
    prefs["Forced"] = [{"mcx_preference_settings": {"HowToCheck": 1}}]
    path.write_bytes(plistlib.dumps(profile))
    result = run("check", path)
    assert result.returncode == 1 and "HowToCheck is an integer (1); expected a string" in result.stdout


def test_unreadable_files(tmp_path):
    junk = tmp_path / "junk.mobileconfig"
    junk.write_text("not a plist")
    for path, expected in ((junk, "is not a property list"), (tmp_path / "missing", "can't be read")):
        for command in ("check", "inspect"):
            result = run(command, path)
            assert result.returncode == 1 and result.stderr.startswith("Error: ") and expected in result.stderr
            assert "Traceback" not in result.stderr


@pytest.mark.reference
def test_inspect(good, tmp_path):
    info = json.loads(run("inspect", good, "--json").stdout)
    assert info["signed"] is False and info["format"] == "xml"
    word = next(p for p in info["payloads"] if p["type"] == "com.microsoft.Word")
    uoc = next(s for s in word["settings"] if s["key"] == "UseOnlineContent")
    assert uoc["known"] and uoc["value"] == 0 and uoc["title"] == "Online content, sign-in and add-ins"
    assert "no sign-in" in uoc["meaning"]
    real = shared("reference", "real-profiles", "rtrouton__DisableOffice2016Telemetry.mobileconfig")
    info = json.loads(run("inspect", real, "--json").stdout)
    settings = {(s["domain"], s["key"]): s for p in info["payloads"] for s in p["settings"]}
    assert settings[("com.microsoft.Word", "kFRETelemetryConsentKey")]["known"] is False
    assert settings[("com.microsoft.Word", "SendAllTelemetryEnabled")]["meaning"] == "Don't send usage telemetry"
    text = run("inspect", real).stdout
    assert "kFRETelemetryConsentKey = true  [not in profilegen's catalog]" in text
    assert "SendAllTelemetryEnabled = false  [Usage telemetry: Don't send usage telemetry]" in text


@pytest.mark.parametrize("shape", ["doctype first", "white space first", "byte-order mark", "comment first"])
def test_what_macos_reads_profilegen_reads(good, tmp_path, shape):
    data = good.read_bytes()
    body = data.split(b"\n", 1)[1]  # without the XML declaration
    made = {
        "doctype first": body,
        "white space first": b"\n\n   " + data,
        "byte-order mark": b"\xef\xbb\xbf" + data,
        "comment first": b"<!-- by hand -->\n" + body,
    }[shape]
    path = tmp_path / "made.mobileconfig"
    path.write_bytes(made.replace(b"<string>Manual</string>", b"<string>Never</string>"))
    result = run("check", path)
    text = path.read_text(encoding="utf-8-sig")
    assert result.returncode == 1 and "HowToCheck = Never is not allowed" in result.stdout
    assert f"{path}:{line_of(text, '<key>HowToCheck</key>')}: error:" in result.stdout
    assert json.loads(run("inspect", path, "--json").stdout)["payloads"]


def test_malformed_xml_is_reported_with_line_and_column(good, tmp_path):
    path, text = broken(tmp_path, good, "<key>HowToCheck</key>", "<key>HowToCheck</kye>")
    for command in ("check", "inspect", "import"):
        result = run(command, path)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        line = line_of(text, "<key>HowToCheck</kye>")
        assert re.match(
            rf"Error: {re.escape(str(path))}:{line}:\d+: not a well-formed property list: mismatched tag", result.stderr
        ), result.stderr


def test_a_profile_service_profile(tmp_path):
    profile = {
        "PayloadType": "Profile Service",
        "PayloadVersion": 1,
        "PayloadIdentifier": "com.example.enrol",
        "PayloadUUID": str(uuid.uuid4()),
        "PayloadDisplayName": "Enrol",
        "PayloadContent": {
            "URL": "https://mdm.example.com/enrol",
            "DeviceAttributes": ["UDID", "SERIAL"],
            "Challenge": "s3cret-challenge",
        },
    }
    path = tmp_path / "enrol.mobileconfig"
    path.write_bytes(plistlib.dumps(profile))
    result = run("check", path)
    assert (result.returncode, result.stdout.strip()) == (0, f"{path}: no problems found")
    shown = run("inspect", path)
    assert "Profile Service URL: https://mdm.example.com/enrol" in shown.stdout
    assert "Device attributes: UDID, SERIAL" in shown.stdout and "Challenge: present (not shown)" in shown.stdout
    assert "s3cret-challenge" not in shown.stdout + run("inspect", path, "--json").stdout.replace(
        '"Challenge": "s3cret-challenge"', ""
    )
    profile["PayloadContent"]["URL"] = "http://mdm.example.com/enrol"
    path.write_bytes(plistlib.dumps(profile))
    bad = run("check", path)
    assert bad.returncode == 1 and "URL must be an https:// URL" in bad.stdout


def test_inspect_never_crashes_on_any_plist_type(tmp_path):
    import datetime
    import math

    profile = {
        "PayloadType": "Configuration",
        "PayloadVersion": 1,
        "PayloadIdentifier": "com.example.types",
        "PayloadUUID": str(uuid.uuid4()),
        "PayloadContent": [
            {
                "PayloadType": "com.example.types",
                "PayloadVersion": 1,
                "PayloadIdentifier": "t",
                "PayloadUUID": str(uuid.uuid4()),
                "Data": b"\x00\xff",
                "When": datetime.datetime(2026, 1, 2, 3, 4),
                "Id": plistlib.UID(5),
                "Nothing": math.nan,
                "Huge": math.inf,
                "Nested": {"a": [1, True]},
                "Text": "line one\nline two",
            },
            {
                "PayloadType": "com.apple.ManagedClient.preferences",
                "PayloadVersion": 1,
                "PayloadIdentifier": "m",
                "PayloadUUID": str(uuid.uuid4()),
                "PayloadContent": {"com.microsoft.Word": {"Forced": [{"mcx_preference_settings": ["not", "a dict"]}]}},
            },
        ],
    }
    path = tmp_path / "types.mobileconfig"
    path.write_bytes(plistlib.dumps(profile, fmt=plistlib.FMT_BINARY))
    data = json.loads(run("inspect", path, "--json").stdout)
    values = {s["key"]: s["value"] for s in data["payloads"][0]["settings"]}
    assert values["Data"] == "AP8=" and values["When"] == "2026-01-02T03:04:00Z" and values["Id"] == "UID(5)"
    assert (values["Nothing"], values["Huge"]) == ("NaN", "Infinity") and values["Nested"] == {"a": [1, True]}
    shown = run("inspect", path)
    assert shown.returncode == 0 and re.search(r"\n +true\n", shown.stdout) and "line two" in shown.stdout
    assert "When = 2026-01-02T03:04:00Z" in shown.stdout and "datetime" not in shown.stdout
    checked = run("check", path)
    assert checked.returncode == 1 and "Traceback" not in checked.stderr
    assert "Forced must be an array of dictionaries holding mcx_preference_settings" in checked.stdout


def test_certificate_payloads_show_as_certificates(tmp_path):
    from cryptography.hazmat.primitives import serialization

    from pki import PKI

    pki = PKI(tmp_path)
    profile = {
        "PayloadType": "Configuration",
        "PayloadVersion": 1,
        "PayloadIdentifier": "com.example.ca",
        "PayloadUUID": str(uuid.uuid4()),
        "PayloadContent": [
            {
                "PayloadType": "com.apple.security.root",
                "PayloadVersion": 1,
                "PayloadIdentifier": "r",
                "PayloadUUID": str(uuid.uuid4()),
                "PayloadContent": pki.root.public_bytes(serialization.Encoding.DER),
            }
        ],
    }
    path = tmp_path / "ca.mobileconfig"
    path.write_bytes(plistlib.dumps(profile))
    shown = run("inspect", path).stdout
    assert "subject: CN=Test Root CA,O=profilegen tests" in shown and "not_after: " in shown
    assert len(shown) < 2000  # not kilobytes of hex


def test_findings_have_stable_codes_and_four_report_formats(good, tmp_path):
    path, text = broken(tmp_path, good, "<integer>0</integer>", "<string>0</string>")
    line = line_of(text, "<key>UseOnlineContent</key>")
    plain = run("check", path, *FOR_2016)
    assert f"{path}:{line}: error: com.microsoft.Word: UseOnlineContent is a string ('0')" in plain.stdout
    assert "[PG202]" in plain.stdout
    findings = json.loads(run("check", path, "--format", "json", *FOR_2016).stdout)["findings"]
    assert {"file": str(path), "line": line, "level": "error", "code": "PG202"} == {
        k: v for k, v in findings[0].items() if k != "message"
    }
    github = run("check", path, "--format", "github", *FOR_2016).stdout.splitlines()
    assert github[0].startswith(f"::error file={path},line={line},title=PG202::com.microsoft.Word: UseOnlineContent")
    sarif = json.loads(run("check", path, "--format", "sarif", *FOR_2016).stdout)
    assert sarif["version"] == "2.1.0" and sarif["$schema"].endswith("sarif-2.1.0.json")
    run_ = sarif["runs"][0]
    assert run_["tool"]["driver"]["name"] == "profilegen"
    result = run_["results"][0]
    assert result["level"] == "error" and result["message"]["text"].startswith("com.microsoft.Word")
    assert run_["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"] == "PG202"
    location = result["locations"][0]["physicalLocation"]
    # Relative to the current folder, percent-encoded: never a raw absolute path.
    assert location["artifactLocation"]["uri"] == quote(os.path.relpath(path))
    assert location["region"]["startLine"] == line
    rule = run_["tool"]["driver"]["rules"][result["ruleIndex"]]
    assert rule["shortDescription"]["text"] and rule["help"]["text"] and "informationUri" not in run_["tool"]["driver"]
    based = json.loads(run("check", path, "--format", "sarif", "--base", tmp_path, *FOR_2016).stdout)
    assert based["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == path.name
    clean = json.loads(run("check", good, "--format", "sarif", *FOR_2016).stdout)
    assert clean["runs"][0]["results"] == []
    assert run("check", good, "--format", "xml").returncode == 1


def test_a_payload_identifier_equal_to_the_profiles_is_a_warning(good, tmp_path):
    profile = plistlib.loads(good.read_bytes())
    profile["PayloadContent"][0]["PayloadIdentifier"] = profile["PayloadIdentifier"]
    path = tmp_path / "same.mobileconfig"
    path.write_bytes(plistlib.dumps(profile))
    result = run("check", path)
    assert (
        result.returncode == 0
        and "warning: payload 1: PayloadIdentifier" in result.stdout
        and "[PG113]" in result.stdout
    )


def test_a_signed_profile_whose_content_was_changed_is_an_error(tmp_path):
    from pki import PKI

    pki = PKI(tmp_path)
    leaf = pki.leaf("check")
    run(
        "build",
        "-p",
        "manual-updates",
        "-o",
        tmp_path,
        "-f",
        "mobileconfig",
        "--sign-cert",
        leaf.cert_pem,
        "--sign-key",
        leaf.key_pem,
    )
    signed = tmp_path / "manual-updates.signed.mobileconfig"
    signed.write_bytes(signed.read_bytes().replace(b"<string>Manual</string>", b"<string>Manuel</string>"))
    result = run("check", signed, "--format", "json")
    codes = {f["code"] for f in json.loads(result.stdout)["findings"]}
    assert result.returncode == 1 and {"PG400", "PG203"} <= codes


def tcc_profile(allowed):
    return {
        "PayloadType": "Configuration",
        "PayloadVersion": 1,
        "PayloadIdentifier": "com.example.pppc",
        "PayloadUUID": str(uuid.uuid4()),
        "PayloadContent": [
            {
                "PayloadType": "com.apple.TCC.configuration-profile-policy",
                "PayloadVersion": 1,
                "PayloadIdentifier": "com.example.pppc.tcc",
                "PayloadUUID": str(uuid.uuid4()),
                "Services": {
                    "SystemPolicyAllFiles": [
                        {
                            "Identifier": "com.example.agent",
                            "IdentifierType": "bundleID",
                            "CodeRequirement": 'identifier "com.example.agent"',
                            "Allowed": allowed,
                        }
                    ]
                },
            }
        ],
    }


def test_apple_payloads_are_checked_against_apples_schema(tmp_path):
    path = tmp_path / "pppc.mobileconfig"
    path.write_bytes(plistlib.dumps(tcc_profile(1)))
    result = run("check", path)
    line = line_of(path.read_text(), "<key>Allowed</key>")
    assert result.returncode == 1
    assert (
        f"{path}:{line}: error: payload 1 (com.apple.TCC.configuration-profile-policy): "
        "Services.SystemPolicyAllFiles[0].Allowed must be a boolean, not an integer (1) [PG302]"
    ) in result.stdout
    path.write_bytes(plistlib.dumps(tcc_profile(True)))
    assert run("check", path).stdout.strip() == f"{path}: no problems found"
    profile = tcc_profile(True)
    profile["PayloadContent"][0]["Services"]["SystemPolicyAllFiles"][0]["IdentifierType"] = "bundle"
    path.write_bytes(plistlib.dumps(profile))
    assert "IdentifierType = bundle is not one of bundleID, path [PG303]" in run("check", path).stdout


def test_a_payload_type_profilegen_does_not_know_is_not_checked_and_says_so(tmp_path):
    profile = tcc_profile(True)
    profile["PayloadContent"][0]["PayloadType"] = "com.apple.example.unknown"
    path = tmp_path / "unknown.mobileconfig"
    path.write_bytes(plistlib.dumps(profile))
    result = run("check", path)
    assert result.returncode == 0 and "no problems found" not in result.stdout
    assert "info: payload 1: com.apple.example.unknown is not in profilegen's table" in result.stdout


@pytest.mark.reference
def test_the_apple_facts_table_is_what_the_script_makes_of_apples_schema(tmp_path):
    """The committed table is generated, not edited: the script on the reference schema gives it again."""
    import importlib.util

    from conftest import ROOT

    folder = shared("reference", "apple", "profiles")
    spec = importlib.util.spec_from_file_location("apple_facts", ROOT / "tools" / "apple_facts.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    committed = json.loads((ROOT / "payloads" / "apple-payloads.json").read_text())
    assert module.main(folder, committed["source"]) == committed
    assert "b6202ca2" in committed["source"]
    # and the rules the tests check every profile by, on clones without Apple's schema beside them
    rules = json.loads((ROOT / "tests" / "data" / "apple-profile-rules.json").read_text())
    assert module.profile_rules(folder, committed["source"]) == rules


def test_autoupdates_applications_record_is_kept_whole_with_a_deprecated_lcid(tmp_path):
    apps = {"/Applications/Microsoft Word.app": {"Application ID": "MSWD2019", "LCID": "1033"}}
    profile = {
        "PayloadType": "Configuration",
        "PayloadVersion": 1,
        "PayloadIdentifier": "com.example.mau",
        "PayloadUUID": str(uuid.uuid4()),
        "PayloadContent": [
            {
                "PayloadType": "com.microsoft.autoupdate2",
                "PayloadVersion": 1,
                "PayloadIdentifier": "a",
                "PayloadUUID": str(uuid.uuid4()),
                "Applications": apps,
                "AcknowledgedDataCollectionPolicy": "RequiredDataOnly",
            }
        ],
    }
    path = tmp_path / "mau.mobileconfig"
    path.write_bytes(plistlib.dumps(profile))
    # An LCID, even written as a string, is deprecated: a warning, and the record is kept whole.
    result = run("check", path)
    assert result.returncode == 0
    assert "Applications = /Applications/Microsoft Word.app.LCID is deprecated" in result.stdout
    data = json.loads(run("import", path, "--json").stdout)
    assert not data["left_out"] and {s["key"]: s["value"] for s in data["settings"]}["Applications"] == apps
    assert any("LCID is deprecated: Microsoft says it no longer applies" in line for line in data["warnings"])
    apps["/Applications/Microsoft Word.app"]["LCID"] = 1033
    path.write_bytes(plistlib.dumps(profile))
    assert run("check", path).returncode == 0
    config = tmp_path / "mau.toml"
    assert run("import", path, "-o", config).returncode == 0
    built = run("build", "-c", config, "-o", tmp_path / "out", "--json")
    assert built.returncode == 0, built.stderr
    assert "the script doesn't write a dictionary" in built.stderr
    rebuilt = plistlib.loads((tmp_path / "out" / "mau.mobileconfig").read_bytes())
    assert rebuilt["PayloadContent"][0]["Applications"] == apps
    assert "Applications" not in (tmp_path / "out" / "mau.sh").read_text().split("for_each_setting() {")[1]
    schema = json.loads((tmp_path / "out" / "mau-jamf" / "com.microsoft.autoupdate2.json").read_text())
    configured = schema["properties"]["Applications"]["anyOf"][1]
    assert configured["type"] == "object"
    assert configured["additionalProperties"]["required"] == ["Application ID"]


def test_keys_microsoft_says_never_to_set(good, tmp_path):
    """LastUpdate and the others: `build` refuses them, naming Microsoft's reason and page;
    `check`, `import` and `diff` warn where a profile sets them."""
    import datetime

    profile = plistlib.loads(good.read_bytes())
    mau = next(p for p in profile["PayloadContent"] if p["PayloadType"] == "com.microsoft.autoupdate2")
    mau["LastUpdate"] = datetime.datetime(2030, 1, 1)
    mau["ReopenAfterGUIInstall"] = True
    path = tmp_path / "never.mobileconfig"
    path.write_bytes(plistlib.dumps(profile))

    checked = run("check", path, "--format", "json")
    codes = {(p["code"], p["message"].split()[0]) for p in json.loads(checked.stdout)["findings"]}
    assert {("PG207", "LastUpdate"), ("PG207", "ReopenAfterGUIInstall")} <= codes
    assert checked.returncode == 0  # a warning, not an error

    imported = run("import", path)
    assert imported.returncode == 0 and "LastUpdate" not in imported.stdout
    left_out = [line for line in imported.stderr.splitlines() if line.startswith("left out: ")]
    assert left_out[0].startswith("left out: com.microsoft.autoupdate2 LastUpdate = ")
    assert "is a key Microsoft says never to set in a profile" in left_out[0]

    diff = run("diff", path, good)
    assert diff.returncode == 1 and "Warning: " in diff.stderr and "LastUpdate" in diff.stderr

    for args in (("--set", "LastUpdate=2030-01-01"), ("--set", "autoupdate:lastupdate=1")):
        refused = run("build", *args, "-o", tmp_path / "out")
        assert refused.returncode == 1 and len(refused.stderr.splitlines()) == 1
        assert "Microsoft says never to set in a profile" in refused.stderr
        assert 'mau-preferences, section "LastUpdate", high' in refused.stderr
    assert not (tmp_path / "out").exists()
