"""The wizard, driven for real in a pseudo-terminal with pexpect.

Which questions it asks, and in what order, comes from the catalog and the
Request's declarations, so the driver below derives them from there too.
"""

import io
import json
import os
import plistlib
import re
import shlex
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pexpect
import pytest

from profilegen.cli.app import parse
from profilegen.cli.wizard import asked, default_preset, presets_for
from profilegen.core.request import Profile, Request, SigningOptions
from profilegen.core.target import Target

from conftest import HUNG, run

DOWN, UP, SPACE, ENTER, CTRL_C, CTRL_U, ESC = "\x1b[B", "\x1b[A", " ", "\r", "\x03", "\x15", "\x1b"
# The profile details, the name of the files first: the identifier's default is made from it.
DETAILS = ["Name of the files:", *(f.metadata["option"].question for f in fields(Profile))]
OUTPUTS = ["Output folder:", "Outputs to write:", "Sign the profile?"]
CONSOLE = "Which console deploys the profile?"

pytestmark = [pytest.mark.slow, pytest.mark.timing]  # a real terminal, question by question


def spawn(cwd, env=None):
    # No terminal answers cursor-position requests here; without this each prompt waits for one.
    env = {**os.environ, "TERM": "xterm-256color", "PROMPT_TOOLKIT_NO_CPR": "1", **(env or {})}
    env.pop("PROFILEGEN_P12_PASSWORD", None)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "profilegen", "wizard"],
        cwd=str(cwd),
        env=env,
        encoding="utf-8",
        timeout=HUNG,
        dimensions=(50, 160),
    )
    child.logfile_read = io.StringIO()
    child.delaybeforesend = None  # pexpect's guess at a terminal's readiness: `answer` waits for the prompt
    return child


def prompt(question: str) -> re.Pattern:
    """A question as questionary draws it while it waits: its mark, then the words. The bare words
    also stand in earlier output (a list of answers to change, a heading), where the prompt isn't
    up yet and keys would reach a terminal still in cooked mode; prompt_toolkit switches to raw
    mode before it draws, so once this is on screen, keys go to the question."""
    # "N of them exist already": the one question that starts with a number of its own.
    return re.compile(r"\?(?:\x1b\[[0-9;]*m)* (?:[0-9]+ of them )?" + re.escape(question))


def answer(child, question, *keys):
    child.expect(prompt(question))
    for key in keys:
        child.send(key)


def current(catalog):
    return Target.of(catalog)


def start_from(catalog, name, target=None, now=None):
    """The keys that move from the preset offered first to preset `name` ("" for from scratch)."""
    target = target or current(catalog)
    order = presets_for(catalog, target) + [""]
    steps = order.index(name) - order.index(default_preset(catalog, target) if now is None else now)
    return (UP * -steps if steps < 0 else DOWN * steps) + ENTER


def pick(pref, value):
    """The keys that move from "leave unset" (last) to one of the preference's values."""
    return UP * (len(pref.values) - [v.value for v in pref.values].index(value)) + ENTER


def older(office, mau):
    """Answers to the target question that name an older Office and AutoUpdate."""
    return (DOWN, ENTER), (office, ENTER), (mau, ENTER)


def begin(child, versions=None, console=(ENTER,)):
    """The console question (generic unless told), then the target: the current versions, or (office, mau)."""
    answer(child, CONSOLE, *console)
    if versions is None:
        answer(child, "Which Office do the Macs run?", ENTER)
        return
    answer(child, "Which Office do the Macs run?", DOWN, ENTER)
    answer(child, "Office version", versions[0], ENTER)
    answer(child, "AutoUpdate version", versions[1], ENTER)


def settings(child, catalog, picks=None, target=None):
    """Every question the target gets, in catalog order; picks[key] = (keys for the value, keys for the apps).

    A question about apps follows only where a value was chosen for a key the target reads in several domains.
    """
    picks = picks or {}
    target = target or current(catalog)
    prefs = [p for p in catalog.preferences.values() if asked(catalog, p, target)]
    after = [f"{p.title} ({p.key})" for p in prefs[1:]] + ["Profile details"]
    for pref, following in zip(prefs, after, strict=True):
        answer(child, f"{pref.question} ({pref.key})", picks.get(pref.key, (ENTER,))[0])
        several = len(asked(catalog, pref, target)) > 1
        if several and child.expect([prompt(f"{pref.key} = "), re.escape(following)]) == 0:
            child.send(picks.get(pref.key, (ENTER, ENTER))[1])


def details(child, answers=None, start=0):
    for question in DETAILS[start:]:
        answer(child, question, *(answers or {}).get(question, (ENTER,)))


def outputs(child, answers=None):
    for question in OUTPUTS:
        answer(child, question, *(answers or {}).get(question, (ENTER,)))


def files(folder):
    return sorted(p for p in folder.rglob("*") if p.is_file())


def finish(child):
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


def rebuild_command(child) -> str:
    child.expect_exact("To build the same again in a pipeline:")
    child.expect(r"(profilegen build [^\r\n\x1b]*)")
    return child.match.group(1)


# The HTML report says when it was made, to the minute: two builds compared byte for byte are
# made at one stated time, or a minute that turns between them would tell them apart.
MADE = {"SOURCE_DATE_EPOCH": "1764633600"}


def test_enter_throughout_builds_the_preset_and_prints_a_command_that_parses_back(tmp_path, catalog):
    preset = "most-private-current"
    child = spawn(tmp_path, env=MADE)
    begin(child)
    answer(child, "Start from:", start_from(catalog, preset))
    settings(child, catalog)
    details(child)
    outputs(child)
    answer(child, "Write ", ENTER)
    command = rebuild_command(child)
    assert finish(child) == 0
    expected = Request(configs=(Path(f"build/{preset}.toml"),), force=True)
    assert command == expected.command()
    assert parse(command.split()) == expected
    reference = tmp_path / "reference"
    assert run("build", "-p", preset, "-o", reference, env={**os.environ, **MADE}).returncode == 0
    built = tmp_path / "build"
    assert b"Made 2025-12-02 00:00 UTC" in (built / f"{preset}-report.html").read_bytes()  # the time stated
    assert [p.relative_to(built) for p in files(built)] == sorted(
        [p.relative_to(reference) for p in files(reference)] + [Path(f"{preset}.toml")]
    )
    for path in files(reference):
        # The scripts' headers name their sources, and the manifest holds the scripts' checksums.
        if not path.name.endswith((".sh", ".manifest.json")):
            assert (built / path.relative_to(reference)).read_bytes() == path.read_bytes(), path.name
    listed = [
        {f["path"] for f in json.loads((folder / f"{preset}.manifest.json").read_text())["files"]}
        for folder in (built, reference)
    ]
    assert listed[0] == listed[1]


def test_an_older_office_custom_answers_and_a_rebuild_from_the_saved_config(tmp_path, catalog):
    target = Target.of(catalog, "16.23", "4.11")
    child = spawn(tmp_path, env=MADE)
    begin(child, ("16.23", "4.11"))
    answer(child, "Start from:", start_from(catalog, "", target))
    prefs = catalog.preferences
    settings(
        child,
        catalog,
        target=target,
        picks={
            "UseOnlineContent": (pick(prefs["UseOnlineContent"], 0), DOWN + SPACE + DOWN + SPACE + ENTER),  # Word only
            "SendAllTelemetryEnabled": (
                pick(prefs["SendAllTelemetryEnabled"], False),
                SPACE + DOWN + SPACE + DOWN + SPACE + ENTER,
            ),  # not in Word, Excel, PowerPoint
            "IsMerpEnabled": (pick(prefs["IsMerpEnabled"], True),),
            "HowToCheck": (pick(prefs["HowToCheck"], "AutomaticCheck"),),
        },
    )
    log = child.logfile_read.getvalue()
    assert "(DiagnosticDataTypePreference)" not in log and "(AcknowledgedDataCollectionPolicy)" not in log
    details(
        child,
        {
            "Name of the files:": (CTRL_U, "site", ENTER),
            DETAILS[1]: ("Example Corp", ENTER),
            DETAILS[3]: (CTRL_U, "Office, the quiet way", ENTER),
            DETAILS[4]: ("Set by IT", ENTER),
            DETAILS[5]: (DOWN, ENTER),  # User
            DETAILS[6]: ("y",),
            DETAILS[7]: (DOWN, ENTER),  # mcx
        },
    )
    outputs(child, {"Output folder:": (CTRL_U, "out", ENTER)})
    answer(child, "Write ", ENTER)
    command = rebuild_command(child)
    assert finish(child) == 0
    assert parse(command.split()) == Request(configs=(Path("out/site.toml"),), output_dir=Path("out"), force=True)

    info = json.loads(run("inspect", tmp_path / "out" / "site.mobileconfig", "--json").stdout)
    found = {(s["domain"], s["key"]): s["value"] for p in info["payloads"] for s in p["settings"]}
    assert found == {
        ("com.microsoft.Word", "UseOnlineContent"): 0,
        ("com.microsoft.Outlook", "SendAllTelemetryEnabled"): False,
        ("com.microsoft.onenote.mac", "SendAllTelemetryEnabled"): False,
        ("com.microsoft.autoupdate2", "SendAllTelemetryEnabled"): False,
        ("com.microsoft.Office365ServiceV2", "SendAllTelemetryEnabled"): False,
        ("com.microsoft.errorreporting", "IsMerpEnabled"): True,
        ("com.microsoft.autoupdate2", "HowToCheck"): "AutomaticCheck",
    }
    meta = info["metadata"]
    assert (meta["PayloadScope"], meta["PayloadOrganization"]) == ("User", "Example Corp")
    assert (meta["PayloadDisplayName"], meta["PayloadDescription"]) == ("Office, the quiet way", "Set by IT")
    assert meta["PayloadIdentifier"] == "com.example-corp.office.site"  # made from the name given
    assert meta["PayloadRemovalDisallowed"] is True
    assert {p["type"] for p in info["payloads"]} == {"com.apple.ManagedClient.preferences"}
    assert '[target]\noffice = "16.23"\nmau = "4.11"' in (tmp_path / "out" / "site.toml").read_text()

    result = subprocess.run(
        [sys.executable, "-m", "profilegen", "build", "--config", "out/site.toml", "--output-dir", "rebuilt"],
        cwd=tmp_path,
        env={**os.environ, **MADE},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    rebuilt = tmp_path / "rebuilt"
    for path in files(rebuilt):
        assert (tmp_path / "out" / path.relative_to(rebuilt)).read_bytes() == path.read_bytes(), path.name
    assert len(files(rebuilt)) == len(files(tmp_path / "out")) - 1  # all but the config


@pytest.mark.parametrize("key", [CTRL_C, ESC])
def test_cancel_in_the_middle_leaves_nothing(tmp_path, catalog, key):
    child = spawn(tmp_path)
    begin(child)
    answer(child, "Start from:", ENTER)
    settings(child, catalog)
    answer(child, DETAILS[0], ENTER)
    answer(child, DETAILS[1], ENTER)
    answer(child, DETAILS[2], key)
    child.expect_exact("Cancelled: nothing was written.")
    assert finish(child) == 130
    assert list(tmp_path.iterdir()) == []


def test_an_empty_selection_is_caught_at_once_in_wizard_words(tmp_path, catalog):
    child = spawn(tmp_path)
    begin(child)
    answer(child, "Start from:", start_from(catalog, ""))
    settings(child, catalog)
    child.expect_exact("Nothing is set yet")
    answer(child, "Start from:", start_from(catalog, "manual-updates", now=""))
    settings(child, catalog)
    details(child)
    outputs(child)
    answer(child, "Write ", ENTER)
    assert finish(child) == 0
    assert "--set" not in child.logfile_read.getvalue() and "--preset" not in child.logfile_read.getvalue()
    assert (tmp_path / "build" / "manual-updates.mobileconfig").exists()


def test_invalid_identifier_is_asked_again(tmp_path, catalog):
    child = spawn(tmp_path)
    begin(child)
    answer(child, "Start from:", ENTER)
    settings(child, catalog)
    answer(child, DETAILS[0], ENTER)
    answer(child, DETAILS[1], ENTER)
    answer(child, DETAILS[2], CTRL_U, "my profile", ENTER)
    child.expect_exact("is not valid; expected reverse-DNS")
    child.send(CTRL_U + "com.example.office" + ENTER)
    details(child, start=3)
    outputs(child)
    answer(child, "Write ", ENTER)
    assert finish(child) == 0
    assert (
        b"<string>com.example.office</string>" in (tmp_path / "build" / "required-data-only.mobileconfig").read_bytes()
    )


def test_review_changes_one_answer_and_existing_files_are_not_replaced_unasked(tmp_path, catalog):
    (tmp_path / "build").mkdir()
    mine = tmp_path / "build" / "required-data-only.mobileconfig"
    mine.write_text("mine")
    child = spawn(tmp_path)
    begin(child)
    answer(child, "Start from:", ENTER)
    settings(child, catalog)
    details(child)
    outputs(child)
    answer(child, "Write ", ENTER)
    answer(child, "exist already", ENTER)  # No: keep them
    asked_prefs = [p for p in catalog.preferences.values() if asked(catalog, p, current(catalog))]
    steps = ["Console", "Target", "Start from", *asked_prefs, *DETAILS, "Output folder"]
    answer(child, "Change which answer?", DOWN * (len(steps) - 1), ENTER)
    answer(child, "Output folder:", CTRL_U, "elsewhere", ENTER)
    answer(child, "Write ", DOWN, ENTER)  # Change an answer
    answer(child, "Change which answer?", DOWN * steps.index("Name of the files:"), ENTER)
    answer(child, "Name of the files:", CTRL_U, "renamed", ENTER)
    answer(child, "Write ", ENTER)
    command = rebuild_command(child)
    assert finish(child) == 0
    assert mine.read_text() == "mine" and [p.name for p in (tmp_path / "build").iterdir()] == [mine.name]
    assert (tmp_path / "elsewhere" / "renamed.mobileconfig").exists()
    assert parse(command.split()).configs == (Path("elsewhere/renamed.toml"),)


def test_without_a_terminal_it_points_to_build(tmp_path):
    result = run("wizard", cwd=tmp_path, input="")
    assert result.returncode == 2
    assert "profilegen build" in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_wrong_p12_password_is_asked_again_keeping_the_path(tmp_path, catalog):
    from pki import PKI

    pki = PKI(tmp_path)
    p12 = pki.p12(pki.leaf("wizard"), b"s3cret-pass")
    child = spawn(tmp_path)
    begin(child)
    answer(child, "Start from:", ENTER)
    settings(child, catalog)
    details(child)
    outputs(child, {"Sign the profile?": (DOWN, DOWN, ENTER)})
    answer(child, "The .p12 file:", str(p12), ENTER)
    answer(child, "Password for", "wrong", ENTER)
    child.expect_exact("wrong password")
    assert child.expect([prompt(q) for q in ("Password for", "The .p12 file:", "Sign the profile?")]) == 0  # path kept
    child.send("s3cret-pass" + ENTER)
    answer(child, "Write ", ENTER)
    command = rebuild_command(child)
    assert finish(child) == 0
    assert "s3cret-pass" not in child.logfile_read.getvalue()
    assert parse(command.split()) == Request(
        configs=(Path("build/required-data-only.toml"),), force=True, signing=SigningOptions(sign_p12=p12)
    )
    signed = tmp_path / "build" / "required-data-only.signed.mobileconfig"
    assert run("verify", signed, "--ca", pki.root_pem).returncode == 0
    assert b"s3cret-pass" not in (tmp_path / "build" / "required-data-only.toml").read_bytes()


def test_a_key_that_does_not_match_is_asked_again_alone(tmp_path, catalog):
    from pki import PKI

    pki = PKI(tmp_path)
    right, wrong = pki.leaf("right"), pki.leaf("other", kind="ec")
    child = spawn(tmp_path)
    begin(child)
    answer(child, "Start from:", ENTER)
    settings(child, catalog)
    details(child)
    outputs(child, {"Sign the profile?": (DOWN, ENTER)})
    answer(child, "Certificate (PEM or DER):", str(right.cert_pem), ENTER)
    answer(child, "Private key (PEM):", str(wrong.key_pem), ENTER)
    answer(child, "Intermediate certificates", str(pki.chain_pem), ENTER)
    child.expect_exact("does not match the certificate")
    asked = ["Private key (PEM):", "Certificate (PEM or DER):", "Intermediate certificates", "Write "]
    assert child.expect([prompt(q) for q in asked]) == 0  # the key alone, the other paths kept
    child.send(CTRL_U + str(right.key_pem) + ENTER)
    assert child.expect([prompt(q) for q in asked[1:]] + ["does not match"]) == 2
    child.send(ENTER)
    command = rebuild_command(child)
    assert finish(child) == 0
    assert parse(command.split()).signing == SigningOptions(
        sign_cert=right.cert_pem, sign_key=right.key_pem, sign_chain=pki.chain_pem
    )
    signed = tmp_path / "build" / "required-data-only.signed.mobileconfig"
    assert run("verify", signed, "--ca", pki.root_pem).returncode == 0


def test_replace_removes_what_the_previous_build_wrote_and_nothing_else(tmp_path, catalog):
    earlier = run(
        "build",
        "-p",
        "most-private-current",
        "--name",
        "required-data-only",
        "-o",
        tmp_path / "build",
        "--identifier",
        "com.example.office",
    )
    assert earlier.returncode == 0, earlier.stderr
    office = tmp_path / "build" / "required-data-only-jamf" / "com.microsoft.office.plist"
    assert office.exists()  # most-private-current manages com.microsoft.office, required-data-only too
    (tmp_path / "build" / "notes.txt").write_text("mine")
    stale = tmp_path / "build" / "required-data-only-intune" / "com.microsoft.office.plist"
    child = spawn(tmp_path)
    begin(child)
    answer(child, "Start from:", ENTER)
    settings(
        child,
        catalog,
        {
            "DiagnosticDataTypePreference": (
                pick(catalog.preferences["DiagnosticDataTypePreference"], "BasicDiagnosticData"),
            )
        },
    )
    details(child)
    outputs(child, {"Outputs to write:": (DOWN * 7, SPACE, DOWN, SPACE, ENTER)})  # no Intune files, no schemas
    answer(child, "Write ", ENTER)
    answer(child, "exist already", "y")
    assert finish(child) == 0
    assert (tmp_path / "build" / "notes.txt").read_text() == "mine"
    assert not stale.exists() and not stale.parent.exists()
    manifest = json.loads((tmp_path / "build" / "required-data-only.manifest.json").read_text())
    assert sorted(f["path"] for f in manifest["files"]) == sorted(
        p.relative_to(tmp_path / "build").as_posix()
        for p in (tmp_path / "build").rglob("*")
        if p.is_file() and p.name not in ("notes.txt", "required-data-only.toml", "required-data-only.manifest.json")
    )


def test_preset_descriptions_are_shown_whole_at_80_columns(tmp_path, catalog):
    """The caveat at the end of a description is what an admin must not miss."""
    child = spawn(tmp_path)
    child.setwinsize(24, 80)
    begin(child, ("16.20", "4.10"))
    target = Target.of(catalog, "16.20", "4.10")
    answer(child, "Start from:", start_from(catalog, "no-usage-telemetry", target)[:-1])
    description = catalog.presets["no-usage-telemetry"].description
    # The whole description on screen, whatever the wrapping puts between its words.
    child.expect(r"(?:\s|\x1b\[[0-9;?]*[A-Za-z])+".join(map(re.escape, description.split())))
    child.send(CTRL_C)
    finish(child)
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", " ", child.logfile_read.getvalue())
    assert " ".join(description.split()) in " ".join(screen.split())


def test_the_console_comes_first_and_sets_the_defaults_and_a_pac_file_asks_its_proxy(tmp_path, catalog):
    child = spawn(tmp_path)
    begin(child, console=(DOWN, ENTER))  # Jamf Pro
    answer(child, "Start from:", ENTER)
    settings(child, catalog)
    details(child)  # Enter throughout: the payload style offered first is the one Jamf Pro keeps editable
    answer(child, "Output folder:", ENTER)
    # Jamf's outputs are ticked; a PAC file (the sixth format) needs a proxy, so it is asked for.
    answer(child, "Outputs to write:", DOWN * 5, SPACE, ENTER)
    answer(child, "Proxy for the PAC file (HOST:PORT):", "proxy", ENTER)
    child.expect_exact("is not valid; expected HOST:PORT")
    child.send(CTRL_U + "proxy.example.com:3128" + ENTER)
    answer(child, "What should the PAC file send DIRECT", DOWN, ENTER)  # proxy mode
    answer(child, "Sign the profile?", ENTER)
    answer(child, "Write ", ENTER)
    command = rebuild_command(child)
    assert finish(child) == 0
    preset = default_preset(catalog, current(catalog))
    request = parse(shlex.split(command))
    assert (request.console, request.pac_proxy, request.pac_mode) == ("jamf", "proxy.example.com:3128", "proxy")
    assert set(request.formats) == {"mobileconfig", "jamf-plist", "jamf-schema", "pac"}
    built = tmp_path / "build"
    profile = plistlib.loads((built / f"{preset}.mobileconfig").read_bytes())
    assert {p["PayloadType"] for p in profile["PayloadContent"]} == {"com.apple.ManagedClient.preferences"}
    assert (built / f"{preset}.pac").read_text().startswith("// Proxy auto-config") and "(proxy mode)" in (
        built / f"{preset}.pac"
    ).read_text()
    assert list((built / f"{preset}-jamf").glob("*.json")) and not (built / f"{preset}.sh").exists()
