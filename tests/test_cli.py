"""The CLI run for real in a subprocess: outputs, the JSON summary, and every bad input."""

import json
import plistlib
from pathlib import Path

import pytest

import apple_schema
from conftest import run, run_process
from helpers import profile_settings

CONFIG = """\
preset = "no-usage-telemetry"

[profile]
identifier = "com.example.office.privacy"
organization = "Example Corp"
scope = "user"

[settings]
HowToCheck = "automaticcheck"

[settings.word]
UseOnlineContent = 0
"""


def profile_of(folder, name):
    return plistlib.loads((folder / f"{name}.mobileconfig").read_bytes())


def settings_of(profile):
    return {(domain, key): value for domain, key, _, value in profile_settings(profile)}


def test_build_json_reports_settings_and_files(tmp_path):
    result = run("build", "--preset", "volume-license-offline", "-o", tmp_path, "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    files = {f["kind"]: f["path"] for f in summary["files"]}
    assert set(files) >= {"mobileconfig"}
    for item in summary["files"]:
        assert Path(item["path"]).is_file() and Path(item["path"]).is_relative_to(tmp_path)
    profile = profile_of(tmp_path, "volume-license-offline")
    assert apple_schema.problems(profile) == []
    reported = {(s["domain"], s["key"]): s["value"] for s in summary["settings"]}
    assert reported == settings_of(profile)
    assert summary["profile"]["identifier"] == profile["PayloadIdentifier"]


def test_building_twice_gives_identical_bytes(tmp_path):
    for folder in ("a", "b"):
        assert run("build", "-p", "volume-license-offline", "-o", tmp_path / folder).returncode == 0
    a = (tmp_path / "a" / "volume-license-offline.mobileconfig").read_bytes()
    assert a == (tmp_path / "b" / "volume-license-offline.mobileconfig").read_bytes()


def test_preset_then_config_then_set(tmp_path):
    config = tmp_path / "site.toml"
    config.write_text(CONFIG)
    result = run(
        "build",
        "--config",
        config,
        "--set",
        "excel:UseOnlineContent=2",
        "--set",
        "HowToCheck=Manual",
        "-o",
        tmp_path / "out",
    )
    assert result.returncode == 0, result.stderr
    profile = profile_of(tmp_path / "out", "site")
    values = settings_of(profile)
    assert values[("com.microsoft.Outlook", "SendAllTelemetryEnabled")] is False  # preset
    assert values[("com.microsoft.Word", "UseOnlineContent")] == 0  # config, one app
    assert values[("com.microsoft.Excel", "UseOnlineContent")] == 2  # --set, one app
    assert ("com.microsoft.Powerpoint", "UseOnlineContent") not in values
    assert values[("com.microsoft.autoupdate2", "HowToCheck")] == "Manual"  # --set beats config
    assert profile["PayloadScope"] == "User"
    assert profile["PayloadOrganization"] == "Example Corp"
    assert profile["PayloadIdentifier"] == "com.example.office.privacy"


def test_options_override_the_config(tmp_path):
    config = tmp_path / "site.toml"
    config.write_text(CONFIG)
    result = run(
        "build",
        "-c",
        config,
        "--identifier",
        "com.example.other",
        "--scope",
        "System",
        "--removal-disallowed",
        "--display-name",
        "Office",
        "-o",
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    profile = profile_of(tmp_path, "site")
    assert (profile["PayloadIdentifier"], profile["PayloadScope"]) == ("com.example.other", "System")
    assert profile["PayloadRemovalDisallowed"] is True
    assert profile["PayloadDisplayName"] == "Office"


def test_set_full_domain_and_any_case(tmp_path):
    result = run(
        "build",
        "--set",
        "com.microsoft.Outlook:SendAllTelemetryEnabled=no",
        "--set",
        "ERRORREPORTING:IsMerpEnabled=YES",
        "-o",
        tmp_path,
        "--json",
    )
    assert result.returncode == 0, result.stderr
    settings = json.loads(result.stdout)["settings"]
    assert settings == [
        {"domain": "com.microsoft.Outlook", "key": "SendAllTelemetryEnabled", "type": "boolean", "value": False},
        {"domain": "com.microsoft.errorreporting", "key": "IsMerpEnabled", "type": "boolean", "value": True},
    ]


def test_force_replaces_an_existing_output(tmp_path):
    assert run("build", "-p", "manual-updates", "-o", tmp_path).returncode == 0
    target = tmp_path / "manual-updates.mobileconfig"
    target.write_text("old")
    assert run("build", "-p", "manual-updates", "-o", tmp_path, "--force").returncode == 0
    assert plistlib.loads(target.read_bytes())["PayloadType"] == "Configuration"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_settings_and_presets_list_the_catalog(catalog):
    settings = json.loads(run("settings", "--json").stdout)["settings"]
    assert [s["key"] for s in settings] == list(catalog.preferences)
    for listed in settings:
        pref = catalog.preferences[listed["key"]]
        assert listed["domains"] == list(pref.domains) and listed["type"] == pref.type
        assert [v["value"] for v in listed["values"]] == [v.value for v in pref.values]
    table = run("settings")
    assert table.returncode == 0 and all(key in table.stdout for key in catalog.preferences)
    presets = json.loads(run("presets", "--json").stdout)["presets"]
    assert [p["name"] for p in presets] == list(catalog.presets)
    for listed in presets:
        values = {(s.domain, s.key, s.value) for s in catalog.presets[listed["name"]].values}
        assert {(s["domain"], s["key"], s["value"]) for s in listed["settings"]} == values
    assert all(name in run("presets").stdout for name in catalog.presets)


# --- bad input: one line, exit 1, nothing written -----------------------------------------

BAD = [
    (["-p", "offline"], "unknown preset 'offline'; expected one of"),
    (
        ["-p", "volume-licence-offline"],
        "unknown preset 'volume-licence-offline'; did you mean 'volume-license-offline'?",
    ),
    (["--set", "UseOnlineContnt=0"], "unknown preference 'UseOnlineContnt'; did you mean 'UseOnlineContent'?"),
    (["--set", "ChanelName=Beta"], "unknown preference 'ChanelName'; did you mean 'ChannelName'?"),
    (["--set", "Frobnicate=1"], "unknown preference 'Frobnicate'; `profilegen settings` lists the"),
    (["--set", "wrod:UseOnlineContent=0"], "unknown app 'wrod'; did you mean 'word'?"),
    (["--set", "outlook:UseOnlineContent=0"], "UseOnlineContent is not documented for com.microsoft.Outlook"),
    (["--set", "teams:SendAllTelemetryEnabled=0"], "unknown app 'teams'"),
    (["--set", "UseOnlineContent=off"], "'off' is not an integer; expected one of 0 \"Off: "),
    (["--set", "UseOnlineContent=5"], '5 is not allowed; expected one of 0 "Off: '),
    (["--set", "SendAllTelemetryEnabled=maybe"], 'not a boolean; expected one of true "Send usage telemetry'),
    (["--set", "HowToCheck=Never"], 'expected one of AutomaticDownload "Check, download and install'),
    (["--set", "HowToCheck"], "expected KEY=VALUE or APP:KEY=VALUE"),
    (["-p", "manual-updates", "--identifier", ""], "identifier '' is not valid"),
    (
        ["-p", "manual-updates", "--identifier", "com.example my profile"],
        "identifier 'com.example my profile' is not valid",
    ),
    (["-p", "manual-updates", "--scope", "device"], "unknown scope 'device'; expected one of System, User"),
    (["-p", "manual-updates", "--format", "pdf"], "unknown format 'pdf'; expected one of mobileconfig"),
    (["-p", "manual-updates", "--format", "mobilconfig"], "unknown format 'mobilconfig'; did you mean 'mobileconfig'?"),
    (["-p", "manual-updates", "--target", "jamfpro"], "unknown --target 'jamfpro'; did you mean 'jamf'?"),
    ([], "nothing to build"),
    (
        ["-p", "manual-updates", "--display-name", "Office\x01"],
        "display name 'Office\\x01' holds the character U+0001 (a control character)",
    ),
]

BAD_CONFIGS = [
    ('[settings]\nHowToCheck = "Manual"\n[settings\n', "site.toml: not valid TOML: ", "line 3"),
    (
        'presets = "manual-updates"\n',
        "site.toml:1: unknown key 'presets'; did you mean 'preset'? Expected one of preset, target",
        "",
    ),
    (
        '[profile]\nidentifer = "x"\n',
        "site.toml:2: unknown key 'profile.identifer'; did you mean 'profile.identifier'?",
        "",
    ),
    (
        '[settings]\nHowToCheck = "Manual"\nUseOnlineContent = "0"\n',
        'site.toml:3: UseOnlineContent: expected an integer (one of 0 "Off: ',
        "",
    ),
    ('[settings]\nIsMerpEnabled = "FALSE"\n', "site.toml:2: IsMerpEnabled: expected a boolean", ""),
    ("[settings.outlook]\nUseOnlineContent = 0\n", "UseOnlineContent is not documented for com.microsoft.Outlook", ""),
    (
        '[profile]\nidentifier = "my profile"\n[settings]\nHowToCheck = "Manual"\n',
        "site.toml:2: identifier 'my profile' is not valid",
        "",
    ),
    ('preset = "offline"\n', "site.toml:1: unknown preset 'offline'", ""),
]


def assert_one_line_error(result, expected, folder):
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert expected in lines[0]
    assert "Traceback" not in result.stderr
    assert not folder.exists() or list(folder.iterdir()) == []


@pytest.mark.parametrize("args, expected", BAD)
def test_bad_options(tmp_path, args, expected):
    out = tmp_path / "out"
    assert_one_line_error(run("build", *args, "-o", out), expected, out)


@pytest.mark.parametrize("args, expected", [BAD[0], BAD[4], BAD[-1]])
def test_bad_options_on_the_real_entry_point(tmp_path, args, expected):
    """The same one line and exit code from a real process, as a pipeline meets them."""
    out = tmp_path / "out"
    assert_one_line_error(run_process("build", *args, "-o", out), expected, out)
    usage = run_process("build", "--no-such-option")
    assert usage.returncode == 2 and usage.stderr.splitlines()[-1].startswith("Error: No such option: --no-such-option")


@pytest.mark.parametrize("text, expected, also", BAD_CONFIGS)
def test_bad_config_files(tmp_path, text, expected, also):
    config = tmp_path / "site.toml"
    config.write_text(text)
    out = tmp_path / "out"
    result = run("build", "-c", config, "-o", out)
    assert_one_line_error(result, expected, out)
    assert also in result.stderr


def test_missing_config_file(tmp_path):
    out = tmp_path / "out"
    assert_one_line_error(run("build", "-c", tmp_path / "nope.toml", "-o", out), "nope.toml' does not exist", out)


def test_output_folder_that_is_not_writable(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file, not a folder")
    result = run("build", "-p", "manual-updates", "-o", blocker / "out")
    assert_one_line_error(result, f"{blocker} is a file, not a folder", tmp_path / "none")


def test_existing_output_is_kept_without_force(tmp_path):
    target = tmp_path / "manual-updates.mobileconfig"
    target.write_text("mine")
    result = run("build", "-p", "manual-updates", "-o", tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == f"Error: {target} already exists; use --force to replace it"
    assert target.read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manual-updates.mobileconfig"]


def test_usage_errors_exit_2():
    result = run("build", "--no-such-option")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
