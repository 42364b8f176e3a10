"""The generated shell script, run for real under dash and bash with stand-in macOS tools."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from profilegen.catalog import loading as catalog_module
from profilegen.core.request import Profile
from profilegen.core.selection import resolve
from profilegen.formats import mobileconfig, script

from conftest import HUNG, run
from helpers import profile_settings

HERE = Path(__file__).resolve().parent
TOOLS = ("defaults", "scutil", "stat", "id", "launchctl", "sudo", "dscl")
SHELLS = ("dash", "bash")
USERS = "alice:501:/Users/alice bob:502:/Users/bob _spotlight:89:/var/empty tester:503:/var/tester"
SHELLCHECK = Path(sys.executable).with_name("shellcheck")

PRESETS = list(catalog_module.load().presets)


class Mac:
    """A pretend Mac: stand-in tools first on PATH, their state and their call log."""

    def __init__(self, folder: Path):
        self.dir = folder
        self.bin = folder / "bin"
        self.bin.mkdir(parents=True)
        for tool in TOOLS:
            (self.bin / tool).symlink_to(HERE / "fake_macos.sh")

    def run(self, path, *args, shell="sh", user="root", console="alice", users=USERS):
        env = {
            "PATH": f"{self.bin}:{os.environ['PATH']}",
            "FAKE_DIR": str(self.dir),
            "FAKE_WHOAMI": user,
            "FAKE_UID": "0" if user == "root" else dict(u.split(":")[:2] for u in users.split())[user],
            "FAKE_CONSOLE": console,
            "FAKE_USERS": users,
        }
        return subprocess.run([shell, str(path), *args], env=env, capture_output=True, text=True, timeout=HUNG)

    def state(self) -> dict:
        """{user: {domain: {key: [type, value]}}} with values typed as a plist would be."""
        result: dict = {}
        for path in sorted((self.dir / "prefs").glob("*/*/*")):
            kind, value = path.read_text().splitlines()
            value = {"boolean": lambda v: v == "true", "integer": int}.get(kind, str)(value)
            result.setdefault(path.parent.parent.name, {}).setdefault(path.parent.name, {})[path.name] = [kind, value]
        return result

    def set(self, user, domain, key, kind, value):
        folder = self.dir / "prefs" / user / domain
        folder.mkdir(parents=True, exist_ok=True)
        shown = {True: "true", False: "false"}.get(value, value) if kind == "boolean" else value
        (folder / key).write_text(f"{kind}\n{shown}\n")

    def calls(self, tool=None) -> list[dict]:
        path = self.dir / "calls.log"
        lines = path.read_text().splitlines() if path.exists() else []
        calls = [dict(zip(("tool", "as", "args"), line.split("\t"), strict=True)) for line in lines]
        for call in calls:
            call["args"] = call["args"].split(" ")
        return [c for c in calls if tool is None or c["tool"] == tool]

    def clear_log(self):
        (self.dir / "calls.log").unlink(missing_ok=True)


@pytest.fixture
def mac(tmp_path):
    return Mac(tmp_path / "mac")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The scripts of every preset, built by the real CLI."""
    folder = tmp_path_factory.mktemp("build")
    for preset in PRESETS:
        result = run("build", "-p", preset, "-o", folder)
        assert result.returncode == 0, result.stderr
    return folder


def expected_settings(folder, name):
    """(domain, key, type, value) as the .mobileconfig of the same build carries them."""
    return profile_settings(folder / f"{name}.mobileconfig")


def written(state, user):
    return {(d, k, kind, v) for d, keys in state.get(user, {}).items() for k, (kind, v) in keys.items()}


def shellcheck(*paths: Path) -> None:
    """One run of shellcheck over every script given (its findings name each file)."""
    result = subprocess.run([str(SHELLCHECK), "-s", "sh", *map(str, paths)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_scripts_pass_shellcheck(built):
    shellcheck(*(built / name for preset in PRESETS for name in (f"{preset}.sh", f"{preset}-jamf-ea.sh")))


@pytest.mark.parametrize("preset", PRESETS)
def test_script_writes_exactly_what_the_profile_sets(built, mac, preset):
    result = mac.run(built / f"{preset}.sh", user="alice")
    assert result.returncode == 0, result.stderr
    assert written(mac.state(), "alice") == expected_settings(built, preset)
    assert os.access(built / f"{preset}.sh", os.X_OK)


@pytest.mark.parametrize("shell", SHELLS)
def test_as_a_user_writes_that_users_preferences(built, mac, shell):
    result = mac.run(built / "volume-license-offline.sh", shell=shell, user="bob")
    assert result.returncode == 0, result.stderr
    assert set(mac.state()) == {"bob"}
    assert not mac.calls("launchctl") and not mac.calls("sudo")
    assert "bob com.microsoft.Word UseOnlineContent: set to 0, was nothing" in result.stdout


@pytest.mark.parametrize("shell", SHELLS)
def test_as_root_writes_the_console_users_preferences(built, mac, shell):
    result = mac.run(built / "volume-license-offline.sh", shell=shell, user="root", console="alice")
    assert result.returncode == 0, result.stderr
    assert written(mac.state(), "alice") == expected_settings(built, "volume-license-offline")
    assert "root" not in mac.state()
    writes = mac.calls("defaults")
    assert writes and all(c["as"] == "alice" for c in writes)
    assert all(c["args"][:4] == ["asuser", "501", "sudo", "-u"] for c in mac.calls("launchctl"))


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("console", ["loginwindow", "", "_mbsetupuser", "root"])
def test_as_root_with_nobody_logged_in_writes_nothing(built, mac, shell, console):
    result = mac.run(built / "volume-license-offline.sh", shell=shell, user="root", console=console)
    assert result.returncode == 0
    assert "No user is logged in" in result.stdout and "nothing written" in result.stdout
    assert mac.calls("defaults") == []


@pytest.mark.parametrize("shell", SHELLS)
def test_check_with_nobody_logged_in_says_nothing_was_checked(built, mac, shell):
    """Not "compliant" (0) nor "drift" (1): the audit didn't happen, exit 3 as --help says."""
    path = built / "volume-license-offline.sh"
    check = mac.run(path, "--check", shell=shell, user="root", console="loginwindow")
    assert check.returncode == 3
    assert check.stdout == "No user is logged in (console user: 'loginwindow'): nothing checked. Run again at login.\n"
    assert "3 with --check when nobody is logged in" in mac.run(path, "--help", shell=shell).stdout
    undo = mac.run(path, "--undo", shell=shell, user="root", console="")
    assert undo.returncode == 0 and "nothing deleted" in undo.stdout and mac.calls("defaults") == []


@pytest.mark.parametrize("shell", SHELLS)
def test_help_describes_every_option_the_script_takes(built, mac, shell):
    path = built / "volume-license-offline.sh"
    result = mac.run(path, "--help", shell=shell)
    assert result.returncode == 0 and mac.calls("defaults") == []
    lines = result.stdout.splitlines()
    assert lines[0].startswith("usage: sh volume-license-offline.sh [--check")
    assert all(len(line) <= 80 for line in lines[1:])
    # Every option the argument loop accepts has a line of its own, with words after it.
    accepted = re.findall(r"^\s+(-[-a-z|\s-]+)\)", path.read_text(), re.MULTILINE)
    options = {o.strip() for arm in accepted for o in arm.split("|")}
    assert options == {"--check", "--undo", "--all-users", "--jamf-ea", "-h", "--help"}
    for option in options:
        described = [line for line in lines if re.match(rf"\s+(-h, )?{re.escape(option)}[\s,]", line)]
        assert described and len(described[0].split()) > 3, option


@pytest.mark.parametrize("shell", SHELLS)
def test_all_users_mode(built, mac, shell):
    result = mac.run(built / "manual-updates.sh", "--all-users", shell=shell, user="root", console="")
    assert result.returncode == 0, result.stderr
    assert set(mac.state()) == {"alice", "bob"}
    for user in ("alice", "bob"):
        assert mac.state()[user]["com.microsoft.autoupdate2"]["HowToCheck"] == ["string", "Manual"]


@pytest.mark.parametrize("shell", SHELLS)
def test_check_after_apply_and_after_drift(built, mac, shell):
    path = built / "volume-license-offline.sh"
    assert mac.run(path, shell=shell).returncode == 0
    check = mac.run(path, "--check", shell=shell)
    assert check.returncode == 0, check.stdout
    lines = check.stdout.strip().splitlines()
    assert len(lines) == 12 and all(": compliant, " in line for line in lines)

    mac.set("alice", "com.microsoft.Excel", "UseOnlineContent", "integer", 2)
    mac.set("alice", "com.microsoft.Word", "UseOnlineContent", "string", "0")  # the classic mistake
    mac.set("alice", "com.microsoft.autoupdate2", "HowToCheck", "string", "AutomaticDownload")
    check = mac.run(path, "--check", shell=shell)
    assert check.returncode == 1
    # Values as the profile shows them; the type only where it is the wrong one.
    assert "alice com.microsoft.Excel UseOnlineContent: drift, expected 0, found 2\n" in check.stdout
    assert "alice com.microsoft.Word UseOnlineContent: drift, expected 0, found 0 (string)" in check.stdout
    assert (
        "alice com.microsoft.autoupdate2 HowToCheck: drift, expected Manual, found AutomaticDownload\n" in check.stdout
    )
    assert check.stdout.count("drift") == 3


@pytest.mark.parametrize("shell", SHELLS)
def test_booleans_are_shown_as_the_profile_writes_them(built, mac, shell):
    path = built / "crash-reports-only.sh"
    applied = mac.run(path, shell=shell)
    assert "alice com.microsoft.Word SendAllTelemetryEnabled: set to false, was nothing" in applied.stdout
    assert "alice com.microsoft.Word SendAllTelemetryEnabled: unchanged, false" in mac.run(path, shell=shell).stdout
    mac.set("alice", "com.microsoft.Word", "SendAllTelemetryEnabled", "boolean", True)
    mac.set("alice", "com.microsoft.Excel", "SendAllTelemetryEnabled", "integer", 0)
    check = mac.run(path, "--check", shell=shell)
    assert "alice com.microsoft.Word SendAllTelemetryEnabled: drift, expected false, found true\n" in check.stdout
    assert "alice com.microsoft.Excel SendAllTelemetryEnabled: drift, expected false, found 0 (integer)" in check.stdout


@pytest.mark.parametrize("shell", SHELLS)
def test_jamf_extension_attribute(built, mac, shell):
    path = built / "crash-reports-only.sh"
    assert mac.run(path, shell=shell).returncode == 0
    assert mac.run(path, "--check", "--jamf-ea", shell=shell).stdout == "<result>Compliant</result>\n"
    ea = built / "crash-reports-only-jamf-ea.sh"
    assert mac.run(ea, shell=shell).stdout == "<result>Compliant</result>\n"
    mac.set("alice", "com.microsoft.errorreporting", "IsMerpEnabled", "boolean", False)
    mac.set("alice", "com.microsoft.Word", "SendAllTelemetryEnabled", "boolean", True)
    assert mac.run(ea, shell=shell).stdout == "<result>Drift: 2</result>\n"
    assert mac.run(ea, shell=shell, console="loginwindow").stdout == "<result>No console user</result>\n"


@pytest.mark.parametrize("shell", SHELLS)
def test_undo_deletes_exactly_its_keys(built, mac, shell):
    mac.set("alice", "com.microsoft.Word", "kFREFirstRunKey", "boolean", True)
    path = built / "volume-license-offline.sh"
    assert mac.run(path, shell=shell).returncode == 0
    result = mac.run(path, "--undo", shell=shell)
    assert result.returncode == 0, result.stderr
    assert written(mac.state(), "alice") == {("com.microsoft.Word", "kFREFirstRunKey", "boolean", True)}
    assert "alice com.microsoft.Excel UseOnlineContent: deleted" in result.stdout
    again = mac.run(path, "--undo", shell=shell)
    assert "alice com.microsoft.Excel UseOnlineContent: not set" in again.stdout


@pytest.mark.parametrize("shell", SHELLS)
def test_apply_is_idempotent(built, mac, shell):
    path = built / "volume-license-offline.sh"
    assert mac.run(path, shell=shell).returncode == 0
    mac.clear_log()
    second = mac.run(path, shell=shell)
    assert second.returncode == 0
    assert not [c for c in mac.calls("defaults") if c["args"][0] == "write"]
    assert second.stdout.count(": unchanged, ") == 12


@pytest.mark.parametrize("shell", SHELLS)
def test_options_and_jamf_parameters(built, mac, shell):
    path = built / "manual-updates.sh"
    bad = mac.run(path, "--frobnicate", shell=shell)
    assert bad.returncode == 2 and "usage:" in bad.stderr and mac.calls("defaults") == []
    # Jamf: $1 mount point, $2 computer name, $3 user name, then parameters 4.. (empty ones too)
    assert mac.run(path, "/", "Mac-01", "alice", "", shell=shell).returncode == 0
    check = mac.run(path, "/", "Mac-01", "alice", "--check", "", shell=shell)
    assert check.returncode == 0 and "compliant" in check.stdout


HOSTILE = [
    "x'; touch {pwned}; '",
    "$(touch {pwned})",
    "`touch {pwned}`",
    "a\ntouch {pwned}\n#",
    'x"; touch {pwned}; "',
    "%%SETTINGS%% %%HEADER%%",
]


def hostile_scripts(catalog, folder: Path, pwned: Path) -> list[Path]:
    """The script of one selection with each hostile text as its display name, organization and
    description; the profile of each carries the text as plain data."""
    plain = script.script(resolve(catalog, preset="crash-reports-only"), catalog)
    plain_code = [line for line in plain.splitlines() if not line.startswith("#")]
    paths = []
    for i, text in enumerate(HOSTILE):
        text = text.format(pwned=pwned)
        selection = resolve(
            catalog,
            preset="crash-reports-only",
            profile=Profile(display_name=text, organization=text, description=text),
        )
        path = folder / f"hostile{i}.sh"
        path.write_text(script.script(selection, catalog))
        code = [line for line in path.read_text().splitlines() if not line.startswith("#")]
        assert code == plain_code, "metadata changed the script's code"
        assert mobileconfig.render(selection, catalog)
        paths.append(path)
    return paths


@pytest.mark.slow
@pytest.mark.parametrize("shell", SHELLS)
def test_hostile_metadata_is_inert(catalog, mac, tmp_path, shell):
    pwned = tmp_path / "pwned"
    for path, text in zip(hostile_scripts(catalog, tmp_path, pwned), HOSTILE, strict=True):
        result = mac.run(path, shell=shell)
        assert result.returncode == 0, result.stderr
        assert not pwned.exists(), text


def test_hostile_metadata_passes_shellcheck(catalog, tmp_path):
    shellcheck(*hostile_scripts(catalog, tmp_path, tmp_path / "pwned"))


def test_header_names_the_selection(built):
    text = (built / "volume-license-offline.sh").read_text()
    head = text.split("\n\n")[0]
    assert "profilegen" in head and "preset volume-license-offline" in head
    assert "com.microsoft.Word UseOnlineContent = 0" in head


@pytest.mark.parametrize("shell", SHELLS)
def test_values_with_shell_characters_are_written_exactly_then_compliant(tmp_path, mac, shell):
    """A URL with ? and & (ManifestServer, UpdateCache) reaches defaults as one word, unexpanded."""
    url = "https://mau.example.com/manifests/?tenant=a&b=$HOME;x"
    result = run(
        "build",
        "--set",
        f"ManifestServer={url}",
        "--set",
        "ChannelName=Custom",
        "--set",
        "UpdateCheckInterval=240",
        "-o",
        tmp_path,
        "-f",
        "script,mobileconfig",
    )
    assert result.returncode == 0, result.stderr
    script = tmp_path / "office-network.sh"
    if shell == SHELLS[0]:  # the same script for both shells: checked once
        shellcheck(script)
    applied = mac.run(script, shell=shell, user="alice")
    assert applied.returncode == 0, applied.stderr
    assert written(mac.state(), "alice") == expected_settings(tmp_path, "office-network")
    assert mac.state()["alice"]["com.microsoft.autoupdate2"]["ManifestServer"] == ["string", url]
    audit = mac.run(script, "--check", shell=shell, user="alice")
    assert audit.returncode == 0 and "drift" not in audit.stdout
