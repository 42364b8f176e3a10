"""Writing outputs: all or nothing, atomically, never over an existing file unless forced.

A build also removes what an earlier build of the same name wrote and this one
no longer writes (`stale`, from the earlier build's manifest), but only after
every new file is in place, and only regular files inside the output folder
reached without a symlink: a file placed there by hand, or anything a manifest
names outside the folder, is never touched.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath

from profilegen import interrupts
from profilegen.checkpoints import reached
from profilegen.errors import OutputError
from profilegen.render import Output


def write(outputs: list[Output], folder: Path, force: bool = False, stale: tuple[str, ...] = ()) -> list[Path]:
    """Write every output under folder, or none of them; then remove the stale files.

    Each file goes to a temporary name beside its target first; only when all
    are written are they renamed into place, so a failure leaves the folder as it
    was and a reader never sees a half-written profile. Builds into one folder take
    turns (a lock on the folder), so "no replace without --force" holds under races,
    and SIGINT and SIGTERM wait while it writes: an interrupted build leaves the
    folder as it was or holds the new build whole.
    """
    import fcntl

    made: list[Path] = []
    lock = None
    try:
        blocker = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None)
        if blocker is not None:
            raise OutputError(f"{blocker} is a file, not a folder; choose another output folder")
        made = [p for p in (folder, *folder.parents) if not p.exists()][::-1]
        folder.mkdir(parents=True, exist_ok=True)
        lock = os.open(folder, os.O_RDONLY)
        reached("locking")
        fcntl.flock(lock, fcntl.LOCK_EX)
        reached("locked")
        return _write(outputs, folder, force, stale)
    except OSError as e:  # a name too long, a folder that can't be made or read: one line, as the rest
        _unmake(made)
        raise OutputError(f"can't write to {e.filename or folder}: {e.strerror}") from None
    except BaseException:
        _unmake(made)  # only while empty: the folders this build made, as it found them
        raise
    finally:
        if lock is not None:
            os.close(lock)


def _unmake(made: list[Path]) -> None:
    for path in reversed(made):
        try:
            path.rmdir()
        except OSError:
            return


def _write(outputs: list[Output], folder: Path, force: bool, stale: tuple[str, ...]) -> list[Path]:
    targets = [_inside(folder, out.path) for out in outputs]
    parents = list(dict.fromkeys(t.parent for t in targets))
    seen: set[Path] = set()  # a batch's subfolders share their ancestors: each is looked at once
    for parent in parents:
        for p in (parent, *parent.parents):
            if p in seen:
                break
            seen.add(p)
            if p != folder and folder in p.parents and p.is_symlink():
                raise OutputError(f"{p} is a symbolic link; profilegen doesn't write through one")
            if p.exists() and not p.is_dir():
                raise OutputError(f"{p} is a file, not a folder; choose another output folder")
    if not force:
        existing = next((t for t in targets if t.exists() or t.is_symlink()), None)
        if existing:
            raise OutputError(f"{existing} already exists; use --force to replace it")
    # Found now, not halfway through the renames, so that a failure leaves the folder as it was.
    for target in targets:
        if target.is_symlink():
            raise OutputError(f"{target} is a symbolic link; profilegen doesn't write through one")
        if target.exists() and not target.is_file():
            raise OutputError(f"{target} is not a file; profilegen replaces only files it wrote")
    staged: list[tuple[str, Path]] = []
    created: list[Path] = []
    # From the first folder made to the last rename, SIGINT and SIGTERM wait: the folder then holds
    # the new build whole, and the signal lands after (a failure, instead, puts it back as it was).
    with interrupts.held():
        try:
            reached("writing")
            for parent in parents:
                missing = []
                for p in (parent, *parent.parents):  # up to the first that exists: its ancestors do too
                    if p.exists():
                        break
                    missing.append(p)
                parent.mkdir(parents=True, exist_ok=True)
                created += reversed(missing)
            for out, target in zip(outputs, targets, strict=True):
                temp, fd = _temporary(target, 0o755 if out.executable else 0o644)
                staged.append((temp, target))
                with os.fdopen(fd, "wb") as f:
                    f.write(out.data)
            reached("staged")
            for i, (temp, target) in enumerate(staged):
                if i == len(staged) // 2:
                    reached("half-renamed")
                os.replace(temp, target)
            staged.clear()
            reached("renamed")
            remove(folder, stale)
        except OSError as e:
            for temp, _ in staged:
                if os.path.exists(temp):
                    os.unlink(temp)
            for made in reversed(created):
                try:
                    made.rmdir()
                except OSError:
                    pass
            raise OutputError(f"can't write to {e.filename or folder}: {e.strerror}") from None
    reached("written")
    return targets


def _inside(folder: Path, relative: str) -> Path:
    """folder/relative, where relative names a place inside folder: no '..', not absolute."""
    path = PurePosixPath(relative)
    if not relative or path.is_absolute() or ".." in path.parts or not path.parts:
        raise OutputError(f"{relative!r} is not a file name inside the output folder")
    return folder.joinpath(*path.parts)


def _temporary(target: Path, mode: int) -> tuple[str, int]:
    """A new file beside target, under a name no leftover of an interrupted build can hold."""
    import secrets

    while True:
        temp = f"{target.parent}/.{target.name}.{secrets.token_hex(6)}.tmp"
        try:
            return temp, os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
        except FileExistsError:
            continue


def owned(folder: Path, relative: str) -> Path | None:
    """The file a manifest names, if it is a regular file inside folder reached without a symlink."""
    if not isinstance(relative, str) or "\0" in relative:
        return None
    parts = PurePosixPath(relative).parts
    if not parts or PurePosixPath(relative).is_absolute() or ".." in parts:
        return None
    path = folder
    for i, part in enumerate(parts):
        path = path / part
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            return None
        if stat.S_ISLNK(mode) or (i < len(parts) - 1 and not stat.S_ISDIR(mode)):
            return None
    return path if stat.S_ISREG(mode) else None


def remove(folder: Path, stale: tuple[str, ...]) -> None:
    """Remove the stale files an earlier build wrote, and the folders they leave empty."""
    for relative in stale:
        path = owned(folder, relative)
        if path is None:
            continue
        try:
            path.unlink()
            for parent in path.parents:
                if parent == folder or folder not in parent.parents:
                    break
                parent.rmdir()  # only while empty; an OSError ends the climb
        except OSError:
            continue
