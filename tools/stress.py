"""Run the timing-sensitive tests many times on a machine kept busy, and count the failures.

    .venv/bin/python tools/stress.py [--rounds 20] [--load 6] [PYTEST ARGUMENTS...]

The tests marked `timing` interrupt builds, race them, take locks, drive a terminal or wait on
another process. On a quiet machine they pass whatever their assumptions; a loaded one is where a
sleep lands in the wrong place. This starts LOAD busy loops (six on two cores is a machine loaded
about four times over), runs `pytest -m timing` ROUNDS times with the project's own settings, and
prints one line a round. Run it before touching signal, lock, terminal or subprocess code; anything
but "0 failed" is a test that fails by chance. Arguments it doesn't know go to pytest, such as
`-k interrupt` or `-m "timing or slow"`. Exit 0 when every round passed, 1 otherwise.
"""

import argparse
import shlex
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20, help="how many runs of the tests [default: 20]")
    parser.add_argument("--load", type=int, default=6, help="how many busy loops run meanwhile [default: 6]")
    options, pytest_args = parser.parse_known_args()
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *(pytest_args or ["-m", "timing"])]
    print(f"{options.load} busy loops; {options.rounds} rounds of: {shlex.join(command[1:])}", flush=True)
    loops = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(options.load)]
    failed = 0
    try:
        for round in range(1, options.rounds + 1):
            started = time.monotonic()
            done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
            summary = (done.stdout.strip().splitlines() or ["(no output)"])[-1]
            print(
                f"round {round}: {'passed' if done.returncode == 0 else 'FAILED'} in "
                f"{time.monotonic() - started:.0f} s: {summary}",
                flush=True,
            )
            if done.returncode != 0:
                failed += 1
                print(done.stdout[-6000:], done.stderr[-2000:], sep="\n", flush=True)
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()
    print(f"{options.rounds} rounds under a load of {options.load}: {options.rounds - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
