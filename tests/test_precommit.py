"""The pre-commit hook, run by pre-commit itself on a sample repository of profiles."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, run


def test_the_hook_checks_every_profile_of_a_repository(tmp_path):
    pre_commit = Path(sys.executable).with_name("pre-commit")
    if not pre_commit.exists() or not (ROOT / ".git").exists() or not shutil.which("git"):
        pytest.skip("needs pre-commit (the test extras), git, and this project as a git checkout")
    repo = tmp_path / "profiles"
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    assert (
        run(
            "build", "-p", "manual-updates", "-f", "mobileconfig", "-o", repo, "--identifier", "com.example.office"
        ).returncode
        == 0
    )
    good = repo / "manual-updates.mobileconfig"
    (repo / "bad.mobileconfig").write_bytes(
        good.read_bytes().replace(b"<string>Manual</string>", b"<string>Never</string>")
    )
    (repo / "notes.txt").write_text("not a profile")
    subprocess.run(["git", "add", "."], cwd=repo, check=True)
    result = subprocess.run(
        [str(pre_commit), "try-repo", str(ROOT), "profilegen-check", "--all-files"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    line = good.read_text().splitlines().index("\t\t\t<key>HowToCheck</key>") + 1
    assert (
        f"bad.mobileconfig:{line}: error: com.microsoft.autoupdate2: HowToCheck = Never is not allowed" in result.stdout
    )
    assert "manual-updates.mobileconfig: no problems found" in result.stdout
    assert "notes.txt" not in result.stdout.split("hook id")[-1]
    (repo / "bad.mobileconfig").unlink()
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    passed = subprocess.run(
        [str(pre_commit), "try-repo", str(ROOT), "profilegen-check", "--all-files"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert passed.returncode == 0, passed.stdout + passed.stderr
