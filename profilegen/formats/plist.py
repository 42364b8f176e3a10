"""XML property lists for the hot path: the same bytes as `plistlib.dumps(value, sort_keys=True)`.

plistlib writes a line at a time through a file object, which is half the time a
batch spends on a profile. This writer builds the text at once for the types
profiles hold (dictionaries with string keys, arrays, strings, booleans,
integers, reals). Anything else, and any value plistlib refuses, goes to plistlib
itself, so other types and every error are exactly plistlib's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

_HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n'
    '<plist version="1.0">\n'
)
# What XML 1.0 can't carry and plistlib refuses in a string (tab, LF and CR it keeps).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
# What a string needs anything done to; most have none of it.
_SPECIAL = re.compile("[\x00-\x08\x0b-\x1f&<>]")


class _Other(Exception):
    """A value this writer leaves to plistlib."""


def dumps(value: Any) -> bytes:
    lines: list[str] = []
    try:
        _write(value, "", lines.append)
        return (_HEADER + "\n".join(lines) + "\n</plist>\n").encode("utf-8")
    except Exception:  # another type, or a value plistlib refuses: its own bytes, or its own error
        import plistlib

        return plistlib.dumps(value, sort_keys=True)


def _text(text: str) -> str:
    if not _SPECIAL.search(text):
        return text
    if _CONTROL.search(text):
        raise _Other
    return (
        text.replace("\r\n", "\n").replace("\r", "\n").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    )


def _write(value: Any, tabs: str, out: Callable[[str], None]) -> None:
    # The order of plistlib's own checks: bool before int, dict before the sequences.
    if isinstance(value, str):
        out(f"{tabs}<string>{_text(value)}</string>")
    elif value is True:
        out(f"{tabs}<true/>")
    elif value is False:
        out(f"{tabs}<false/>")
    elif isinstance(value, int):
        if not -1 << 63 <= value < 1 << 64:
            raise _Other
        out(f"{tabs}<integer>{'%d' % value}</integer>")  # noqa: UP031 (plistlib's own conversion)
    elif isinstance(value, float):
        out(f"{tabs}<real>{value!r}</real>")
    elif isinstance(value, dict):
        if not value:
            out(f"{tabs}<dict/>")
            return
        out(f"{tabs}<dict>")
        inner = tabs + "\t"
        for key, item in sorted(value.items()):
            if not isinstance(key, str):
                raise _Other
            out(f"{inner}<key>{_text(key)}</key>")
            _write(item, inner, out)
        out(f"{tabs}</dict>")
    elif isinstance(value, (list, tuple)):
        if not value:
            out(f"{tabs}<array/>")
            return
        out(f"{tabs}<array>")
        for item in value:
            _write(item, tabs + "\t", out)
        out(f"{tabs}</array>")
    else:  # data, dates, and types plistlib refuses
        raise _Other
