"""Writing outputs: all or nothing, atomically, never over an existing file unless forced, and
removing only what an earlier build can be shown to have written.

Everything happens through handles on the output folder and its subfolders (`dir_fd`, with
`O_NOFOLLOW` on every name) while a lock on the folder is held: a subfolder swapped for a
symbolic link during the build can redirect neither a write nor a removal, and builds into
one folder take turns.

A build of NAME writes NAME.manifest.json beside its files: each file it wrote, relative to
the manifest's own folder, with its size and SHA-256. A later build of NAME with --force
removes the files that manifest lists and it no longer writes, each only while it still has
the listed content; a changed one is left in place with a warning, and a manifest that can't
be read is one warning, with nothing removed on its word. A file another build's manifest
lists is never replaced. Temporary files are named .profilegen-tmp-*: one that a build
killed with SIGKILL left behind is removed by the next build into its folder, which the lock
proves is the only one writing there.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from profilegen import inputs, interrupts
from profilegen.checkpoints import reached
from profilegen.errors import OutputError
from profilegen.core.registry import Output

MANIFEST = ".manifest.json"
TEMP = ".profilegen-tmp-"
_TEMP = re.compile(r"\.profilegen-tmp-[0-9a-f]{12}-")
_HEX = re.compile(r"[0-9a-f]{64}")
_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW

Parts = tuple[str, ...]  # a path inside the output folder, by its names


@dataclass
class Written:
    """What a write did: the files in place, what it removed (paths relative to the output
    folder), and what it left alone that a user should know of."""

    paths: list[Path]
    removed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def manifest_data(name: str, files: list[tuple[str, bytes]]) -> bytes:
    """The manifest of a build: each file (path from the manifest's folder) with its size and
    SHA-256, sorted, so that the same build writes the same bytes."""
    data = {
        "generator": "profilegen",
        "format": 2,
        "name": name,
        "files": [
            {"path": path, "size": len(body), "sha256": hashlib.sha256(body).hexdigest()}
            for path, body in sorted(files)
        ],
    }
    return (json.dumps(data, indent=2) + "\n").encode()


def write(outputs: list[Output], folder: Path, force: bool = False) -> Written:
    """Write every output under folder, or none of them; with force, then remove what the earlier
    build of each manifest's name wrote and this one doesn't.

    Each file goes to a temporary name beside its target first; only when all are written are
    they renamed into place, so a failure leaves the folder as it was and a reader never sees a
    half-written profile. SIGINT and SIGTERM wait while it writes: an interrupted build leaves
    the folder as it was or holds the new build whole.
    """
    import fcntl

    made: list[Path] = []
    root = None
    try:
        blocker = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None)
        if blocker is not None:
            raise OutputError(f"{blocker} is a file, not a folder; choose another output folder")
        made = [p for p in (folder, *folder.parents) if not p.exists()][::-1]
        folder.mkdir(parents=True, exist_ok=True)
        root = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        reached("locking")
        fcntl.flock(root, fcntl.LOCK_EX)
        reached("locked")
        folders = _Folders(folder, root)
        try:
            return _write(outputs, folders, force)
        finally:
            folders.close()
    except OSError as e:  # a name too long, a folder that can't be made or read: one line, as the rest
        _unmake(made)
        raise OutputError(f"can't write to {e.filename or folder}: {e.strerror}") from None
    except BaseException:
        _unmake(made)  # only while empty: the folders this build made, as it found them
        raise
    finally:
        if root is not None:
            os.close(root)


def _unmake(made: list[Path]) -> None:
    for path in reversed(made):
        try:
            path.rmdir()
        except OSError:
            return


class _Folders:
    """Handles on the output folder and the subfolders a build uses, each opened from its
    parent's handle, never through a symbolic link."""

    def __init__(self, folder: Path, root: int) -> None:
        self.folder = folder
        self.fds: dict[Parts, int] = {(): root}
        self.made: list[Parts] = []  # subfolders this build created, parents first

    def shown(self, parts: Parts) -> Path:
        return self.folder.joinpath(*parts)

    def get(self, parts: Parts, create: bool = False) -> int | None:
        """The handle on a subfolder; None where it doesn't exist and isn't to be made."""
        if parts in self.fds:
            return self.fds[parts]
        parent = self.get(parts[:-1], create)
        if parent is None:
            return None
        try:
            fd = os.open(parts[-1], _DIRECTORY, dir_fd=parent)
        except FileNotFoundError:
            if not create:
                return None
            os.mkdir(parts[-1], 0o755, dir_fd=parent)
            self.made.append(parts)
            fd = os.open(parts[-1], _DIRECTORY, dir_fd=parent)
        except OSError as e:
            # Linux says ENOTDIR for a link opened with O_DIRECTORY | O_NOFOLLOW, macOS ELOOP.
            link = e.errno == errno.ELOOP or (
                e.errno == errno.ENOTDIR
                and stat.S_ISLNK(os.stat(parts[-1], dir_fd=parent, follow_symlinks=False).st_mode)
            )
            if link:
                raise OutputError(
                    f"{self.shown(parts)} is a symbolic link; profilegen doesn't write through one"
                ) from None
            if e.errno == errno.ENOTDIR:
                raise OutputError(
                    f"{self.shown(parts)} is a file, not a folder; choose another output folder"
                ) from None
            raise
        self.fds[parts] = fd
        return fd

    def lstat(self, parts: Parts) -> os.stat_result | None:
        """The entry itself (a link as a link), or None where it or a folder above it is missing."""
        parent = self.get(parts[:-1])
        if parent is None:
            return None
        try:
            return os.stat(parts[-1], dir_fd=parent, follow_symlinks=False)
        except FileNotFoundError:
            return None

    def read(self, parts: Parts) -> bytes:
        """A regular file's bytes, bounded as every input is; OSError for anything else."""
        parent = self.get(parts[:-1])
        if parent is None:
            raise FileNotFoundError(errno.ENOENT, "not found", str(self.shown(parts)))
        return inputs.read(parts[-1], dir_fd=parent)

    def close(self) -> None:
        for parts, fd in self.fds.items():
            if parts:
                os.close(fd)
        self.fds = {(): self.fds[()]}

    def unmake(self) -> None:
        for parts in reversed(self.made):
            try:
                os.rmdir(parts[-1], dir_fd=self.fds[parts[:-1]])
            except (OSError, KeyError):
                pass


def parts_of(relative: str) -> Parts:
    """The names of a path inside the output folder: no '..', not absolute, not empty."""
    path = PurePosixPath(relative)
    if not relative or "\0" in relative or path.is_absolute() or ".." in path.parts or not path.parts:
        raise OutputError(f"{relative!r} is not a file name inside the output folder")
    return tuple(path.parts)


def _write(outputs: list[Output], folders: _Folders, force: bool) -> Written:
    targets = [parts_of(out.path) for out in outputs]
    done = Written([folders.shown(t) for t in targets])
    for target in targets:
        info = folders.lstat(target)  # also refuses a link or a file where a folder of it should be
        if info is None:
            continue
        where = folders.shown(target)
        if not force:
            raise OutputError(f"{where} already exists; use --force to replace it")
        if stat.S_ISLNK(info.st_mode):
            raise OutputError(f"{where} is a symbolic link; profilegen doesn't write through one")
        if not stat.S_ISREG(info.st_mode):
            raise OutputError(f"{where} is not a file; profilegen replaces only files it wrote")
    ours = {t for t, out in zip(targets, outputs, strict=True) if out.kind == "manifest"}
    if force:
        _refuse_others(targets, ours, folders)
    # Worked out now, under the lock and before anything is written, so that a failure leaves the
    # folder as it was; removed only once the new build is in place.
    stale = _stale(targets, ours, folders, done) if force else []
    leftovers = _leftovers(targets, folders)
    staged: list[tuple[int, str, str]] = []
    # From the first folder made to the last rename, SIGINT and SIGTERM wait: the folder then holds
    # the new build whole, and the signal lands after (a failure, instead, puts it back as it was).
    with interrupts.held():
        try:
            reached("writing")
            for place, name in leftovers:
                os.unlink(name, dir_fd=folders.fds[place])
                done.removed.append("/".join((*place, name)))
            for out, target in zip(outputs, targets, strict=True):
                parent = folders.get(target[:-1], create=True)
                assert parent is not None  # made when missing
                temp, fd = _temporary(parent, target[-1], 0o755 if out.executable else 0o644)
                staged.append((parent, temp, target[-1]))
                with os.fdopen(fd, "wb") as f:
                    f.write(out.data)
            reached("staged")
            for i, (parent, temp, name) in enumerate(staged):
                if i == len(staged) // 2:
                    reached("half-renamed")
                os.replace(temp, name, src_dir_fd=parent, dst_dir_fd=parent)
            staged.clear()
            reached("renamed")
            for parts in stale:
                _remove(folders, parts, set(targets))
                done.removed.append("/".join(parts))
        except OSError as e:
            for parent, temp, _ in staged:
                try:
                    os.unlink(temp, dir_fd=parent)
                except OSError:
                    pass
            folders.unmake()
            raise OutputError(f"can't write to {e.filename or folders.folder}: {e.strerror}") from None
    reached("written")
    return done


def _temporary(parent: int, name: str, mode: int) -> tuple[str, int]:
    """A new file beside `name`, under a name no other build, and no leftover, can hold."""
    import secrets

    while True:
        temp = f"{TEMP}{secrets.token_hex(6)}-{name}"[:255]
        try:
            return temp, os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode, dir_fd=parent)
        except FileExistsError:
            continue


def _leftovers(targets: list[Parts], folders: _Folders) -> list[tuple[Parts, str]]:
    """Temporary files of earlier builds in the folders this one writes into: the lock says no
    build is writing them now, so they are what a killed build left."""
    found = []
    for parent in dict.fromkeys(t[:-1] for t in targets):
        fd = folders.get(parent)
        if fd is None:
            continue
        for name in sorted(os.listdir(fd)):
            if _TEMP.match(name):
                info = folders.lstat((*parent, name))
                if info is not None and stat.S_ISREG(info.st_mode):
                    found.append((parent, name))
    return found


def _manifest(folders: _Folders, parts: Parts) -> tuple[list[tuple[Parts, int, str]] | None, str | None]:
    """(files, None) from a manifest profilegen wrote, paths made relative to the output folder;
    (None, why) for anything else, or (None, None) where there is none."""
    from profilegen.catalog.values import bounded

    where = "/".join(parts)
    if folders.lstat(parts) is None:
        return None, None
    try:
        data = json.loads(folders.read(parts).decode("utf-8"))
    except OSError as e:
        return None, f"{where} can't be read ({e.strerror})"
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None, f"{where} is not JSON profilegen wrote"
    if not bounded(data, 4, 100_000) or not isinstance(data, dict) or data.get("generator") != "profilegen":
        return None, f"{where} is not a manifest profilegen wrote"
    listed = data.get("files")
    if not isinstance(listed, list):
        return None, f"{where} lists no files"
    files = []
    for item in listed:
        if isinstance(item, str):
            return None, f"{where} lists no sizes or checksums (an older profilegen wrote it)"
        if not isinstance(item, dict):
            return None, f"{where} lists something other than files"
        path, size, digest = item.get("path"), item.get("size"), item.get("sha256")
        if not (
            isinstance(path, str)
            and isinstance(size, int)
            and not isinstance(size, bool)
            and isinstance(digest, str)
            and _HEX.fullmatch(digest)
        ):
            return None, f"{where} lists a file without its path, size and SHA-256"
        try:
            files.append(((*parts[:-1], *parts_of(path)), size, digest))
        except OutputError:
            return None, f"{where} lists {path!r}, which is not inside its folder"
    return files, None


def _stale(targets: list[Parts], ours: set[Parts], folders: _Folders, done: Written) -> list[Parts]:
    """The files the earlier build of each of our manifests wrote that this one doesn't, each
    still as that build wrote it; a changed one, and a manifest that can't be trusted, are
    warnings instead."""
    written = set(targets)
    stale: list[Parts] = []
    for manifest in sorted(ours):
        files, problem = _manifest(folders, manifest)
        if problem:
            done.warnings.append(f"{problem}: nothing is removed on its word")
            continue
        for parts, size, digest in files or []:
            if parts in written or parts in stale:
                continue
            try:
                info = folders.lstat(parts)
            except OutputError:  # a folder of it is now a link or a file: not what the build wrote
                info = None
            if info is None:
                continue
            where = "/".join(parts)
            if not stat.S_ISREG(info.st_mode):
                continue  # a link or a folder now: not what the build wrote
            try:
                same = info.st_size == size and hashlib.sha256(folders.read(parts)).hexdigest() == digest
            except OSError:
                same = False
            if same:
                stale.append(parts)
            else:
                done.warnings.append(
                    f"{where} was changed since profilegen wrote it: left in place (remove it yourself if unwanted)"
                )
    return stale


def _refuse_others(targets: list[Parts], ours: set[Parts], folders: _Folders) -> None:
    """--force replaces what this build wrote, never a file another build's manifest lists
    (`--name a` writes a-probe.sh, `--name a-probe` would write it too)."""
    claimed: dict[Parts, str] = {}
    for parent in dict.fromkeys(p for t in targets for p in (t[:i] for i in range(len(t)))):
        fd = folders.get(parent)
        if fd is None:
            continue
        for name in sorted(os.listdir(fd)):
            manifest = (*parent, name)
            if name.endswith(MANIFEST) and manifest not in ours:
                files, _ = _manifest(folders, manifest)
                claimed.update({parts: "/".join(manifest) for parts, _, _ in files or []})
    for target in targets:
        if target in claimed and folders.lstat(target) is not None:
            raise OutputError(
                f"{folders.shown(target)} belongs to another build ({claimed[target]} lists it); "
                "choose another --name, or remove that build's files first"
            )


def _remove(folders: _Folders, parts: Parts, keep: set[Parts]) -> None:
    """Remove one stale file through its folder's handle, then the folders it leaves empty."""
    os.unlink(parts[-1], dir_fd=folders.fds[parts[:-1]])
    for i in range(len(parts) - 1, 0, -1):
        folder = parts[:i]
        if any(k[:i] == folder for k in keep):
            return
        try:
            os.rmdir(folder[-1], dir_fd=folders.fds[folder[:-1]])
        except OSError:
            return
