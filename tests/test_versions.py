"""Office as admins run it now: targets, the warnings on both sides of every version boundary,
--strict, and the current keys' impact on concrete rows of the article."""

import json
import os
import plistlib

import pytest

from profilegen.build import plan as build
from profilegen.core import impact
from profilegen.core.request import Profile, Request, TargetOptions
from profilegen.core.selection import resolve

from conftest import run

TELEMETRY_IGNORED = "set DiagnosticDataTypePreference instead"


def warnings(catalog, *sets, office=None, mau=None, formats=("mobileconfig",), preset=None):
    request = Request(
        preset=preset,
        sets=sets,
        formats=formats,
        target=TargetOptions(office, mau),
        profile=Profile(identifier="com.example.office"),
    )
    return build.plan(request, catalog).warnings


# --- the issue's own example ---------------------------------------------------------------


def test_the_2016_preset_on_current_office_warns_and_names_what_to_set_instead(tmp_path):
    result = run("build", "--preset", "volume-license-offline", "-o", tmp_path / "now", "--json")
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert all(line.startswith("Warning: ") for line in lines)
    ignored = [
        line for line in lines if line.startswith("Warning: SendAllTelemetryEnabled") and TELEMETRY_IGNORED in line
    ]
    assert ignored and "reported as ignored from Office 16.28" in ignored[0] and "medium" in ignored[0]
    assert json.loads(result.stdout)["warnings"] == [line.removeprefix("Warning: ") for line in lines]
    assert any("UseOnlineContent = 0" in line and "online product activation" in line for line in lines)

    older = run("build", "--preset", "volume-license-offline", "--office", "16.20", "-o", tmp_path / "old")
    assert older.returncode == 0
    assert TELEMETRY_IGNORED not in older.stderr and "DiagnosticDataTypePreference" not in older.stderr

    strict = run("build", "--preset", "volume-license-offline", "--strict", "-o", tmp_path / "strict")
    assert strict.returncode == 1
    *shown, error = strict.stderr.splitlines()
    assert shown == lines and error.startswith("Error: ") and "--strict makes them errors" in error
    assert "Traceback" not in strict.stderr and not (tmp_path / "strict").exists()


def test_strict_passes_a_build_without_warnings(tmp_path):
    result = run(
        "build",
        "--preset",
        "required-data-only",
        "--strict",
        "-o",
        tmp_path,
        "-f",
        "mobileconfig",
        "--identifier",
        "com.example.office",
    )
    assert (result.returncode, result.stderr) == (0, "")


def test_a_current_preset_builds_every_output_with_the_current_keys(tmp_path):
    result = run("build", "--preset", "most-private-current", "-o", tmp_path, "--json")
    assert result.returncode == 0, result.stderr
    kinds = {f["kind"] for f in json.loads(result.stdout)["files"]}
    assert {"mobileconfig", "script", "jamf-plist", "intune-plist", "jamf-schema"} <= kinds
    profile = plistlib.loads((tmp_path / "most-private-current.mobileconfig").read_bytes())
    payloads = {p["PayloadType"]: p for p in profile["PayloadContent"]}
    assert payloads["com.microsoft.office"]["DiagnosticDataTypePreference"] == "ZeroDiagnosticData"
    assert payloads["com.microsoft.office"]["OptionalConnectedExperiencesPreference"] is False
    assert payloads["com.microsoft.autoupdate2"]["AcknowledgedDataCollectionPolicy"] == "RequiredDataOnly"
    script = (tmp_path / "most-private-current.sh").read_text()
    assert '"$1" com.microsoft.office ConnectedOfficeExperiencesPreference boolean false' in script
    jamf = plistlib.loads((tmp_path / "most-private-current-jamf" / "com.microsoft.office.plist").read_bytes())
    assert jamf["DisableCloudFonts"] is True
    intune = (tmp_path / "most-private-current-intune" / "com.microsoft.autoupdate2.plist").read_text()
    assert intune == "<key>AcknowledgedDataCollectionPolicy</key>\n<string>RequiredDataOnly</string>\n"


# --- both sides of each boundary -------------------------------------------------------------

BOUNDARIES = [
    # (settings, office, mau, what the warning says) — the first target reads it, the second doesn't
    (("word:SendAllTelemetryEnabled=false",), ("16.27", "16.28"), None, "reported as ignored from Office 16.28"),
    (("autoupdate:SendAllTelemetryEnabled=false",), None, ("4.11", "4.12"), "reported as ignored from AutoUpdate 4.12"),
    (("office365servicev2:SendAllTelemetryEnabled=false",), ("16.23", "16.24"), None, "retired from Office 16.24"),
    (("autoupdate:HowToCheck=Manual",), None, ("4.69", "4.70"), None),
    (
        ("AcknowledgedDataCollectionPolicy=RequiredAndOptionalData",),
        None,
        ("4.69", "4.70"),
        "RequiredAndOptionalData is removed from AutoUpdate 4.70",
    ),
]
SINCE = [
    ("DiagnosticDataTypePreference=BasicDiagnosticData", "office", "16.27", "16.28"),
    ("OfficeWebAddinDisableOMEXCatalog=true", "office", "16.28", "16.29"),
    ("DisableCloudFonts=true", "office", "16.29", "16.30"),
    ("SendCriticalTelemetryEnabled=false", "office", "16.10", "16.11"),
    ("AcknowledgedDataCollectionPolicy=RequiredDataOnly", "mau", "4.11", "4.12"),
    ("UpdateCheckInterval=720", "mau", "4.75", "4.76"),
]


@pytest.mark.parametrize("sets, office, mau, says", BOUNDARIES)
def test_ignored_from_a_version(catalog, sets, office, mau, says):
    before = warnings(
        catalog,
        *sets,
        "AcknowledgedDataCollectionPolicy=RequiredDataOnly" if "autoupdate" in sets[0] else "IsMerpEnabled=true",
        office=office and office[0],
        mau=mau and mau[0],
    )
    after = warnings(
        catalog,
        *sets,
        "AcknowledgedDataCollectionPolicy=RequiredDataOnly" if "autoupdate" in sets[0] else "IsMerpEnabled=true",
        office=office and office[1],
        mau=mau and mau[1],
    )
    key = sets[0].split(":")[-1].split("=")[0]
    assert not [w for w in before if w.startswith(f"{key} in") or "is removed" in w]
    if says:
        assert any(says in w for w in after), after


@pytest.mark.parametrize("setting, product, older, first", SINCE)
def test_read_from_a_version(catalog, setting, product, older, first):
    key = setting.split("=")[0]
    before = warnings(catalog, setting, **{product: older})
    after = warnings(catalog, setting, **{product: first})
    assert any(w.startswith(f"{key} in") and f"reads it from {first}; the target is" in w for w in before), before
    assert not any(w.startswith(f"{key} in") for w in after), after


def test_a_profile_managing_autoupdate_without_the_acknowledgement(catalog):
    assert not any(
        "AcknowledgedDataCollectionPolicy" in w for w in warnings(catalog, "HowToCheck=AutomaticCheck", mau="4.11")
    )
    found = [w for w in warnings(catalog, "HowToCheck=AutomaticCheck", mau="4.12") if "without" in w]
    assert found == [
        "the profile manages com.microsoft.autoupdate2 without AcknowledgedDataCollectionPolicy: without "
        "it, AutoUpdate 4.12 and later keep showing their data notice and may stop offering updates. "
        "Set AcknowledgedDataCollectionPolicy = RequiredDataOnly."
    ]
    assert not any(
        "without" in w
        for w in warnings(catalog, "HowToCheck=AutomaticCheck", "AcknowledgedDataCollectionPolicy=RequiredDataOnly")
    )


def test_manifest_server_in_a_script_from_autoupdate_4_79(catalog):
    sets = (
        "ChannelName=Custom",
        "ManifestServer=https://mau.example.com/manifests/",
        "AcknowledgedDataCollectionPolicy=RequiredDataOnly",
    )
    assert not warnings(catalog, *sets, mau="4.78", formats=("script",))
    assert any(
        "only from a configuration profile" in w for w in warnings(catalog, *sets, mau="4.79", formats=("script",))
    )
    assert not warnings(catalog, *sets, mau="4.79", formats=("mobileconfig",))


def test_a_preset_outside_its_versions(catalog):
    assert not any("preset" in w for w in warnings(catalog, preset="most-private-current", office="16.30"))
    assert any(
        w.startswith("preset most-private-current is for Office 16.30 and later")
        for w in warnings(catalog, preset="most-private-current", office="16.29")
    )
    assert any(
        w.startswith("preset no-usage-telemetry is for Office 16.23 and earlier")
        for w in warnings(catalog, preset="no-usage-telemetry")
    )


def test_old_names_are_written_as_the_current_ones_with_a_warning(tmp_path, catalog):
    found = warnings(
        catalog, "ChannelName=production", "HowToCheck=Automatic", "AcknowledgedDataCollectionPolicy=RequiredDataOnly"
    )
    assert "ChannelName = production is an old name of Current; profilegen writes Current" in found
    assert "HowToCheck = Automatic is an old name of AutomaticCheck; profilegen writes AutomaticCheck" in found
    result = run("build", "--set", "ChannelName=InsiderFast", "-o", tmp_path, "-f", "mobileconfig", "--json")
    assert json.loads(result.stdout)["settings"][0]["value"] == "Beta"
    profile = tmp_path / "office-network.mobileconfig"
    profile.write_bytes(profile.read_bytes().replace(b"<string>Beta</string>", b"<string>InsiderFast</string>"))
    checked = run("check", profile)
    assert checked.returncode == 0 and "ChannelName = InsiderFast is an old name of Beta" in checked.stdout


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--office", "16.x"], "--office '16.x' is not a version; expected numbers such as 16.89 or 16.112.1"),
        (["--mau", "latest"], "--mau 'latest' is not a version"),
        (["--set", "UpdateCache=http://cache.example.com/"], "'http://cache.example.com/' is not an https:// URL"),
        (["--set", "ManifestServer=https://a b/"], "is not an https:// URL"),
        (["--set", "UpdateCheckInterval=0"], "0 is not allowed; expected a whole number from 1"),
        (["--set", "UpdateCheckInterval=often"], "'often' is not an integer; expected a whole number from 1"),
        (["--set", "AcknowledgedDataCollectionPolicy=Everything"], "expected one of RequiredDataOnly"),
    ],
)
def test_bad_targets_and_values(tmp_path, args, expected):
    result = run("build", "-p", "required-data-only", *args, "-o", tmp_path / "out")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("Error: ") and expected in result.stderr and result.stderr.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_a_config_names_its_target(tmp_path):
    config = tmp_path / "fleet.toml"
    config.write_text('preset = "volume-license-offline"\n[target]\noffice = "16.20"\nmau = "4.10"\n')
    result = run("build", "-c", config, "-o", tmp_path / "a", "-f", "mobileconfig", "--json")
    assert result.returncode == 0 and json.loads(result.stdout)["target"] == {
        "office": "16.20",
        "autoupdate": "4.10",
        "given": ["office", "autoupdate"],
    }
    assert "reported as ignored" not in result.stderr and "preset" not in result.stderr
    over = run("build", "-c", config, "--office", "16.89", "-o", tmp_path / "b", "-f", "mobileconfig", "--json")
    assert json.loads(over.stdout)["target"]["office"] == "16.89" and TELEMETRY_IGNORED in over.stderr
    config.write_text('[target]\noffice = "sixteen"\n')
    bad = run("build", "-c", config, "-o", tmp_path / "c")
    assert bad.returncode == 1 and bad.stderr.startswith(f"Error: {config}:2: ")


# --- the current keys on concrete rows ----------------------------------------------------------


def rows(catalog, **kwargs):
    return impact.assess(resolve(catalog, **kwargs), catalog)


def row(impacts, url, section=None):
    return next(i for i in impacts if i.endpoint.url == url and (section is None or i.endpoint.section == section))


def test_the_current_preset_silences_watson_as_documented_and_leaves_essential_services(catalog):
    impacts = rows(catalog, preset="most-private-current")
    watson = row(impacts, "https://watson.microsoft.com/")
    assert (watson.effect, watson.evidence) == ("silenced", "documented")
    assert "optional-connected-experiences" in watson.sources and "Error Reporting" in watson.reason
    for i in impacts:
        if i.endpoint.essential:
            assert i.effect == "unchanged", i.endpoint.url
    designer = row(impacts, "https://pptsgs.officeapps.live.com/")
    assert (designer.effect, designer.evidence) == ("silenced", "inferred")
    assert "analyze content" in designer.reason


def test_no_preset_claims_an_essential_service_silenced_by_inference(catalog):
    for name in catalog.presets:
        for target in (TargetOptions(), TargetOptions("16.23", "4.11")):
            for i in rows(catalog, preset=name, target=target):
                if i.endpoint.essential and i.effect != "unchanged":
                    assert i.evidence == "documented" or i.effect == "reduced", (name, i.endpoint.url)


def test_store_add_ins_are_blocked_for_word_excel_and_powerpoint_only(catalog):
    impacts = rows(catalog, sets=["OfficeWebAddinDisableOMEXCatalog=true"])
    store = row(impacts, "https://store.office.com/", "Office Apps (aka add-ins)")
    assert (store.effect, store.still_contacted_by) == ("partly silenced", ("Outlook",))
    assert row(impacts, "https://*.virtualearth.net/").effect == "silenced"
    assert row(impacts, "https://appsforoffice.microsoft.com/").effect == "unchanged"  # admin add-ins still load it
    every = rows(catalog, sets=["OfficeWebAddinDisableAllCatalogs=true"])
    assert row(every, "https://appsforoffice.microsoft.com/").effect == "silenced"


def test_update_servers_inside_the_network(catalog):
    hosts = {
        "officecdn.microsoft.com",
        "officecdn-microsoft-com.akamaized.net",
        "officecdnmac.microsoft.com",
        "res.public.onecdn.static.microsoft",
    }
    cache = rows(catalog, sets=["UpdateCache=https://cache.example.com/office/"])
    assert {i.endpoint.host for i in cache if i.effect == "reduced"} == hosts
    alone = rows(catalog, sets=["ManifestServer=https://mau.example.com/"])
    assert all(i.effect == "unchanged" for i in alone)  # read only with ChannelName = Custom
    custom = rows(catalog, sets=["ManifestServer=https://mau.example.com/", "ChannelName=Custom"])
    # The manifests come from the internal server; the packages they name still from Microsoft's
    # current download host (MC1268926), as it does without UpdateCache.
    assert {i.endpoint.host for i in custom if i.effect == "reduced"} == {
        "officecdn.microsoft.com",
        "officecdnmac.microsoft.com",
        "res.public.onecdn.static.microsoft",
    }


def test_a_setting_the_target_does_not_read_changes_no_endpoint(catalog):
    nexus = "https://nexus.officeapps.live.com/"
    old = rows(catalog, sets=["SendAllTelemetryEnabled=false"], target=TargetOptions("16.23", "4.11"))
    assert row(old, nexus).effect == "reduced"
    now = rows(catalog, sets=["SendAllTelemetryEnabled=false"])
    assert all(i.effect == "unchanged" for i in now)


def test_each_build_of_a_batch_warns_as_it_would_alone(tmp_path):
    """Warnings are worked out once per distinct selection in a batch; each config still gets its own."""
    configs = tmp_path / "configs"
    configs.mkdir()
    texts = {
        "current": 'preset = "volume-license-offline"\n[profile]\nidentifier = "com.example.current"\n',
        "old": 'preset = "volume-license-offline"\n[target]\noffice = "16.20"\nmau = "4.10"\n'
        '[profile]\nidentifier = "com.example.old"\n',
        "same": 'preset = "volume-license-offline"\n[profile]\norganization = "Other"\n',
        "ints": "[settings]\nIsMerpEnabled = true\n",
    }
    for name, text in texts.items():
        (configs / f"{name}.toml").write_text(text)
    batch = json.loads(
        run("build", "--config-dir", configs, "-o", tmp_path / "batch", "-f", "mobileconfig", "--json").stdout
    )
    for built in batch["builds"]:
        alone = json.loads(
            run(
                "build",
                "-c",
                configs / f"{built['name']}.toml",
                "-o",
                tmp_path / built["name"],
                "-f",
                "mobileconfig",
                "--json",
            ).stdout
        )
        assert built["warnings"] == alone["warnings"], built["name"]
    warned = {b["name"]: b["warnings"] for b in batch["builds"]}
    assert warned["current"] != warned["old"]  # the same preset, another target


def test_versions_prints_the_catalogs_view_with_its_source():
    import tomllib

    from conftest import ROOT

    data = tomllib.loads((ROOT / "payloads" / "versions.toml").read_text())
    shown = json.loads(run("versions", "--json").stdout)["products"]
    assert [(p["product"], p["current"], p["released"], p["source"], p["confidence"]) for p in shown] == [
        (name, data[name]["current"], str(data[name]["released"]), data[name]["source"], data[name]["confidence"])
        for name in ("office", "autoupdate")
    ]
    assert all(p["source_url"].startswith("https://") and p["revision"] for p in shown)
    text = run("versions", env={**os.environ, "COLUMNS": "80"}).stdout
    assert max(map(len, text.splitlines())) <= 80
    for name in ("office", "autoupdate"):
        assert f"{data[name]['title']} {data[name]['current']}" in text
