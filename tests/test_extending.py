"""A preference added as data, with no code change, reaches every surface: settings, build,
the wizard, the README table and the Jamf schema. Run on a copy of the project."""

import json
import plistlib
import shutil
import subprocess
import sys

import pytest

from conftest import HUNG, ROOT

NEW = """\
key = "ProfilegenTestCadence"
title = "Test cadence"
description = "A preference that exists only in this test, to prove the catalog grows by data alone."
question = "How often should the test check?"
group = "updates"
order = 9
type = "string"
domains = ["com.microsoft.autoupdate2", "com.microsoft.Word"]
default = "Daily"
private = "Never"
source = "mau-preferences"
section = "HowToCheck"
confidence = "low"
caveats = ["Made up for a test."]

[[values]]
value = "Daily"
title = "Every day"

[[values]]
value = "Never"
title = "Not at all"
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("project")
    for name in ("profilegen", "payloads"):
        shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "README.md", root / "README.md")
    (root / "payloads" / "preferences" / "ProfilegenTestCadence.toml").write_text(NEW)
    return root


def run_in(project, *args):
    # -m with cwd = the copy: its own package and payloads come first on sys.path
    return subprocess.run(
        [sys.executable, "-m", "profilegen", *map(str, args)], cwd=project, capture_output=True, text=True, timeout=HUNG
    )


def test_it_is_listed_and_built(project, tmp_path):
    settings = {s["key"]: s for s in json.loads(run_in(project, "settings", "--json").stdout)["settings"]}
    assert [(v["value"], v["title"]) for v in settings["ProfilegenTestCadence"]["values"]] == [
        ("Daily", "Every day"),
        ("Never", "Not at all"),
    ]
    assert "How often" not in run_in(project, "settings").stdout  # the question is the wizard's
    assert "ProfilegenTestCadence: Test cadence" in run_in(project, "settings").stdout

    result = run_in(
        project,
        "build",
        "--set",
        "word:ProfilegenTestCadence=never",
        "--set",
        "HowToCheck=Manual",
        "-o",
        tmp_path,
        "--json",
    )
    assert result.returncode == 0, result.stderr
    profile = plistlib.loads((tmp_path / "office-network.mobileconfig").read_bytes())
    word = next(p for p in profile["PayloadContent"] if p["PayloadType"] == "com.microsoft.Word")
    assert word["ProfilegenTestCadence"] == "Never"
    assert '"$1" com.microsoft.Word ProfilegenTestCadence string Never' in (tmp_path / "office-network.sh").read_text()
    schema = json.loads((tmp_path / "office-network-jamf" / "com.microsoft.Word.json").read_text())
    prop = schema["properties"]["ProfilegenTestCadence"]["anyOf"][1]
    assert (prop["type"], prop["enum"]) == ("string", ["Daily", "Never"])
    assert prop["options"]["enum_titles"] == ["Every day", "Not at all"]
    bad = run_in(project, "build", "--set", "ProfilegenTestCadence=Weekly", "-o", tmp_path / "bad")
    assert bad.returncode == 1 and 'expected one of Daily "Every day", Never "Not at all"' in bad.stderr


def test_it_joins_the_readme_table(project):
    readme = project / "README.md"
    subprocess.run([sys.executable, "-m", "profilegen.cli.docs", str(readme)], cwd=project, check=True)
    row = next(line for line in readme.read_text().splitlines() if line.startswith("| `ProfilegenTestCadence`"))
    assert "`Daily` Every day<br>`Never` Not at all" in row and "⚠ Made up for a test." in row


@pytest.mark.slow
@pytest.mark.timing
def test_the_wizard_asks_it(project, tmp_path):
    from test_wizard import ENTER, answer, begin, details, finish, outputs, pick, settings, spawn

    from profilegen.catalog import loading as catalog_module

    catalog = catalog_module.load(project / "payloads")
    new = catalog.preferences["ProfilegenTestCadence"]
    child = spawn(project)
    begin(child)
    answer(child, "Start from:", ENTER)
    settings(child, catalog, {new.key: (pick(new, "Never"), "\x1b[B \r")})  # Never, but not in Word
    details(child)
    outputs(child, {"Output folder:": ("\x15", str(tmp_path), ENTER)})
    answer(child, "Write ", ENTER)
    assert finish(child) == 0
    assert "How often should the test check? (ProfilegenTestCadence)" in child.logfile_read.getvalue()
    profile = plistlib.loads((tmp_path / "required-data-only.mobileconfig").read_bytes())
    found = {(p["PayloadType"], k): v for p in profile["PayloadContent"] for k, v in p.items() if k == new.key}
    assert found == {("com.microsoft.autoupdate2", new.key): "Never"}
