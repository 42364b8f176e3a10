"""Writing outputs: all or nothing, atomically, never over an existing file unless forced."""

from __future__ import annotations

import os
from pathlib import Path

from profilegen.errors import OutputError
from profilegen.render import Output


def write(outputs: list[Output], folder: Path, force: bool = False) -> list[Path]:
    """Write every output under folder, or none of them.

    Each file goes to a temporary name beside its target first; only when all
    are written are they renamed into place, so a failure leaves nothing behind
    and a reader never sees a half-written profile.
    """
    targets = [folder / out.path for out in outputs]
    if not force:
        existing = next((t for t in targets if t.exists()), None)
        if existing:
            raise OutputError(f"{existing} already exists; use --force to replace it")
    staged: list[tuple[str, Path]] = []
    try:
        for parent in dict.fromkeys(t.parent for t in targets):
            parent.mkdir(parents=True, exist_ok=True)
        for out, target in zip(outputs, targets):
            temp = f"{target.parent}/.{target.name}.{os.getpid()}.tmp"
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o755 if out.executable else 0o644)
            staged.append((temp, target))
            with os.fdopen(fd, "wb") as f:
                f.write(out.data)
        for temp, target in staged:
            os.replace(temp, target)
    except OSError as e:
        for temp, _ in staged:
            if os.path.exists(temp):
                os.unlink(temp)
        raise OutputError(f"can't write to {e.filename or folder}: {e.strerror}") from None
    return targets
