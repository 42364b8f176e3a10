"""Named moments of a run where a test can hold the process, act, and let it go on.

A test that interrupts or races a build must choose its moment from what the build has done,
never from a sleep: a sleep lands somewhere else on a loaded machine. So the moments the promises
are about (the entry point has taken the signals, the folder is locked, the new files are staged,
half renamed, in place) are named here, and the build calls `reached` at each.

Off unless PROFILEGEN_CHECKPOINTS is "W,R", two file descriptors the process inherited: at each
moment it writes the name and a newline to W and waits for one byte from R. When the other side
has closed either end, it stops asking and goes on. Costs one test of a module constant otherwise.
"""

import os

_fds = os.environ.get("PROFILEGEN_CHECKPOINTS")


def reached(name: str) -> None:
    """Say that `name` is reached, and wait for leave to go on, when a test asks to hold here."""
    global _fds
    if not _fds:
        return
    try:
        write, read = (int(fd) for fd in _fds.split(","))
        os.write(write, name.encode() + b"\n")
        if os.read(read, 1):
            return
    except (OSError, ValueError):
        pass
    _fds = None  # the other side has let go: on to the end without holding
