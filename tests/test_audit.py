"""`profilegen audit`: what a set of profiles adds up to, from every form they come in."""

import html
import json
import plistlib
import shutil
import uuid

import pytest

from conftest import run

MCX = "com.apple.ManagedClient.preferences"


def payload(domain, identifier=None, **keys):
    return {
        "PayloadType": domain,
        "PayloadVersion": 1,
        "PayloadIdentifier": identifier or f"{domain}.{uuid.uuid4()}",
        "PayloadUUID": str(uuid.uuid4()),
        **keys,
    }


def mcx(domain, identifier=None, **keys):
    forced = {"Forced": [{"mcx_preference_settings": keys}]}
    return payload(MCX, identifier, PayloadContent={domain: forced})


def profile(identifier, *payloads, scope=None, name=None):
    return {
        "PayloadType": "Configuration",
        "PayloadVersion": 1,
        "PayloadIdentifier": identifier,
        "PayloadUUID": str(uuid.uuid4()),
        "PayloadDisplayName": name or identifier,
        **({"PayloadScope": scope} if scope else {}),
        "PayloadContent": list(payloads),
    }


def write(path, value, fmt=plistlib.FMT_XML):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(plistlib.dumps(value, fmt=fmt))
    return path


def audit(*args):
    return run("audit", *args)


def audited(*args, code=None):
    result = audit(*args, "--json")
    if code is not None:
        assert result.returncode == code, result.stdout + result.stderr
    return json.loads(result.stdout)


def codes(doc, scope=None):
    return [f["code"] for f in doc["findings"] if scope is None or f["scope"] == scope]


def finding(doc, code):
    found = [f for f in doc["findings"] if f["code"] == code]
    assert found, (code, doc["findings"])
    return found[0]


def scope(doc, name):
    return next(s for s in doc["scopes"] if s["scope"] == name)


def effective(doc, name="computer"):
    return {(s["domain"], s["key"]): s["value"] for s in scope(doc, name)["settings"]}


def two_that_disagree(folder):
    word = "com.microsoft.Word"
    a = write(folder / "a.mobileconfig", profile("com.example.a", payload(word, UseOnlineContent=0)))
    b = write(folder / "b.mobileconfig", profile("com.example.b", payload(word, UseOnlineContent=2)))
    return a, b


def test_two_profiles_that_disagree_are_a_conflict_in_every_format(tmp_path):
    a, b = two_that_disagree(tmp_path / "fleet")
    result = audit(tmp_path / "fleet")
    assert result.returncode == 1, result.stdout
    conflict = result.stdout[result.stdout.index("Conflicts and drift") :]
    for text in ("PG601", str(a), str(b), "com.microsoft.Word UseOnlineContent"):
        assert text in " ".join(conflict.split()), text

    doc = audited(tmp_path / "fleet", code=1)
    found = finding(doc, "PG601")
    assert found["level"] == "error" and set(found["files"]) == {str(a), str(b)}
    assert doc["profilegen_version"] and doc["summary"]["errors"] == 1
    word = scope(doc, "computer")["settings"][0]
    assert word["conflict"] and word["value"] is None
    sources = doc["sources"]
    assert {(sources[s["source"]]["file"], s["value"]) for s in word["sources"]} == {(str(a), 0), (str(b), 2)}
    # Which of 0 and 2 applies is undefined, so neither is assumed to silence anything.
    assert all(not r["changed_by"] for r in scope(doc, "computer")["endpoints"]["rows"])

    page = audit(tmp_path / "fleet", "--format", "html")
    assert page.returncode == 1
    assert "Content-Security-Policy" in page.stdout and "PG601" in page.stdout
    assert page.stdout.index("Conflicts and drift") < page.stdout.index("Effective Office settings")
    assert str(a) in page.stdout and str(b) in page.stdout

    sarif = json.loads(audit(tmp_path / "fleet", "--format", "sarif").stdout)
    results = sarif["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["PG601"] and results[0]["level"] == "error"
    assert str(a) in results[0]["message"]["text"] and str(b) in results[0]["message"]["text"]
    assert sarif["runs"][0]["tool"]["driver"]["rules"][0]["id"] == "PG601"


def test_the_same_profiles_installed_as_profiles_show_prints_them(tmp_path):
    """A document as `profiles show -output stdout-xml` prints it: installed profiles per scope,
    each payload's keys under its PayloadContent."""

    def installed(identifier, *items):
        return {
            "ProfileIdentifier": identifier,
            "ProfileDisplayName": f"{identifier} display",
            "ProfileInstallDate": "2026-11-30 09:00:00 +0000",
            "ProfileType": "Configuration",
            "ProfileUUID": str(uuid.uuid4()),
            "ProfileItems": list(items),
        }

    def item(domain, content):
        return {"PayloadType": domain, "PayloadIdentifier": f"{domain}.item", "PayloadContent": content}

    word = "com.microsoft.Word"
    doc = {
        "_computerlevel": [
            installed("com.example.a", item(word, {"UseOnlineContent": 0})),
            installed("com.example.b", item(word, {"UseOnlineContent": 2})),
            installed("com.example.wifi", item("com.apple.wifi.managed", {"SSID_STR": "office"})),
        ],
        "alice": [
            installed(
                "com.example.alice",
                item(MCX, {"com.microsoft.Excel": {"Forced": [{"mcx_preference_settings": {"UseOnlineContent": 0}}]}}),
            )
        ],
    }
    shown = write(tmp_path / "profiles.xml", doc)
    result = audited(shown, code=1)
    conflict = finding(result, "PG601")
    assert conflict["profiles"] == ["com.example.a", "com.example.b"] and conflict["files"] == [str(shown)]
    assert "com.example.a" in conflict["message"] and "com.example.b" in conflict["message"]
    assert result["inputs"]["kinds"]["profiles show"] == 1 and result["inputs"]["profiles"] == 4
    assert result["inputs"]["payloads"] == {"office": 3, "other": 1}
    # Alice has the computer's settings and her own; the computer's conflict is told once.
    assert [s["scope"] for s in result["scopes"]] == ["computer", "user alice"]
    assert set(effective(result, "user alice")) == {
        ("com.microsoft.Word", "UseOnlineContent"),
        ("com.microsoft.Excel", "UseOnlineContent"),
    }
    assert codes(result).count("PG601") == 1
    excel = next(s for s in scope(result, "user alice")["settings"] if s["domain"] == "com.microsoft.Excel")
    source = result["sources"][excel["sources"][0]["source"]]
    assert (source["profile"], source["display_name"]) == ("com.example.alice", "com.example.alice display")
    assert source["installed"] == "2026-11-30 09:00:00 +0000" and source["scope"] == "user alice"


def test_a_copy_of_managed_preferences(tmp_path):
    """One plist per domain, as macOS applied them; the users' in a folder each."""
    root = tmp_path / "Managed Preferences"
    write(root / "com.microsoft.Word.plist", {"UseOnlineContent": 2})
    write(root / "com.apple.screensaver.plist", {"idleTime": 600})
    write(root / "bob" / "com.microsoft.Word.plist", {"UseOnlineContent": 2})
    write(root / "alice" / "com.microsoft.Word.plist", {"UseOnlineContent": 0}, plistlib.FMT_BINARY)
    doc = audited(root, code=1)
    assert [s["scope"] for s in doc["scopes"]] == ["computer", "user alice", "user bob"]
    assert effective(doc) == {("com.microsoft.Word", "UseOnlineContent"): 2}
    conflict = finding(doc, "PG601")  # the computer's 2 and Alice's 0: macOS says nothing of which wins
    assert conflict["scope"] == "user alice"
    assert set(conflict["files"]) == {
        str(root / "com.microsoft.Word.plist"),
        str(root / "alice" / "com.microsoft.Word.plist"),
    }
    same = finding(doc, "PG602")  # Bob's own copy says what the computer's does
    assert same["scope"] == "user bob" and same["level"] == "info"
    assert doc["inputs"]["kinds"]["managed preferences"] == 4
    assert doc["inputs"]["payloads"] == {"office": 3, "other": 1}


def test_a_folder_of_every_form_with_unreadable_files_in_the_middle(tmp_path):
    from pki import PKI

    folder = tmp_path / "exported"
    word, excel, outlook = "com.microsoft.Word", "com.microsoft.Excel", "com.microsoft.Outlook"
    write(folder / "1-xml.mobileconfig", profile("com.example.xml", payload(word, UseOnlineContent=2)))
    write(
        folder / "2-binary.mobileconfig",
        profile("com.example.binary", payload(excel, UseOnlineContent=2)),
        plistlib.FMT_BINARY,
    )
    (folder / "3-broken.mobileconfig").write_bytes(b"<?xml version='1.0'?><plist><dict><key>x</key>")
    (folder / "4-empty.plist").write_bytes(b"")
    (folder / "README.txt").write_text("exported from Jamf Pro on Monday\n")  # not looked at
    write(
        folder / "nested" / "5-mcx.mobileconfig", profile("com.example.mcx", mcx(outlook, SendAllTelemetryEnabled=True))
    )
    onenote = payload("com.microsoft.onenote.mac", SendAllTelemetryEnabled=True)
    unsigned = write(tmp_path / "signed-source.mobileconfig", profile("com.example.signed", onenote))
    leaf = PKI(tmp_path).leaf("audit")
    signed = folder / "nested" / "6-signed.mobileconfig"
    assert run("sign", unsigned, signed, "--sign-cert", leaf.cert_pem, "--sign-key", leaf.key_pem).returncode == 0
    write(folder / "7-other.mobileconfig", profile("com.example.screen", payload("com.apple.screensaver", idleTime=1)))
    (folder / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")  # Finder's, not an input
    sealed = profile("com.example.sealed", payload("com.apple.screensaver"))
    del sealed["PayloadContent"]
    write(folder / "8-encrypted.mobileconfig", {**sealed, "EncryptedPayloadContent": b"\x30\x80"})
    write(folder / "9-odd.mobileconfig", profile("com.example.odd", "not a payload", 42))

    doc = audited(folder, code=2)
    assert effective(doc) == {
        (word, "UseOnlineContent"): 2,
        (excel, "UseOnlineContent"): 2,
        (outlook, "SendAllTelemetryEnabled"): True,
        ("com.microsoft.onenote.mac", "SendAllTelemetryEnabled"): True,
    }
    assert [u["file"] for u in doc["inputs"]["unreadable"]] == [
        str(folder / "3-broken.mobileconfig"),
        str(folder / "4-empty.plist"),
    ]
    assert doc["inputs"]["skipped"] == 1
    assert "PG604" in codes(doc)  # the encrypted one: said, not guessed at
    assert doc["inputs"]["kinds"] == {
        "profile": 7,
        "profiles show": 0,
        "managed preferences": 0,
        "signed": 1,
    }
    assert doc["inputs"]["payloads"] == {"office": 4, "other": 3}
    assert codes(doc).count("PG001") == 2

    text = audit(folder)
    assert text.returncode == 2 and "Unreadable" in text.stdout and "4-empty.plist" in text.stdout
    assert "Summary: 2 errors" in text.stdout


def test_a_conflict_inside_one_profile_names_its_payloads(tmp_path):
    word = "com.microsoft.Word"
    path = write(
        tmp_path / "one.mobileconfig",
        profile("com.example.one", payload(word, "com.example.one.first", UseOnlineContent=0),
                payload(word, "com.example.one.second", UseOnlineContent=2)),
    )  # fmt: skip
    conflict = finding(audited(path, code=1), "PG601")
    assert "com.example.one.first" in conflict["message"] and "com.example.one.second" in conflict["message"]


def test_drift_in_every_direction(tmp_path):
    intended = tmp_path / "intended.toml"
    intended.write_text(
        '[settings."com.microsoft.Word"]\nUseOnlineContent = 0\n'
        '[settings."com.microsoft.Excel"]\nUseOnlineContent = 0\n'
    )
    word, excel, outlook = "com.microsoft.Word", "com.microsoft.Excel", "com.microsoft.Outlook"
    deployed = write(
        tmp_path / "fleet" / "deployed.mobileconfig",
        profile(
            "com.example.deployed", payload(word, UseOnlineContent=2), payload(outlook, SendAllTelemetryEnabled=False)
        ),
    )
    doc = audited(deployed, "--against", intended, code=1)
    messages = {f["code"]: f["message"] for f in doc["findings"]}
    assert f"{excel} UseOnlineContent = 0 is intended" in messages["PG620"]  # missing
    assert f"{word} UseOnlineContent is 2" in messages["PG621"] and "intends 0" in messages["PG621"]  # other
    assert f"{outlook} SendAllTelemetryEnabled = false is set" in messages["PG622"]  # nobody meant it
    endpoints = [f for f in doc["findings"] if f["code"] == "PG623"]  # Word's rows aren't silenced, Outlook's are
    assert endpoints and all(f["level"] == "error" for f in endpoints)
    assert doc["against"] == str(intended)

    # The same settings as intended: no drift.
    write(tmp_path / "fleet" / "deployed.mobileconfig", profile(
        "com.example.deployed", payload(word, UseOnlineContent=0), payload(excel, UseOnlineContent=0)))  # fmt: skip
    clean = audited(deployed, "--against", intended)
    assert not [c for c in codes(clean) if c.startswith("PG62")]


def test_against_a_preset_lists_what_is_missing(tmp_path, catalog):
    a, _ = two_that_disagree(tmp_path / "fleet")
    doc = audited(a, "--against", "preset:most-private-current", code=1)
    missing = {f["message"].split(" = ")[0] for f in doc["findings"] if f["code"] == "PG620"}
    preset = catalog.presets["most-private-current"]
    assert missing == {f"{s.domain} {s.key}" for s in preset.values}
    assert "PG622" in codes(doc)  # Word's UseOnlineContent isn't in the preset
    text = audit(a, "--against", "preset:most-private-current")
    assert "Intended: preset:most-private-current." in text.stdout and "PG620" in text.stdout


def test_what_check_says_of_the_merged_settings(tmp_path):
    updates, office = "com.microsoft.autoupdate2", "com.microsoft.office"
    fleet = tmp_path / "fleet"
    word = {"/Applications/Microsoft Word.app": {"Application ID": "MSWD2019", "LCID": 1033}}
    updates_payload = payload(updates, HowToCheck="Automatic", Applications=word)
    write(fleet / "updates.mobileconfig", profile("com.example.updates", updates_payload))
    write(fleet / "kept.mobileconfig", profile("com.example.kept", payload(updates, LastUpdate="yesterday")))
    write(
        fleet / "word.mobileconfig",
        profile("com.example.word", payload("com.microsoft.Word", UseOnlineContent=0),
                payload(office, DiagnosticDataTypePreference="ZeroDiagnosticData")),
    )  # fmt: skip
    doc = audited(fleet, "--office", "16.17", code=0)
    by_code = {f["code"]: f for f in doc["findings"]}
    assert "AcknowledgedDataCollectionPolicy" in by_code["PG611"]["message"]  # AutoUpdate managed without it
    assert "LastUpdate" in by_code["PG207"]["message"]  # a key Microsoft says never to set
    assert "activation" in by_code["PG610"]["message"]  # UseOnlineContent 0 stops online activation
    assert "DiagnosticDataTypePreference" in by_code["PG209"]["message"]  # 16.17 doesn't read it
    assert any("LCID" in f["message"] and f["level"] == "warning" for f in doc["findings"])  # deprecated inside
    assert {f["level"] for f in doc["findings"]} == {"warning", "info"}, doc["findings"]
    assert audit(fleet, "--office", "16.17", "--strict").returncode == 1


def test_a_clean_set_exits_0_and_the_text_fits_80_columns(tmp_path):
    fleet = tmp_path / "fleet"
    write(fleet / "word.mobileconfig", profile("com.example.word", payload("com.microsoft.Word", UseOnlineContent=2)))
    write(fleet / "excel.mobileconfig", profile("com.example.excel", mcx("com.microsoft.Excel", UseOnlineContent=2)))
    result = audit(fleet)
    assert result.returncode == 0, result.stdout
    assert "Summary: 0 errors, 0 warnings, 0 notes." in result.stdout
    two_that_disagree(fleet / "more")
    shutil.copy(
        fleet / "word.mobileconfig", fleet / "more" / "a copy with a rather long name of the word profile.mobileconfig"
    )
    busy = run("audit", "fleet", "--against", "preset:most-private-current", cwd=tmp_path)
    assert busy.returncode == 1 and "PG601" in busy.stdout and "PG620" in busy.stdout
    assert max(len(line) for line in busy.stdout.splitlines()) <= 80


def test_hostile_names_stay_text(tmp_path):
    bad = "<script>alert(1)</script>\x1b[2J\x1b]0;owned\x07"
    hostile = profile(bad, payload("com.microsoft.Word", **{bad: 1}))
    path = write(tmp_path / "x.mobileconfig", hostile, plistlib.FMT_BINARY)  # XML can't hold the controls
    page = audit(path, "--format", "html").stdout
    assert "<script>" not in page and "&lt;script&gt;" in page
    text = audit(path).stdout
    assert "\x1b" not in text and "\x07" not in text and "\\x1b[2J" in text  # shown, not acted on
    github = audit(path, "--format", "github").stdout
    assert "\x1b" not in github and "\x07" not in github and "\\x1b[2J" in github
    doc = audited(path)
    assert finding(doc, "PG205")["profiles"] == [bad]


def test_every_format_carries_the_same_findings(tmp_path):
    fleet = tmp_path / "fleet"
    two_that_disagree(fleet)
    write(
        fleet / "kept.mobileconfig", profile("com.example.kept", payload("com.microsoft.autoupdate2", LastUpdate="x"))
    )
    args = (fleet, "--against", "preset:most-private-current")
    doc = audited(*args, code=1)
    told = [(f["code"], f"{f['scope']}: {f['message']}") for f in doc["findings"]]
    assert {"PG601", "PG620", "PG622", "PG623", "PG207"} <= {code for code, _ in told}
    sarif = json.loads(audit(*args, "--format", "sarif").stdout)["runs"][0]["results"]
    assert [(r["ruleId"], r["message"]["text"]) for r in sarif] == told
    github = audit(*args, "--format", "github").stdout.splitlines()
    assert [line.split("title=")[1].split("::")[0] for line in github] == [code for code, _ in told]
    page = audit(*args, "--format", "html").stdout
    text = " ".join(audit(*args).stdout.split())
    for code, message in told:
        assert code in page and html.escape(message.split(": ", 1)[1]) in page, message
        assert " ".join(message.split(": ", 1)[1].split()) in text, message


@pytest.mark.parametrize(
    "args", [("--format", "yaml"), ("--against", "preset:nope"), ("--against", "nope.toml"), ("--json", "-f", "html")]
)
def test_trouble_is_one_line_and_exit_2(tmp_path, args):
    a, _ = two_that_disagree(tmp_path)
    result = audit(a, *args)
    assert result.returncode == 2 and result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1


def test_nothing_to_audit_is_trouble(tmp_path):
    (tmp_path / "empty").mkdir()
    result = audit(tmp_path / "empty")
    assert result.returncode == 2 and "nothing to audit" in result.stderr
    missing = audit(tmp_path / "missing")
    assert missing.returncode == 2 and "can't be read" in missing.stdout
