"""The wizard, driven for real in a pseudo-terminal with pexpect."""

import os
import subprocess
import sys
import time

import pexpect
import pytest

from conftest import run

DOWN, SPACE, ENTER, CTRL_C, CTRL_U, ESC = "\x1b[B", " ", "\r", "\x03", "\x15", "\x1b"
QUESTIONS = [  # in order, with what Enter-only answers
    "Start from:",
    "UseOnlineContent = 0) in:",
    "SendAllTelemetryEnabled = false) in:",
    "Crash reports where usage telemetry is off:",
    "IsAttachFilesEnabled = false)?",
    "How should AutoUpdate check for updates?",
    "Organization",
    "Profile identifier",
    "Display name:",
    "Install for:",
    "Output folder:",
    "Name of the files:",
    "Outputs to write:",
    "Sign the profile?",
    "Write ",
]


def spawn(cwd):
    # No terminal answers cursor-position requests here; without this each prompt waits for one.
    env = {**os.environ, "TERM": "xterm-256color", "PROMPT_TOOLKIT_NO_CPR": "1"}
    env.pop("PROFILEGEN_P12_PASSWORD", None)
    return pexpect.spawn(sys.executable, ["-m", "profilegen", "wizard"], cwd=str(cwd), env=env,
                         encoding="utf-8", timeout=30, dimensions=(50, 160))


def answer(child, question, *keys):
    child.expect_exact(question)
    time.sleep(0.05)  # let the prompt finish switching the terminal to raw mode
    for key in keys:
        child.send(key)


def files(folder):
    return [p for p in folder.rglob("*") if p.is_file()]


def finish(child):
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


def test_volume_license_offline_accepted_as_it_is(tmp_path):
    child = spawn(tmp_path)
    answer(child, QUESTIONS[0], DOWN, ENTER)
    for question in QUESTIONS[1:]:
        answer(child, question, ENTER)
    child.expect_exact("To build the same again in a pipeline:")
    child.expect_exact("profilegen build --config build/volume-license-offline.toml --output-dir build --force")
    assert finish(child) == 0
    build = tmp_path / "build"
    assert (build / "volume-license-offline.toml").exists()
    reference = tmp_path / "reference"
    assert run("build", "-p", "volume-license-offline", "-o", reference).returncode == 0
    for path in files(reference):
        if not path.name.endswith(".sh"):  # the scripts' headers name their sources
            assert (build / path.relative_to(reference)).read_bytes() == path.read_bytes(), path.name


def test_custom_selection_and_rebuild_from_the_saved_config(tmp_path):
    child = spawn(tmp_path)
    answer(child, QUESTIONS[0], DOWN, DOWN, ENTER)  # From scratch
    answer(child, QUESTIONS[1], SPACE, ENTER)  # Word only
    answer(child, QUESTIONS[2], DOWN, DOWN, DOWN, SPACE, ENTER)  # Outlook only
    answer(child, QUESTIONS[3], DOWN, ENTER)  # keep crash reports
    answer(child, QUESTIONS[4], "y")
    answer(child, QUESTIONS[5], DOWN, DOWN, ENTER)  # AutomaticCheck
    answer(child, QUESTIONS[6], "Example Corp", ENTER)
    child.expect_exact("com.example-corp.office.office-network")
    child.send(ENTER)
    answer(child, QUESTIONS[8], ENTER)
    answer(child, QUESTIONS[9], DOWN, ENTER)  # User scope
    answer(child, QUESTIONS[10], CTRL_U, "out", ENTER)
    answer(child, QUESTIONS[11], CTRL_U, "site", ENTER)
    for question in QUESTIONS[12:]:
        answer(child, question, ENTER)
    child.expect_exact("profilegen build --config out/site.toml --output-dir out --force")
    assert finish(child) == 0

    info = run("inspect", tmp_path / "out" / "site.mobileconfig", "--json")
    data = __import__("json").loads(info.stdout)
    settings = {(s["domain"], s["key"]): s["value"] for p in data["payloads"] for s in p["settings"]}
    assert settings == {
        ("com.microsoft.Word", "UseOnlineContent"): 0,
        ("com.microsoft.Outlook", "SendAllTelemetryEnabled"): False,
        ("com.microsoft.autoupdate2", "HowToCheck"): "AutomaticCheck",
        ("com.microsoft.errorreporting", "IsAttachFilesEnabled"): False,
        ("com.microsoft.errorreporting", "IsMerpEnabled"): True,
    }
    assert data["metadata"]["PayloadScope"] == "User"
    assert data["metadata"]["PayloadOrganization"] == "Example Corp"

    rebuilt = tmp_path / "rebuilt"
    result = subprocess.run([sys.executable, "-m", "profilegen", "build", "--config", "out/site.toml",
                             "--output-dir", "rebuilt"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for path in files(rebuilt):
        assert (tmp_path / "out" / path.relative_to(rebuilt)).read_bytes() == path.read_bytes(), path.name
    assert len(files(rebuilt)) == len(files(tmp_path / "out")) - 1  # all but the config


@pytest.mark.parametrize("key", [CTRL_C, ESC])
def test_cancel_in_the_middle_leaves_nothing(tmp_path, key):
    child = spawn(tmp_path)
    for question in QUESTIONS[:7]:
        answer(child, question, ENTER)
    answer(child, QUESTIONS[7], key)
    child.expect_exact("Cancelled: nothing was written.")
    assert finish(child) == 130
    assert list(tmp_path.iterdir()) == []


def test_invalid_identifier_is_asked_again(tmp_path):
    child = spawn(tmp_path)
    for question in QUESTIONS[:7]:
        answer(child, question, ENTER)
    answer(child, QUESTIONS[7], CTRL_U, "my profile", ENTER)
    child.expect_exact("is not valid; expected reverse-DNS")
    child.send(CTRL_U + "com.example.office" + ENTER)
    for question in QUESTIONS[8:]:
        answer(child, question, ENTER)
    assert finish(child) == 0
    assert b"<string>com.example.office</string>" in (tmp_path / "build" / "no-usage-telemetry.mobileconfig").read_bytes()


def test_without_a_terminal_it_points_to_build(tmp_path):
    result = run("wizard", cwd=tmp_path, input="")
    assert result.returncode == 2
    assert "profilegen build" in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_signing_with_a_p12_and_a_hidden_password(tmp_path):
    from pki import PKI

    pki = PKI(tmp_path)
    p12 = pki.p12(pki.leaf("wizard"), b"s3cret-pass")
    child = spawn(tmp_path)
    child.logfile_read = transcript = __import__("io").StringIO()
    for question in QUESTIONS[:13]:
        answer(child, question, ENTER)
    answer(child, QUESTIONS[13], DOWN, DOWN, ENTER)
    answer(child, "The .p12 file:", str(p12), ENTER)
    answer(child, "Password for", "wrong", ENTER)
    child.expect_exact("wrong password")
    answer(child, QUESTIONS[13], DOWN, DOWN, ENTER)  # asked again
    answer(child, "The .p12 file:", str(p12), ENTER)
    answer(child, "Password for", "s3cret-pass", ENTER)
    answer(child, QUESTIONS[14], ENTER)
    child.expect_exact(f"--sign-p12 {p12}")
    assert finish(child) == 0
    assert "s3cret-pass" not in transcript.getvalue()
    signed = tmp_path / "build" / "no-usage-telemetry.signed.mobileconfig"
    assert run("verify", signed, "--ca", pki.root_pem).returncode == 0
    assert b"s3cret-pass" not in (tmp_path / "build" / "no-usage-telemetry.toml").read_bytes()
