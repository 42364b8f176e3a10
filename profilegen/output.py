"""Writing outputs: all or nothing, atomically, never over an existing file unless forced."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from profilegen.errors import OutputError
from profilegen.render import Output


def write(outputs: list[Output], folder: Path, force: bool = False) -> list[Path]:
    """Write every output under folder, or none of them.

    Each file goes to a temporary name in its own folder first; only when all
    are written are they renamed into place, so a failure leaves nothing behind
    and a reader never sees a half-written profile.
    """
    targets = [folder / out.path for out in outputs]
    if not force:
        existing = [str(t) for t in targets if t.exists()]
        if existing:
            raise OutputError(f"{existing[0]} already exists; use --force to replace it")
    staged: list[tuple[str, Path]] = []
    try:
        for out, target in zip(outputs, targets):
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
            staged.append((temp, target))
            with os.fdopen(fd, "wb") as f:
                f.write(out.data)
            os.chmod(temp, 0o755 if out.executable else 0o644)
        for temp, target in staged:
            os.replace(temp, target)
    except OSError as e:
        for temp, _ in staged:
            if os.path.exists(temp):
                os.unlink(temp)
        where = e.filename or folder
        raise OutputError(f"can't write to {where}: {e.strerror}") from None
    return targets
