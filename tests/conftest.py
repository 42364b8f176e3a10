import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# CI has shared/ beside the checkout; a developer's checkout may sit elsewhere.
SHARED = Path(os.environ.get("PROFILEGEN_SHARED", ROOT.parent / "shared"))


def shared(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not here (set PROFILEGEN_SHARED)")
    return path


def run(*args, cwd=None, env=None, input=None) -> subprocess.CompletedProcess:
    """The real CLI in a subprocess: real exit codes, real stderr, real tracebacks."""
    return subprocess.run(
        [sys.executable, "-m", "profilegen", *map(str, args)],
        cwd=cwd, env=env, input=input, capture_output=True, text=True, timeout=120,
    )


@pytest.fixture(scope="session")
def catalog():
    from profilegen import catalog

    return catalog.load()
