"""The start-up path stays light: checked by what is imported, not by timing anything."""

import subprocess
import sys

import pytest

from conftest import ROOT

HEAVY = ("questionary", "prompt_toolkit", "cryptography", "asn1crypto", "rich", "lxml", "pydantic", "yaml")


def imported(*args, cwd) -> set[str]:
    """Top-level packages imported by a real run, from python -X importtime."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "profilegen", *args], cwd=cwd, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    names = set()
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    assert "profilegen" in names
    return names


def test_a_plain_build_imports_nothing_heavy(tmp_path):
    names = imported("build", "--preset", "volume-license-offline", "-o", "out", cwd=tmp_path)
    assert not names & set(HEAVY), names & set(HEAVY)


@pytest.mark.parametrize("args", [("--help",), ("build", "--help")])
def test_help_does_not_even_load_the_catalog(tmp_path, args):
    names = imported(*args, cwd=tmp_path)
    assert not names & set(HEAVY)
    assert "tomllib" not in names and "plistlib" not in names


def test_signing_imports_the_signing_stack_only_then(tmp_path):
    from pki import PKI

    pki = PKI(tmp_path)
    leaf = pki.leaf("s", kind="ec")
    names = imported(
        "build",
        "-p",
        "manual-updates",
        "-o",
        "out",
        "-f",
        "mobileconfig",
        "--sign-cert",
        leaf.cert_pem,
        "--sign-key",
        leaf.key_pem,
        cwd=tmp_path,
    )
    assert "cryptography" in names
    assert not names & {"asn1crypto", "questionary", "prompt_toolkit", "rich", "lxml"}  # asn1crypto reads CMS
    names = imported("verify", "out/manual-updates.signed.mobileconfig", cwd=tmp_path)
    assert {"cryptography", "asn1crypto"} <= names


def test_the_catalog_is_parsed_once_per_process():
    from profilegen.catalog import loading

    assert loading.load() is loading.load()


def test_importing_every_module_raises_no_deprecation_warning():
    """typer 0.24 with click 8.5 warned of Click 9 at every start; 0.26-0.28 carry their own click."""
    modules = sorted(p.stem for p in (ROOT / "profilegen").glob("*.py") if p.stem != "__main__")
    code = "import importlib\n" + "".join(f"importlib.import_module('profilegen.{m}')\n" for m in modules)
    result = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-W", "error::PendingDeprecationWarning", "-c", code],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
