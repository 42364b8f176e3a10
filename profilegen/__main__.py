"""The `profilegen` command and `python -m profilegen`: SIGINT and SIGTERM are taken in hand
before the CLI's imports, so an interrupt is one line and an exit code, never a traceback.

A build's own writing holds them while it renames (profilegen.output), so the folder keeps the
previous build or the new one, whole.
"""

import signal
import sys


class Interrupted(BaseException):
    """Past typer's own handling of KeyboardInterrupt, to here."""

    def __init__(self, signum: int):
        self.signum = signum


def _interrupt(signum, frame) -> None:
    raise Interrupted(signum)


def main() -> None:
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _interrupt)
    try:
        from profilegen.cli import main as run

        run()
    except Interrupted as e:
        sys.stderr.write(f"Error: interrupted by {signal.Signals(e.signum).name}\n")
        sys.exit(128 + e.signum)


if __name__ == "__main__":
    main()
