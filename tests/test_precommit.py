"""The pre-commit hook, run by pre-commit itself on a sample repository of profiles."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import HUNG, ROOT, run

GIT = ["git", "-c", "user.name=profilegen tests", "-c", "user.email=tests@profilegen.invalid"]

pytestmark = pytest.mark.slow  # pre-commit installs the hook with pip first


def this_checkout_as_committed(folder: Path) -> tuple[Path, str]:
    """A clone of this checkout with its uncommitted files committed, as `pre-commit try-repo` makes
    one; made here so that one hook environment serves both runs (try-repo installs it anew each time)."""
    subprocess.run([*GIT, "clone", "-q", str(ROOT), str(folder)], check=True)
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    for name in filter(None, listed.decode().split("\0")):
        source, copy = ROOT / name, folder / name
        if source.is_file():
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy)
        elif copy.exists():  # deleted in the working tree
            copy.unlink()
    subprocess.run([*GIT, "add", "-A"], cwd=folder, check=True)
    subprocess.run([*GIT, "commit", "-q", "--allow-empty", "-m", "as checked out"], cwd=folder, check=True)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True, check=True)
    return folder, head.stdout.strip()


def test_the_hook_checks_every_profile_of_a_repository(tmp_path):
    pre_commit = Path(sys.executable).with_name("pre-commit")
    if not pre_commit.exists() or not (ROOT / ".git").exists() or not shutil.which("git"):
        pytest.skip("needs pre-commit (the test extras), git, and this project as a git checkout")
    hook_repo, rev = this_checkout_as_committed(tmp_path / "hook")
    repo = tmp_path / "profiles"
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hook_repo}\n    rev: {rev}\n    hooks:\n      - id: profilegen-check\n"
    )
    built = run("build", "-p", "manual-updates", "-f", "mobileconfig", "-o", repo, "--identifier", "com.example.office")
    assert built.returncode == 0
    good = repo / "manual-updates.mobileconfig"
    (repo / "bad.mobileconfig").write_bytes(
        good.read_bytes().replace(b"<string>Manual</string>", b"<string>Never</string>")
    )
    (repo / "notes.txt").write_text("not a profile")
    subprocess.run(["git", "add", "."], cwd=repo, check=True)
    # pip byte-compiles the hook's dependencies as it installs them, a third of the install's time;
    # the hook runs the same without (Python compiles what it imports).
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit"), "PIP_COMPILE": "false"}

    def pre_commit_run() -> subprocess.CompletedProcess:
        # A bound for a hung install, not a moment: pre-commit installs the hook with pip first.
        command = [str(pre_commit), "run", "--all-files", "--verbose"]
        return subprocess.run(command, cwd=repo, capture_output=True, text=True, env=env, timeout=2 * HUNG)

    result = pre_commit_run()
    assert result.returncode == 1, result.stdout + result.stderr
    line = good.read_text().splitlines().index("\t\t\t<key>HowToCheck</key>") + 1
    assert (
        f"bad.mobileconfig:{line}: error: com.microsoft.autoupdate2: HowToCheck = Never is not allowed" in result.stdout
    )
    assert "manual-updates.mobileconfig: no problems found" in result.stdout
    assert "notes.txt" not in result.stdout.split("hook id")[-1]
    (repo / "bad.mobileconfig").unlink()
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    passed = pre_commit_run()
    assert passed.returncode == 0, passed.stdout + passed.stderr
