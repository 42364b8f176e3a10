"""What Mac admins really deploy, round three: profiles that set a key under its old name and its
new one, profiles without a scope, AutoUpdate's Applications with a deprecated LCID, profiles
that aren't Configuration profiles, and diff's report in plist terms."""

import datetime
import json
import plistlib
import re
import uuid

import pytest

from conftest import run, shared
from helpers import binary_plist


def profile(*payloads, **top) -> dict:
    data = {
        "PayloadType": "Configuration",
        "PayloadVersion": 1,
        "PayloadIdentifier": "com.example.mau",
        "PayloadUUID": str(uuid.uuid4()),
        "PayloadContent": [
            {
                "PayloadVersion": 1,
                "PayloadIdentifier": f"com.example.mau.{i}",
                "PayloadUUID": str(uuid.uuid4()),
                **payload,
            }
            for i, payload in enumerate(payloads)
        ],
        **top,
    }
    return {k: v for k, v in data.items() if v is not None}


def write(path, data):
    path.write_bytes(plistlib.dumps(data))
    return path


MAU = {"PayloadType": "com.microsoft.autoupdate2", "AcknowledgedDataCollectionPolicy": "RequiredDataOnly"}


def test_a_key_set_under_its_old_and_its_new_name_imports_the_new_one(tmp_path):
    path = write(
        tmp_path / "mau.mobileconfig", profile({**MAU, "UpdateCheckFrequency": 360, "UpdateCheckInterval": 240})
    )
    result = run("import", path, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {s["key"]: s["value"] for s in data["settings"]}["UpdateCheckInterval"] == 240
    superseded = [w for w in data["warnings"] if "superseded" in w]
    assert superseded == [
        "com.microsoft.autoupdate2 UpdateCheckFrequency = 360 (mau.mobileconfig): superseded by UpdateCheckInterval, "
        "its current name, which the profile sets too; imported UpdateCheckInterval = 240"
    ]
    # Two values under the same name in two files: the message names each file once.
    other = write(tmp_path / "other.mobileconfig", profile({**MAU, "UpdateCheckInterval": 60}))
    clash = run("import", path, other)
    assert clash.returncode == 1 and f"240 in {path} but 60 in {other}" in clash.stderr


def test_the_mofa_autoupdate_profile_round_trips_through_import_build_and_diff(tmp_path):
    source = write(
        tmp_path / "mofa.mobileconfig",
        profile(
            {
                **MAU,
                "UpdateCheckFrequency": 360,
                "UpdateCheckInterval": 240,
                "ChannelName": "Production",
                "Applications": {"/Applications/Microsoft Word.app": {"Application ID": "MSWD2019", "LCID": "1033"}},
            },
            PayloadDisplayName="MAU 7 day update",
            PayloadDescription="Updates within 7 days",
        ),
    )
    round_trip(tmp_path, source)


@pytest.mark.reference
@pytest.mark.parametrize("name", ["MOFA__MOFA_mau_7day_update_v1", "MOFA__MOFA_mau_user_privacy"])
def test_mofas_own_autoupdate_profiles_round_trip(tmp_path, name):
    round_trip(tmp_path, shared("reference", "real-profiles", f"{name}.mobileconfig"))


def round_trip(tmp_path, source):
    config = tmp_path / "back.toml"
    assert run("import", source, "-o", config).returncode == 0
    built = run("build", "-c", config, "-o", tmp_path / "out", "-f", "mobileconfig")
    assert built.returncode == 0, built.stderr
    rebuilt = tmp_path / "out" / "back.mobileconfig"
    diff = run("diff", source, rebuilt)
    assert diff.returncode == 0, diff.stdout
    assert diff.stdout.startswith(f"{source} and {rebuilt} mean the same")
    original = plistlib.loads(source.read_bytes())
    again = plistlib.loads(rebuilt.read_bytes())
    assert ("PayloadScope" in again) == ("PayloadScope" in original)
    apps = [p.get("Applications") for p in original["PayloadContent"] if "Applications" in p]
    assert [p.get("Applications") for p in again["PayloadContent"] if "Applications" in p] == apps


def test_a_profile_without_a_scope_keeps_none_and_import_writes_scopes_in_lower_case(tmp_path):
    none = write(tmp_path / "none.mobileconfig", profile({**MAU}))
    assert 'scope = "none"' in run("import", none).stdout
    user = write(tmp_path / "user.mobileconfig", profile({**MAU}, PayloadScope="User"))
    assert 'scope = "user"' in run("import", user).stdout
    assert run("build", "--set", "HowToCheck=Manual", "--scope", "none", "-o", tmp_path / "b").returncode == 0
    assert "PayloadScope" not in plistlib.loads((tmp_path / "b" / "office-network.mobileconfig").read_bytes())


@pytest.mark.parametrize(
    "top, said",
    [
        ({"PayloadType": "Profile Service", "PayloadContent": {"URL": "https://mdm.example.com"}}, "an enrolment"),
        ({"EncryptedPayloadContent": b"\x30\x80", "PayloadContent": None}, "an encrypted profile"),
        ({"PayloadType": "com.apple.mdm"}, "a profile of type 'com.apple.mdm', not a Configuration profile"),
    ],
    ids=["enrolment", "encrypted", "other"],
)
def test_profiles_with_no_settings_are_refused_saying_what_they_are(tmp_path, top, said):
    path = write(tmp_path / "p.mobileconfig", profile({**MAU}, **top))
    result = run("import", path)
    assert result.returncode == 1 and result.stderr.startswith(f"Error: {path} is {said}")
    assert "can't tell its preference domain" not in result.stderr


def test_diff_shows_values_in_plist_terms(tmp_path):
    when = datetime.datetime(2026, 12, 31, 18, 0)
    schedule = {
        "/Applications/Microsoft Word.app": {
            "Application ID": "MSWD2019",
            "ForcedUpdateDate": when,
            "ForcedUpdateVersion": "16.113",
        }
    }
    a = write(
        tmp_path / "a.mobileconfig",
        profile(
            {
                **MAU,
                "UpdateDeadline.ApplicationsForcedUpdateSchedule": schedule,
                "Blob": b"\x00\x01",
                "Long": list(range(30)),
            }
        ),
    )
    b = write(tmp_path / "b.mobileconfig", profile({**MAU}, PayloadDescription="Set by IT"))
    result = run("diff", a, b)
    assert result.returncode == 1
    text = result.stdout
    assert "None" not in text and "datetime" not in text
    assert "<date>2026-12-31T18:00:00Z</date>" in text and "<data>AAE=</data>" in text
    assert '      "Application ID": "MSWD2019",' not in text  # no Python dict reprs
    assert '        "Application ID": "MSWD2019"' in text  # nested, indented across lines
    assert "... (10 more items)" in text
    assert 'profile description: not set -> "Set by IT"' in text


def test_old_names_of_keys_and_values_compare_equal_and_are_said(tmp_path):
    old = write(
        tmp_path / "old.mobileconfig", profile({**MAU, "UpdateCheckFrequency": 240, "ChannelName": "Production"})
    )
    new = write(tmp_path / "new.mobileconfig", profile({**MAU, "UpdateCheckInterval": 240, "ChannelName": "Current"}))
    result = run("diff", old, new)
    assert result.returncode == 0, result.stdout
    notes = [line for line in result.stdout.splitlines() if line.startswith("note: ")]
    assert any("UpdateCheckFrequency is an old name of UpdateCheckInterval" in n for n in notes)
    assert any("ChannelName = Production is an old name of Current" in n for n in notes)
    assert json.loads(run("diff", old, new, "--json").stdout)["notes"] == [n.removeprefix("note: ") for n in notes]


# --- the last tracebacks: each is one Error line ---------------------------------------------


def text(value):
    data = value.encode()
    return bytes([0x50 | len(data)]) + data if len(data) < 15 else bytes([0x5F, 0x10, len(data)]) + data


@pytest.mark.parametrize("command", ["check", "inspect", "import", "diff", "verify"])
def test_a_dictionary_key_that_is_data_is_one_error_line(tmp_path, command):
    objects = [
        bytes([0xD3, 1, 3, 5, 2, 4, 6]),  # the profile: PayloadContent, PayloadType and a data key
        text("PayloadContent"),
        bytes([0xA1, 7]),
        text("PayloadType"),
        text("Configuration"),
        bytes([0x41, 0xAB]),
        bytes([0x10, 1]),
        bytes([0xD2, 8, 3, 9, 10]),  # a payload keyed by data too
        bytes([0x41, 0xCD]),
        text("x"),
        text("com.microsoft.Word"),
    ]
    path = tmp_path / "data-key.mobileconfig"
    path.write_bytes(binary_plist(objects, 0))
    assert b"\xab" in [k for k in plistlib.loads(path.read_bytes()) if isinstance(k, bytes)][0]
    args = (path, path) if command == "diff" else (path,)
    result = run(command, *args)
    assert result.returncode in (1, 2) and "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and ("isn't text" in errors[0] or "is not signed" in errors[0]), result.stderr


@pytest.mark.parametrize(
    "content, said",
    [("{", "ends too early"), ("{a = " * 5000 + "1;" + "};" * 5000, "nests deeper than 64 levels")],
    ids=["brace", "deep"],
)
def test_defaults_text_that_ends_early_or_nests_too_deep_is_one_error_line(tmp_path, content, said, pki):
    from profilegen.reading import cms

    plain = tmp_path / "com.microsoft.Word.plist"
    plain.write_text(content)
    leaf = pki.leaf("defaults-text")
    signed = tmp_path / "signed.plist"
    identity = cms.load_pem(leaf.cert_pem, leaf.key_pem, pki.inter_pem, lambda: None)
    signed.write_bytes(cms.sign(content.encode(), identity))
    for path, extra in ((plain, ()), (signed, ("--domain", "com.microsoft.Word"))):
        result = run("import", path, *extra)
        assert result.returncode == 1 and result.stderr.startswith("Error: ") and said in result.stderr
        assert len(result.stderr.splitlines()) == 1


def test_diff_json_of_a_profile_holding_nan(tmp_path):
    path = write(tmp_path / "nan.mobileconfig", profile({"PayloadType": "com.microsoft.Word", "Zoom": float("nan")}))
    other = write(tmp_path / "inf.mobileconfig", profile({"PayloadType": "com.microsoft.Word", "Zoom": float("inf")}))
    result = run("diff", path, other, "--json")
    assert result.returncode == 1, result.stderr
    changed = json.loads(result.stdout)["changed"]
    assert changed == [{"domain": "com.microsoft.Word", "key": "Zoom", "value": "Infinity", "was": "NaN"}]


def test_passwords_the_crypto_library_cant_take_are_one_error_line(tmp_path, pki):
    import os

    from conftest import run_process

    leaf = pki.leaf("passwords")
    p12 = pki.p12(leaf, b"secret")
    nul = tmp_path / "nul.txt"
    nul.write_bytes(b"se\x00cret\n")
    nul.chmod(0o600)
    cases = [
        (("--p12-password-file", nul), {}, "holds a NUL byte"),
        ((), {"PROFILEGEN_P12_PASSWORD": b"\xff\xfe"}, "isn't UTF-8 text"),
    ]
    for args, extra, said in cases:
        env = {**os.environb, **{k.encode(): v for k, v in extra.items()}}
        env.pop(b"PROFILEGEN_P12_PASSWORD", None) if not extra else None
        result = run_process("build", "-p", "manual-updates", "-o", tmp_path / "out", "--sign-p12", p12, *args, env=env)
        assert result.returncode == 1 and "Traceback" not in result.stderr and "Panic" not in result.stderr
        assert result.stderr.startswith("Error: the password for ") and said in result.stderr


def test_a_password_file_others_can_read_is_warned_of(tmp_path, pki):
    leaf = pki.leaf("readable")
    p12 = pki.p12(leaf, b"secret")
    password = tmp_path / "pw.txt"
    password.write_text("secret\n")
    password.chmod(0o644)
    result = run(
        "build", "-p", "manual-updates", "-o", tmp_path / "out", "--sign-p12", p12, "--p12-password-file", password
    )
    assert result.returncode == 0, result.stderr
    assert f"Warning: password file '{password}' can be read by other users (mode 644); chmod 600 it" in result.stderr
    password.chmod(0o600)
    again = run(
        "build", "-p", "manual-updates", "-o", tmp_path / "again", "--sign-p12", p12, "--p12-password-file", password
    )
    assert "can be read by other users" not in again.stderr


def test_source_date_epoch_takes_ascii_digits_only(tmp_path, pki):
    import os

    leaf = pki.leaf("epoch")
    signing = ("--sign-cert", leaf.cert_pem, "--sign-key", leaf.key_pem)
    for text in ("١٢٣", "１２３", "12.5"):
        env = {**os.environ, "SOURCE_DATE_EPOCH": text}
        result = run("build", "-p", "manual-updates", "-o", tmp_path / "out", *signing, env=env)
        assert result.returncode == 1 and result.stderr.startswith(f"Error: SOURCE_DATE_EPOCH {text!r} is not valid")


def test_a_14_mb_key_name_is_answered_at_once(tmp_path):
    from conftest import cpu_bound

    name = "a" * 14_000_000
    path = write(tmp_path / "big.mobileconfig", profile({"PayloadType": "com.microsoft.Word", name: 1}))
    with cpu_bound(5):  # the "did you mean" search is bounded: milliseconds, not minutes
        imported = run("import", path)
        refused = run("build", "--set", f"{name}=1", "-o", tmp_path / "out")
    assert imported.returncode == 0 and "not in profilegen's catalog" in imported.stderr
    assert refused.returncode == 1 and "(14,000,000 characters)" in refused.stderr and len(refused.stderr) < 1000


# --- check on Apple's and other vendors' payloads ---------------------------------------------


def findings(path) -> list[tuple[str, str]]:
    data = json.loads(run("check", path, "--format", "json").stdout)
    return [(f["code"], f["message"]) for f in data["findings"]]


def test_a_key_of_another_vendor_is_theirs_and_said_to_be_unchecked(tmp_path):
    path = write(
        tmp_path / "vendors.mobileconfig",
        profile(
            {"PayloadType": "com.google.Chrome", "UpdateCheckInterval": 5},
            {"PayloadType": "com.apple.security.firewall", "EnableFirewall": True, "Applications": []},
            {"PayloadType": "com.microsoft.Word", "UpdateCheckInterval": 5},
        ),
    )
    found = findings(path)
    assert [c for c, m in found if c == "PG201"] == ["PG201"]  # Word's, not Chrome's or the firewall's
    assert ("PG208", "com.google.Chrome is not a payload profilegen has facts for; not checked") in found
    assert run("check", path).returncode == 1  # for Word's key alone


def test_an_encrypted_profile_is_valid_and_its_contents_unchecked(tmp_path):
    data = profile({"PayloadType": "com.microsoft.Word"})
    del data["PayloadContent"]
    path = write(tmp_path / "enc.mobileconfig", {**data, "EncryptedPayloadContent": b"\x30\x80\x00\x00"})
    result = run("check", path)
    assert result.returncode == 0 and "[PG100]" not in result.stdout
    assert "encrypted (EncryptedPayloadContent)" in result.stdout and "no problems found" not in result.stdout


def test_an_integer_where_apple_allows_reals_is_the_same_number(tmp_path):
    path = write(
        tmp_path / "cookies.mobileconfig",
        profile({"PayloadType": "com.apple.applicationaccess", "safariAcceptCookies": 2}),
    )
    assert not [m for c, m in findings(path) if "safariAcceptCookies" in m]
    bad = write(
        tmp_path / "bad.mobileconfig", profile({"PayloadType": "com.apple.applicationaccess", "safariAcceptCookies": 3})
    )
    assert any("safariAcceptCookies = 3 is not one of" in m for c, m in findings(bad))


def test_one_defect_one_finding_an_empty_uuid_and_tccs_authorization(tmp_path):
    data = profile(
        {"PayloadType": "com.microsoft.Word", "PayloadVersion": "1"},
        {
            "PayloadType": "com.apple.TCC.configuration-profile-policy",
            "Services": {
                "Camera": [
                    {"Identifier": "x", "IdentifierType": "bundleID", "CodeRequirement": "y", "Authorization": "Allow"}
                ]
            },
        },
    )
    data["PayloadVersion"], data["PayloadUUID"] = "1", ""
    codes = [c for c, _ in findings(write(tmp_path / "p.mobileconfig", data))]
    assert codes.count("PG103") == 1 and "PG105" not in codes  # a string PayloadVersion: one finding
    assert codes.count("PG109") == 1 and "PG110" not in codes
    assert "PG116" in codes and "PG101" not in codes  # an empty PayloadUUID is an error of its own
    assert "PG301" not in codes  # Authorization stands for Allowed


def test_an_unknown_payload_type_is_never_no_problems_found(tmp_path):
    path = write(tmp_path / "odd.mobileconfig", profile({"PayloadType": "com.apple.notathing", "X": 1}))
    result = run("check", path)
    assert result.returncode == 0 and "not checked" in result.stdout and "no problems found" not in result.stdout


# --- reports that tools can't misread ---------------------------------------------------------


def test_github_annotations_escape_what_could_forge_another(tmp_path):
    name = "x\n::error file=forged.mobileconfig::forged,y:z%.mobileconfig"
    path = write(tmp_path / name, profile({"PayloadType": "com.microsoft.Word", "UseOnlineContent": "0"}))
    out = run("check", path, "--format", "github").stdout.splitlines()
    found = json.loads(run("check", path, "--format", "json").stdout)["findings"]
    # One annotation per finding, each one line whose properties end where GitHub expects them.
    assert len(out) == len(found) and all(line.startswith(("::error file=", "::warning file=")) for line in out)
    properties = out[0].split("::")[1]
    assert "%0A%3A%3Aerror file=forged.mobileconfig%3A%3Aforged%2Cy%3Az%25" in properties


def test_json_and_sarif_are_valid_whatever_bytes_a_file_name_holds(tmp_path):
    import os

    name = os.fsdecode(b"bad-\xff-name.mobileconfig")
    path = write(tmp_path / name, profile({"PayloadType": "com.microsoft.Word", "UseOnlineContent": "0"}))
    for fmt in ("json", "sarif"):
        text = run("check", path, "--format", fmt).stdout
        text.encode("utf-8")  # no lone surrogates reach the output
        json.loads(text)
    sarif = json.loads(run("check", path, "--format", "sarif", "--base", tmp_path).stdout)
    uri = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "bad-%FF-name.mobileconfig"


def test_inspect_json_lists_every_file_an_unreadable_one_with_its_error(tmp_path):
    good = write(tmp_path / "good.mobileconfig", profile({"PayloadType": "com.microsoft.Word", "UseOnlineContent": 0}))
    bad = tmp_path / "bad.mobileconfig"
    bad.write_text("not a plist")
    result = run("inspect", good, bad, "--json")
    assert result.returncode == 1
    profiles = json.loads(result.stdout)["profiles"]
    assert [p["file"] for p in profiles] == [str(good), str(bad)]
    assert "error" not in profiles[0] and "is not a property list" in profiles[1]["error"]
    assert "one entry each" in " ".join(run("inspect", "--help").stdout.split())


def test_the_endpoints_markdown_shows_a_users_text_as_text(tmp_path):
    name = "Office <script>alert(1)</script> [click](javascript:x) | *bold*"
    result = run(
        "build", "--set", "DefaultWeatherLocation=Paris `x` | y", "--display-name", name,
        "-o", tmp_path, "-f", "endpoints",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "office-network-endpoints.md").read_text()
    title = text.splitlines()[0]
    assert "<script>" not in title and "&lt;script&gt;" in title and "\\[click\\]\\(javascript" in title
    assert "\\| \\*bold\\*" in title
    assert "= `` Paris `x` | y ``" in text  # the value whole, in a code span


def test_the_pre_commit_hook_matches_profiles_in_any_case():
    import re

    from conftest import ROOT

    pattern = re.search(r"^\s+files: (\S+)", (ROOT / ".pre-commit-hooks.yaml").read_text(), re.M).group(1)
    assert all(re.search(pattern, name) for name in ("a.mobileconfig", "B.MOBILECONFIG", "c.MobileConfig"))
    assert not re.search(pattern, "a.mobileconfig.bak")


# --- signatures in the forms and states they come in ------------------------------------------


@pytest.fixture
def signed(tmp_path, pki):
    leaf = pki.leaf("forms")
    out = tmp_path / "out"
    built = run("build", "-p", "manual-updates", "-o", out, "-f", "mobileconfig", "--sign-cert", leaf.cert_pem,
                "--sign-key", leaf.key_pem, "--sign-chain", pki.inter_pem)  # fmt: skip
    assert built.returncode == 0, built.stderr
    return out / "manual-updates.signed.mobileconfig"


def test_a_pem_wrapped_signed_profile_is_read_as_signed(tmp_path, signed, pki):
    import base64
    import textwrap

    body = "\n".join(textwrap.wrap(base64.b64encode(signed.read_bytes()).decode(), 64))
    pem = tmp_path / "pem.mobileconfig"
    pem.write_text(f"-----BEGIN PKCS7-----\n{body}\n-----END PKCS7-----\n")
    assert "signed by CN=Profile Signer forms" in run("inspect", pem).stdout
    assert run("verify", pem, "--ca", pki.root_pem).returncode == 0
    assert "(signed content)" in run("check", pem).stdout
    assert run("import", pem).returncode == 0


@pytest.mark.parametrize("command", ["inspect", "check", "import", "verify"])
def test_a_truncated_signature_names_its_file_and_says_it_is_damaged(tmp_path, signed, command):
    cut = tmp_path / "cut.mobileconfig"
    cut.write_bytes(signed.read_bytes()[:600])
    result = run(command, cut)
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert result.returncode == 1 and errors == [
        f"Error: {cut}: a damaged signature: not readable as CMS, truncated or corrupt (ValueError)"
    ]


def test_a_file_that_is_not_cms_at_all_is_not_signed(tmp_path):
    plain = tmp_path / "plain.mobileconfig"
    plain.write_bytes(b"\x30\x03\x02\x01\x01")  # DER, but no signedData
    result = run("verify", plain)
    assert result.returncode == 1 and result.stderr == f"Error: {plain} is not signed\n"


# --- a file that isn't a property list says why, and where ------------------------------------


@pytest.mark.parametrize(
    "old, new, said",
    [
        (
            "<string>Manual</string>",
            "<string>Manual/string>",
            "<string> holds a <key>: its closing </string> is missing",
        ),
        ("<integer>1</integer>", "<integer>{{payload_version}}</integer>", "<integer> holds '{{payload_version}}'"),
        ("<key>HowToCheck</key>", "<key>HowToCheck</key><data>!!not base64!!</data>", "<data> holds something"),
        ("<key>HowToCheck</key>", "<key>HowToCheck</key><key>Again</key>", "<dict> has a <key> where the value"),
        ("</dict>\n</plist>", "</dict>\n</plist", "not a well-formed property list"),
    ],
    ids=["typo", "placeholder", "base64", "two-keys", "unclosed"],
)
def test_xml_that_isnt_a_plist_names_the_problem_its_line_and_column(tmp_path, old, new, said):
    assert run("build", "--set", "HowToCheck=Manual", "-o", tmp_path / "b", "-f", "mobileconfig").returncode == 0
    text = (tmp_path / "b" / "office-network.mobileconfig").read_text()
    assert old in text
    broken = tmp_path / "broken.mobileconfig"
    broken.write_text(text.replace(old, new, 1))
    line = text[: text.index(old)].count("\n") + 1
    result = run("check", broken)
    assert result.returncode == 1 and said in result.stderr, result.stderr
    shown = re.match(rf"Error: {re.escape(str(broken))}:(\d+):(\d+): ", result.stderr)
    assert shown and (int(shown.group(1)) == line or "well-formed" in said)
    for fmt in ("json", "github", "sarif"):
        out = run("check", broken, "--format", fmt).stdout
        assert (
            f"line={shown.group(1)}" in out
            if fmt == "github"
            else f'"{"line" if fmt == "json" else "startLine"}": {shown.group(1)}' in out
        )
