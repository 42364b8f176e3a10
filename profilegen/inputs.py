"""Reading the files a user names: regular files only, of bounded size.

A FIFO would block a build for ever and /dev/zero would never end; a folder or a device is
never what was meant. Each refusal is an OSError whose strerror says why, as the callers'
messages already quote it.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

LIMIT = 16 * 1024 * 1024  # far above any profile, config, key or password file


def read(path: str | Path, limit: int = LIMIT, dir_fd: int | None = None) -> bytes:
    """The file's bytes. With dir_fd, path is a name in that folder, and a symbolic link there is
    refused rather than followed."""
    # O_NONBLOCK: opening a FIFO doesn't wait for a writer, so it can be refused at once.
    flags = os.O_RDONLY | os.O_NONBLOCK | (os.O_NOFOLLOW if dir_fd is not None else 0)
    fd = os.open(path, flags, dir_fd=dir_fd)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file (a folder, FIFO or device)", str(path))
        if info.st_size > limit:
            raise OSError(errno.EFBIG, f"larger than {limit // 2**20} MB", str(path))
        os.set_blocking(fd, True)
        chunks, size = [], 0
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:  # it grew while being read
                raise OSError(errno.EFBIG, f"larger than {limit // 2**20} MB", str(path))
        return b"".join(chunks)
    finally:
        os.close(fd)
