"""Outputs for Jamf Pro and Intune, both payload styles, and batch builds."""

import json
import plistlib
import shlex
from pathlib import Path

import pytest

from profilegen.catalog import loading as catalog_module
from profilegen.core.registry import FORMATS

import apple_schema
from conftest import run
from helpers import PLIST_TYPES, profile_settings

PRESETS = list(catalog_module.load().presets)


def script_settings(path):
    rows = [shlex.split(line)[1:] for line in path.read_text().splitlines() if line.startswith('  "$1" ')]
    parse = {"boolean": lambda v: v == "true", "integer": int, "string": str}
    return {(d, k, t, parse[t](v)) for d, k, t, v in rows}


def intune_values(data: bytes) -> dict:
    """What Intune makes of a preference file: the pairs inside a dict, parsed by plistlib."""
    return plistlib.loads(b'<plist version="1.0"><dict>' + data + b"</dict></plist>")


# Every key the preset don't set, at a value that isn't its default: URLs, numbers and old names too.
EVERY_KIND = [
    "ChannelName=Custom",
    "ManifestServer=https://mau.example.com/manifests/?tenant=a&b=1",
    "UpdateCache=https://cache.example.com/office/",
    "EnableFallbackChannel=false",
    "UpdateCheckInterval=240",
    "word:SendCriticalTelemetryEnabled=false",
    "UseOnlineContent=1",
    "OfficeWebAddinDisableOMEXCatalog=true",
    "HowToCheck=Manual",
]


@pytest.mark.parametrize("preset", [*PRESETS, "--set"])
def test_every_format_carries_the_same_settings(tmp_path, preset):
    if preset == "--set":
        selection = [arg for item in EVERY_KIND for arg in ("--set", item)] + ["--set", "IsMerpEnabled=true"]
        preset = "office-network"
    else:
        selection = ["-p", preset]
    assert run("build", *selection, "-o", tmp_path / "direct").returncode == 0
    result = run("build", *selection, "-o", tmp_path / "mcx", "--payload-style", "mcx", "-f", "mobileconfig")
    assert result.returncode == 0, result.stderr
    direct = tmp_path / "direct"
    expected = profile_settings(direct / f"{preset}.mobileconfig")
    assert profile_settings(tmp_path / "mcx" / f"{preset}.mobileconfig") == expected
    assert script_settings(direct / f"{preset}.sh") == expected

    jamf, intune, form = set(), set(), set()
    for path in (direct / f"{preset}-jamf").glob("*.plist"):
        jamf |= {(path.stem, k, PLIST_TYPES[type(v)], v) for k, v in plistlib.loads(path.read_bytes()).items()}
    for path in (direct / f"{preset}-intune").glob("*.plist"):
        intune |= {(path.stem, k, PLIST_TYPES[type(v)], v) for k, v in intune_values(path.read_bytes()).items()}
    # The Jamf form, filled in with the same values, makes the same plist, and the schema takes it.
    for path in (direct / f"{preset}-jamf").glob("*.json"):
        chosen = {k: v for d, k, _, v in expected if d == path.stem}
        made = jamf_form(json.loads(path.read_text()), chosen)
        form |= {(path.stem, k, PLIST_TYPES[type(v)], v) for k, v in made.items()}
    assert jamf == intune == form == expected


@pytest.mark.parametrize("style", ["direct", "mcx"])
@pytest.mark.parametrize("preset", PRESETS)
def test_both_payload_styles_pass_apples_schema_and_check(tmp_path, preset, style):
    result = run("build", "-p", preset, "-o", tmp_path, "-f", "mobileconfig", "--payload-style", style)
    assert result.returncode == 0, result.stderr
    path = tmp_path / f"{preset}.mobileconfig"
    profile = plistlib.loads(path.read_bytes())
    assert apple_schema.problems(profile) == []
    types = {p["PayloadType"] for p in profile["PayloadContent"]}
    assert (types == {"com.apple.ManagedClient.preferences"}) == (style == "mcx")
    # Judged against the versions the preset is for, as the build is.
    aim = [
        arg
        for product, low, high in catalog_module.load().presets[preset].versions
        for arg in (f"--{'office' if product == 'office' else 'mau'}", str(high or low))
    ]
    checked = run("check", path, *aim)
    assert checked.returncode == 0 and "no problems found" in checked.stdout


def test_payload_style_from_config_and_bad_value(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('preset = "manual-updates"\n[profile]\npayload_style = "mcx"\n')
    assert run("build", "-c", config, "-o", tmp_path, "-f", "mobileconfig").returncode == 0
    assert b"com.apple.ManagedClient.preferences" in (tmp_path / "c.mobileconfig").read_bytes()
    bad = run("build", "-p", "manual-updates", "--payload-style", "legacy", "-o", tmp_path / "x")
    assert bad.returncode == 1 and "unknown payload style 'legacy'; expected one of direct, mcx" in bad.stderr


def test_intune_files_are_bare_pairs(tmp_path, catalog):
    run("build", "-p", "volume-license-offline", "-o", tmp_path, "-f", "intune-plist")
    files = sorted((tmp_path / "volume-license-offline-intune").iterdir())
    domains = {s.domain for s in catalog.presets["volume-license-offline"].values}
    assert sorted(f.stem for f in files) == sorted(domains)
    for path in files:
        data = path.read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf")
        data.decode("utf-8")
        for wrapper in (b"<?xml", b"<!DOCTYPE", b"<plist", b"<dict>", b"</dict>"):
            assert wrapper not in data
        assert data.startswith(b"<key>")
    word = intune_values((tmp_path / "volume-license-offline-intune" / "com.microsoft.Word.plist").read_bytes())
    assert word == {"SendAllTelemetryEnabled": False, "UseOnlineContent": 0}


def jamf_form(schema: dict, filled: dict) -> dict:
    """The plist values Jamf Pro makes from its form (json-editor): every property starts Not
    configured (null), the admin fills some in, and with remove_empty_properties the null ones
    are left out. Validated against the schema as the form validates it, by jsonschema."""
    import jsonschema

    assert schema["options"] == {"remove_empty_properties": True}
    values = {key: filled.get(key) for key in schema["properties"]}  # an untouched form: all null
    jsonschema.validate(values, schema)
    made = {k: v for k, v in values.items() if v is not None}
    jsonschema.validate(made, schema)
    return plistlib.loads(plistlib.dumps(made))


def test_jamf_plists_and_schemas(tmp_path):
    import jsonschema

    run("build", "-p", "volume-license-offline", "-o", tmp_path, "-f", "jamf-plist,jamf-schema")
    folder = tmp_path / "volume-license-offline-jamf"
    word = (folder / "com.microsoft.Word.plist").read_bytes()
    assert word.startswith(b"<?xml") and plistlib.loads(word) == {
        "SendAllTelemetryEnabled": False,
        "UseOnlineContent": 0,
    }
    schema = json.loads((folder / "com.microsoft.Word.json").read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    # Nothing is pre-filled: no default anywhere, and each property starts Not configured.
    assert '"default"' not in (folder / "com.microsoft.Word.json").read_text()
    for prop in schema["properties"].values():
        assert prop["anyOf"][0] == {"type": "null", "title": "Not configured"}
        assert prop["links"] and all(link["href"].startswith("https://") for link in prop["links"])
    uoc = schema["properties"]["UseOnlineContent"]
    configured = uoc["anyOf"][1]
    assert configured["enum"] == [0, 1, 2] and len(configured["options"]["enum_titles"]) == 3
    assert configured["type"] == "integer"
    assert "volume-license" in uoc["description"] and 'section "Disabling Cloud Sign-In' in uoc["description"]
    settings = {s["key"]: s for s in json.loads(run("settings", "--json").stdout)["settings"]}
    assert uoc["title"] == f"{settings['UseOnlineContent']['title']} (UseOnlineContent)"
    assert configured["options"]["enum_titles"] == [v["title"] for v in settings["UseOnlineContent"]["values"]]
    assert "Versions: read from Office 15.25" in uoc["description"]

    # An untouched form makes a plist with no keys; one filled in for one AutoUpdate key, that key alone.
    mau = json.loads((folder / "com.microsoft.autoupdate2.json").read_text())
    assert jamf_form(mau, {}) == {}
    assert jamf_form(mau, {"HowToCheck": "Manual"}) == {"HowToCheck": "Manual"}
    one = tmp_path / "one"
    assert run("build", "--set", "HowToCheck=Manual", "-o", one, "-f", "jamf-plist").returncode == 0
    assert plistlib.loads((one / "office-network-jamf" / "com.microsoft.autoupdate2.plist").read_bytes()) == {
        "HowToCheck": "Manual"
    }
    # The schema has teeth: what the catalog refuses, the form refuses.
    for wrong in ({"HowToCheck": "Sometimes"}, {"UpdateCheckInterval": "240"}, {"UpdateCache": "http://x"}):
        with pytest.raises(jsonschema.ValidationError):
            jamf_form(mau, wrong)
    # A key whose value holds a date, which the form would write as text, is left out, and said so.
    assert "UpdateDeadline.ApplicationsForcedUpdateSchedule" not in mau["properties"]
    assert "UpdateDeadline.ApplicationsForcedUpdateSchedule" in mau["description"]


@pytest.mark.parametrize("name", list(FORMATS))
def test_each_format_of_the_registry_is_listed_and_writes_its_own_kinds(tmp_path, name):
    help_text = " ".join(run("build", "--help").stdout.split()).replace("- ", "-")  # rich wraps at hyphens
    assert name in help_text
    result = run(
        "build",
        "-p",
        "volume-license-offline",
        "-o",
        tmp_path,
        "-f",
        name,
        "--json",
        "--pac-proxy",
        "proxy.example.com:3128",
    )
    assert result.returncode == 0, result.stderr
    written = {f["kind"] for f in json.loads(result.stdout)["files"]}
    unsigned = set(FORMATS[name].kinds) - {"mobileconfig-signed"}
    assert written == unsigned | {"manifest"}
    assert {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()} == {
        Path(f["path"]).relative_to(tmp_path).as_posix() for f in json.loads(result.stdout)["files"]
    }


def test_repeated_and_comma_separated_formats(tmp_path):
    result = run(
        "build", "-p", "manual-updates", "-o", tmp_path, "-f", "script,mobileconfig", "-f", "jamf-plist", "--json"
    )
    kinds = {f["kind"] for f in json.loads(result.stdout)["files"]}
    assert kinds == {"script", "jamf-extension-attribute", "mobileconfig", "jamf-plist", "manifest"}


def write_configs(folder, bad_middle=False):
    folder.mkdir()
    (folder / "a-sales.toml").write_text(
        'preset = "manual-updates"\n[profile]\norganization = "Sales"\nidentifier = "com.example.sales.office"\n'
    )
    (folder / "b-legal.toml").write_text(
        'preset = "volume-license-offline"\n[profile]\norganization = "Legal"\n'
        + ('identifier = "com.example legal"\n' if bad_middle else 'identifier = "com.example.legal.office"\n')
    )
    (folder / "c-lab.toml").write_text("[settings]\nSendAllTelemetryEnabled = false\n")
    return sorted(folder.glob("*.toml"))


def test_batch_builds_each_config_into_its_own_folder(tmp_path):
    configs = write_configs(tmp_path / "configs")
    result = run("build", "--config-dir", tmp_path / "configs", "-o", tmp_path / "out", "--json", "-f", "mobileconfig")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert [b["name"] for b in summary["builds"]] == ["a-sales", "b-legal", "c-lab"]
    assert [f["kind"] for f in summary["files"]] == ["mobileconfig", "manifest"] * 3
    for config in configs:
        profile = plistlib.loads((tmp_path / "out" / config.stem / f"{config.stem}.mobileconfig").read_bytes())
        assert apple_schema.problems(profile) == []
    legal = plistlib.loads((tmp_path / "out" / "b-legal" / "b-legal.mobileconfig").read_bytes())
    assert (legal["PayloadOrganization"], legal["PayloadIdentifier"]) == ("Legal", "com.example.legal.office")
    again = run("build", "-c", configs[0], "-c", configs[2], "-o", tmp_path / "two", "-f", "script")
    assert again.returncode == 0 and sorted(p.name for p in (tmp_path / "two").iterdir()) == ["a-sales", "c-lab"]


def test_a_bad_config_in_the_middle_writes_nothing(tmp_path):
    configs = write_configs(tmp_path / "configs", bad_middle=True)
    out = tmp_path / "out"
    result = run("build", *[x for c in configs for x in ("--config", c)], "-o", out)
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: {configs[1]}") and "'com.example legal' is not valid" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run("build", "--config-dir", empty, "-o", out)
    assert result.returncode == 1 and "holds no .toml files" in result.stderr


def test_a_signed_batch(tmp_path):
    from pki import PKI

    pki = PKI(tmp_path)
    leaf = pki.leaf("batch")
    write_configs(tmp_path / "configs")
    result = run(
        "build",
        "--config-dir",
        tmp_path / "configs",
        "-o",
        tmp_path / "out",
        "-f",
        "mobileconfig",
        "--sign-cert",
        leaf.cert_pem,
        "--sign-key",
        leaf.key_pem,
        "--sign-chain",
        pki.chain_pem,
    )
    assert result.returncode == 0, result.stderr
    signed = sorted((tmp_path / "out").rglob("*.signed.mobileconfig"))
    assert len(signed) == 3
    for path in signed:
        assert run("verify", path, "--ca", pki.root_pem).returncode == 0
