import os
import select
import signal
import subprocess
import sys
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# A hundred real processes start profilegen here. Where PYTHONDONTWRITEBYTECODE is set (container
# images set it), each would compile profilegen anew, a tenth of the suite's CPU; their compiled
# code, and pytest's rewritten tests, go to a cache of the tests' own instead, in the user's own
# cache folder (never a shared one such as /tmp, where another user could plant code), for this
# process and theirs.
if os.environ.get("PYTHONDONTWRITEBYTECODE"):
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "profilegen" / "tests-pycache"
    try:
        cache.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        pass  # a home that can't be written: compile at every start, as asked
    else:
        del os.environ["PYTHONDONTWRITEBYTECODE"]
        os.environ["PYTHONPYCACHEPREFIX"] = sys.pycache_prefix = str(cache)
        sys.dont_write_bytecode = False

# How long a test waits for another process before calling it hung: a bound for a hang, not a
# guess at how long anything takes, so generous that no loaded machine reaches it by being slow.
HUNG = 300

# CI has shared/ beside the checkout; a developer's checkout may sit elsewhere.
SHARED = Path(os.environ.get("PROFILEGEN_SHARED", ROOT.parent / "shared"))
REFERENCE = (
    "needs the source article, Microsoft's pages, ProfileManifests' manifests or real public profiles "
    f"in {SHARED} (PROFILEGEN_SHARED names another place; see the README)"
)


def pytest_configure(config):
    config.addinivalue_line("markers", f"reference: {REFERENCE}")
    config.addinivalue_line(
        "markers",
        "timing: interrupts, races, locks, or waits on another process or a terminal; "
        "tools/stress.py runs these many times under load",
    )
    config.addinivalue_line("markers", "slow: takes seconds of its own; run first, so that the workers end together")


def pytest_collection_modifyitems(config, items):
    """The slow tests first: the workers take tests in this order, and a slow one taken last
    would keep one of them busy after the rest are done. Reference tests are left out, each with
    its reason, where ../shared isn't; CI (PROFILEGEN_REQUIRE_SHARED=1) fails instead, so that it
    always runs them."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable: in file order otherwise
    if SHARED.is_dir():
        return
    if os.environ.get("PROFILEGEN_REQUIRE_SHARED"):
        raise pytest.UsageError(f"{SHARED} is not here, and PROFILEGEN_REQUIRE_SHARED asks for the reference tests")
    for item in items:
        if item.get_closest_marker("reference"):
            item.add_marker(pytest.mark.skip(reason=REFERENCE))


def pytest_terminal_summary(terminalreporter):
    """One line per reason a test was left out: never a skip without its why."""
    reasons = Counter(
        report.longrepr[2].removeprefix("Skipped: ")
        for report in terminalreporter.stats.get("skipped", [])
        if isinstance(report.longrepr, tuple)
    )
    for reason, count in reasons.items():
        terminalreporter.write_line(f"left out: {count} test{'s' if count > 1 else ''}: {reason}")
    # Claims of the catalog no test can check against their source (test_citations): by name.
    for report in terminalreporter.stats.get("passed", []):
        for name, unchecked in getattr(report, "user_properties", ()):
            if name == "unchecked claims":
                terminalreporter.write_line(f"unchecked claims ({len(unchecked)}), inferred or with no stored source:")
                for line in unchecked:
                    terminalreporter.write_line(f"  {line}")


def shared(*parts: str) -> Path:
    """A file in ../shared; only reference tests (pytest.mark.reference) may ask for one."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"{path} is not here: a test that reads ../shared must be marked reference")
    return path


def run(*args, cwd=None, env=None, input=None) -> subprocess.CompletedProcess:
    """The CLI in this process, through typer's runner: its exit code, stdout and stderr as a real
    run gives them, without a Python start-up each time. An exception the CLI lets out fails the
    test here, as a traceback would there. What only a real process shows (the entry point,
    start-up imports, a terminal) uses `run_process`."""
    from typer.testing import CliRunner

    from profilegen.cli.app import app

    # `env` replaces the environment, as subprocess's does: what it leaves out is unset.
    changes = None if env is None else {**{k: None for k in os.environ if k not in env}, **env}
    here = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = CliRunner().invoke(app, [str(a) for a in args], input=input, env=changes, prog_name="profilegen")
    finally:
        os.chdir(here)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(["profilegen", *map(str, args)], result.exit_code, result.stdout, result.stderr)


def run_process(*args, cwd=None, env=None, input=None) -> subprocess.CompletedProcess:
    """The real CLI in a subprocess: the real entry point, exit codes, stderr and tracebacks."""
    return subprocess.run(
        [sys.executable, "-m", "profilegen", *map(str, args)],
        cwd=cwd,
        env=env,
        input=input,
        capture_output=True,
        text=True,
        timeout=HUNG,
    )


class TooMuchWork(BaseException):
    """Past any `except Exception` in the code under test, to the test."""


@contextmanager
def cpu_bound(seconds: float):
    """Fail the block if it takes more than `seconds` of this process's CPU time: a bound on work
    that holds on a loaded machine, where a bound on the clock doesn't, and that stops a runaway."""

    def over(signum, frame):
        raise TooMuchWork(f"more than {seconds} s of CPU time")

    previous = signal.signal(signal.SIGPROF, over)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


class Held:
    """The real CLI in a subprocess that stops at each named moment of its run
    (profilegen.checkpoints) until the test lets it go on: a test that interrupts or races a
    build acts at a moment the build has reached, never after a sleep."""

    def __init__(self, *args, **popen):
        said, says = os.pipe()  # the moment reached: process to test
        hears, self._to_process = os.pipe()  # leave to go on: test to process
        env = {**popen.pop("env", os.environ), "PROFILEGEN_CHECKPOINTS": f"{says},{hears}"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "profilegen", *map(str, args)], env=env, pass_fds=(says, hears), **popen
        )
        os.close(says)
        os.close(hears)
        self._reader = os.fdopen(said, "rb", buffering=0)  # unbuffered: select sees what is unread
        self.passed: list[str] = []

    def until(self, moment: str) -> None:
        """Let the process go on until it holds at `moment`."""
        while not self.passed or self.passed[-1] != moment:
            if self.passed:
                os.write(self._to_process, b".")
            if not select.select([self._reader], [], [], HUNG)[0]:
                raise AssertionError(f"no moment reached in {HUNG} s after {self.passed}")
            line = self._reader.readline().decode().strip()
            if not line:
                raise AssertionError(f"the process ended before {moment!r}, after {self.passed}")
            self.passed.append(line)

    def release(self) -> None:
        """Let go: the process runs on to its end without holding again."""
        if self._to_process is not None:
            os.close(self._to_process)
            self._reader.close()
            self._to_process = None

    def finish(self) -> tuple[int, str]:
        """Let go, and wait for the exit: (exit code, stderr)."""
        self.release()
        _, stderr = self.process.communicate(timeout=HUNG)
        return self.process.returncode, stderr


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    """A root, an intermediate and the leaves a test asks for (tests/pki.py), one per worker."""
    from pki import PKI

    return PKI(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def catalog():
    from profilegen.catalog import loading

    return loading.load()
