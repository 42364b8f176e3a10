"""The everyday edges of the CLI: --version, shell completion, "did you mean", colour."""

import importlib.metadata
import json
import os
import plistlib
import shutil
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from conftest import HUNG, run

BIN = Path(sys.executable).parent  # where pip put the `profilegen` command


def test_version_is_the_installed_release():
    installed = importlib.metadata.version("profilegen")
    result = subprocess.run([BIN / "profilegen", "--version"], capture_output=True, text=True)  # the command pip made
    assert (result.returncode, result.stdout) == (0, f"profilegen {installed}\n")


def test_every_json_document_names_the_release(tmp_path, catalog):
    installed = importlib.metadata.version("profilegen")
    built = tmp_path / "out"
    run("build", "-p", "manual-updates", "-o", built, "-f", "mobileconfig", "--identifier", "com.example.office")
    profile = built / "manual-updates.mobileconfig"
    commands = [
        ("build", "-p", "manual-updates", "-o", tmp_path / "again", "-f", "mobileconfig", "--json"),
        ("settings", "--json"),
        ("settings", "--impact", "--json"),
        ("presets", "--json"),
        ("endpoints", "--json"),
        ("endpoints", "--by-host", "--json"),
        ("inspect", profile, "--json"),
        ("inspect", profile, profile, "--json"),
        ("check", profile, "--format", "json"),
        ("import", profile, "--json"),
        ("diff", profile, "preset:manual-updates", "--json"),
    ]
    for args in commands:
        result = run(*args)
        assert result.returncode in (0, 1), (args, result.stderr)
        document = json.loads(result.stdout)
        assert isinstance(document, dict) and document["profilegen_version"] == installed, args


def test_a_mistyped_command_gets_one_suggestion():
    result = run("version")
    assert result.returncode == 2
    assert result.stderr.count("Did you mean") == 1 and "'verify'" in result.stderr


@pytest.mark.parametrize(
    "args, suggestion",
    [
        (["build", "-p", "volume-licence-offline"], "did you mean 'volume-license-offline'?"),
        (["build", "--set", "SendAllTelemetryEnable=false"], "did you mean 'SendAllTelemetryEnabled'?"),
        (["build", "--set", "exel:UseOnlineContent=0"], "did you mean 'excel'?"),
        (["build", "-p", "manual-updates", "-f", "jamf-plists"], "did you mean 'jamf-plist'?"),
        (["endpoints", "--app", "Exel"], "did you mean 'Excel'?"),
        (["endpoints", "--effect", "silence"], "did you mean 'silenced'?"),
        (["check", "x.mobileconfig", "--format", "jsn"], "did you mean 'json'?"),
        (["completion", "zhs"], "did you mean 'zsh'?"),
    ],
)
def test_names_that_are_close_get_a_suggestion(tmp_path, args, suggestion):
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 1 and result.stderr.startswith("Error: ") and suggestion in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and not list(tmp_path.iterdir())


def test_config_keys_get_a_suggestion(tmp_path):
    config = tmp_path / "site.toml"
    config.write_text('[target]\noffice_version = "16.89"\n[settings]\nHowToCheck = "Manual"\n')
    result = run("build", "-c", config, "-o", tmp_path / "out")
    assert (
        result.returncode == 1
        and "site.toml:2: unknown key 'target.office_version'; did you mean 'target.office'?" in result.stderr
    )


def test_a_documented_alias_builds_microsofts_spelling_with_a_warning(tmp_path):
    result = run(
        "build",
        "--set",
        "IsAttachedEnabled=false",
        "-o",
        tmp_path,
        "-f",
        "mobileconfig",
        "--identifier",
        "com.example.office",
    )
    assert result.returncode == 0
    assert "Warning: IsAttachedEnabled is another spelling of IsAttachFilesEnabled, Microsoft's" in result.stderr
    profile = plistlib.loads((tmp_path / "office-network.mobileconfig").read_bytes())
    assert [p.get("IsAttachFilesEnabled") for p in profile["PayloadContent"]] == [False]
    assert not any("IsAttachedEnabled" in p for p in profile["PayloadContent"])


# --- completion, in a real bash -----------------------------------------------------------------


@pytest.fixture
def bash(tmp_path):
    script = tmp_path / "profilegen.bash"
    script.write_text(run("completion", "bash").stdout)
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "PS1": "ready> ",
        "TERM": "dumb",
        "INPUTRC": str(tmp_path / "inputrc"),
    }
    (tmp_path / "inputrc").write_text("set bell-style none\n")
    child = pexpect.spawn(
        "bash",
        ["--norc", "--noprofile", "-i"],
        cwd=str(tmp_path),
        env=env,
        encoding="utf-8",
        timeout=HUNG,
        dimensions=(24, 250),
    )
    child.sendline(f"source {script}")
    child.expect_exact("ready> ")
    child.expect_exact("ready> ")
    yield child
    child.close(force=True)


@pytest.mark.slow
@pytest.mark.timing
def test_bash_completes_a_whole_build_command_from_the_catalog(bash, tmp_path):
    """Each <TAB> fills in the rest of a name; the line it makes then builds."""
    for typed, completed in [
        ("profilegen bu\t", "ild "),
        ("--preset v\t", "olume-license-offline "),
        ("--set word:Use\t", "OnlineContent="),  # no space after '=': the value comes next
        ("0 --set HowToCheck=Man\t", "ual "),
        ("-f mobilec\t", "onfig "),
        ("--target ja\t", "mf "),
    ]:
        bash.send(typed)
        bash.expect_exact(completed)
    bash.send("-o out --identifier com.example.office\r")
    bash.expect_exact("ready> ")
    profile = plistlib.loads((tmp_path / "out" / "volume-license-offline.mobileconfig").read_bytes())
    settings = [
        profile_setting
        for payload in profile["PayloadContent"]
        for profile_setting in payload["PayloadContent"].items()
    ]
    domains = {domain: forced["Forced"][0]["mcx_preference_settings"] for domain, forced in settings}
    assert domains["com.microsoft.Word"]["UseOnlineContent"] == 0
    assert domains["com.microsoft.autoupdate2"]["HowToCheck"] == "Manual"


@pytest.mark.timing
def test_bash_leaves_file_names_to_bash(bash, tmp_path):
    (tmp_path / "site-config.toml").write_text("")
    bash.send("profilegen build --config site-c\t")
    bash.expect_exact("onfig.toml ")


# --- completion, as zsh and fish ask for it (neither shell need be installed) ------------------


def ask(shell: str, line: str, **extra) -> str:
    env = {**os.environ, "_PROFILEGEN_COMPLETE": f"complete_{shell}", "_TYPER_COMPLETE_ARGS": line, **extra}
    return pexpect.run(f"{BIN / 'profilegen'}", env=env, encoding="utf-8", timeout=HUNG)


def test_zsh_and_fish_scripts_and_answers():
    assert run("completion", "zsh").stdout.startswith("#compdef profilegen")
    assert "complete --command profilegen" in run("completion", "fish").stdout
    assert "volume-license-offline" in ask("zsh", "profilegen build --preset v")
    assert '"HowToCheck=Manual":"Offer no Office updates' in ask("zsh", "profilegen build --set HowToCheck=M")
    fish = ask("fish", "profilegen build --set word:Use", _TYPER_COMPLETE_FISH_ACTION="get-args")
    assert fish.splitlines()[0].startswith("word:UseOnlineContent=\t")


@pytest.mark.slow
@pytest.mark.timing
@pytest.mark.skipif(not shutil.which("zsh"), reason="zsh is not installed (.ci/run installs it)")
def test_zsh_completes_from_the_catalog(tmp_path):
    script = tmp_path / "_profilegen"
    script.write_text(run("completion", "zsh").stdout)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "TERM": "dumb"}
    child = pexpect.spawn(
        "zsh", ["-f", "-i"], cwd=str(tmp_path), env=env, encoding="utf-8", timeout=HUNG, dimensions=(24, 250)
    )
    child.sendline(f"PS1='ready> '; autoload -Uz compinit; compinit -u; source {script}")
    child.expect_exact("ready> ")
    child.expect_exact("ready> ")
    for typed, completed in [
        ("profilegen build --preset v\t", "olume-license-offline"),
        ("--set word:Use\t", "OnlineContent="),
    ]:
        child.send(typed)
        child.expect_exact(completed)
    child.close(force=True)


@pytest.mark.slow
@pytest.mark.timing
@pytest.mark.skipif(not shutil.which("fish"), reason="fish is not installed (.ci/run installs it)")
def test_fish_completes_from_the_catalog(tmp_path):
    script = tmp_path / "profilegen.fish"
    script.write_text(run("completion", "fish").stdout)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    lines = ["profilegen build --preset v", "profilegen build --set word:Use", "profilegen build --set HowToCheck=M"]
    asked = "; ".join(f"complete -C '{line}'" for line in lines)
    answers = subprocess.run(
        ["fish", "--no-config", "-c", f"source {script}; {asked}"],
        env=env,
        text=True,
        capture_output=True,
        timeout=HUNG,
    ).stdout.splitlines()
    assert [answer.split("\t")[0] for answer in answers] == [
        "volume-license-offline",
        "word:UseOnlineContent=",
        "HowToCheck=Manual",
    ]


# --- errors and warnings that stand out at a terminal ------------------------------------------


def at_terminal(args, **env) -> str:
    child = pexpect.spawn(
        sys.executable, ["-m", "profilegen", *args], env={**os.environ, **env}, encoding="utf-8", timeout=HUNG
    )
    child.expect(pexpect.EOF)
    return child.before


RED, YELLOW = "\x1b[31m\x1b[1mError:\x1b[0m", "\x1b[33m\x1b[1mWarning:\x1b[0m"


@pytest.mark.timing
def test_errors_and_warnings_stand_out_at_a_terminal_only(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    assert RED + " unknown preset" in at_terminal(["build", "-p", "nope"], **env)
    assert RED + " No such option" in at_terminal(["build", "--nope"], **env)
    warned = at_terminal(["build", "--set", "IsAttachedEnabled=0", "-o", str(tmp_path / "a"), "-f", "mobileconfig"])
    assert YELLOW + " IsAttachedEnabled" in warned
    plain = at_terminal(["build", "-p", "nope"], NO_COLOR="1")
    assert "Error: unknown preset" in plain and "\x1b[" not in plain
    piped = run("build", "--set", "IsAttachedEnabled=0", "-o", tmp_path / "b", "-f", "mobileconfig")
    assert piped.stderr.startswith("Warning: ") and "\x1b[" not in piped.stderr
