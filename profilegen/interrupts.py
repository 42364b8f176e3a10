"""SIGINT and SIGTERM: one line and 128+N from the moment the entry point runs, and held while a
build writes, so that the output folder keeps the previous build or the new one, whole.

`install` is the entry point's first act (profilegen.__main__, before the CLI's imports); what
comes before it is Python's own start-up, where a signal ends the process before anything is
written or, rarely, is an exception Python ignores, and the build goes on. `held` is the
writing's (profilegen.build.output).
"""

import signal
from collections.abc import Iterator
from contextlib import contextmanager

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """Past typer's own handling of KeyboardInterrupt, to the entry point."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    def __str__(self) -> str:
        return f"interrupted by {signal.Signals(self.signum).name}"


_holding = 0
_pending: int | None = None


def _interrupt(signum: int, frame) -> None:
    global _pending
    if _holding:
        # Caught by the C handler just before the mask went up: Python runs this handler later,
        # inside the held part. It must not raise there, halfway through the renames.
        _pending = _pending or signum
        return
    raise Interrupted(signum)


def install() -> None:
    for signum in SIGNALS:
        signal.signal(signum, _interrupt)


def ignore() -> None:
    for signum in SIGNALS:
        signal.signal(signum, signal.SIG_IGN)


@contextmanager
def held() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block is done, then interrupt as they would have."""
    global _holding, _pending
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
    _holding += 1
    try:
        yield
    finally:
        _holding -= 1
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)  # one that waited is handled now
        if _pending is not None and not _holding:
            signum, _pending = _pending, None
            raise Interrupted(signum)
