"""The `profilegen` command and `python -m profilegen`: SIGINT and SIGTERM are taken in hand
before the CLI's imports, so an interrupt is one line and an exit code, never a traceback.

A build's own writing holds them while it renames (profilegen.build.output), so the folder keeps the
previous build or the new one, whole.
"""

import sys

from profilegen import interrupts


def main() -> None:
    try:
        interrupts.install()  # inside: a signal may land between the two it installs
        from profilegen.checkpoints import reached

        reached("main")  # from here on, an interrupt is one line and 128+N
        from profilegen.cli.app import main as run

        run()
    except interrupts.Interrupted as e:
        interrupts.ignore()  # a second Ctrl-C while this line is written: it is ending already
        sys.stderr.write(f"Error: {e}\n")
        sys.exit(128 + e.signum)


if __name__ == "__main__":
    main()
