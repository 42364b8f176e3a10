"""Names people type (presets, keys, apps, formats): matched without regard to case, '-', '_'
or spaces, and answered with the closest known name when none matches.

On the start-up path: difflib is imported only when a name is unknown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TypeVar

from profilegen.errors import SelectionError

T = TypeVar("T")
LONGEST = 100  # longer than any name profilegen knows: no typo of one, so no suggestion is looked for


_IGNORED = str.maketrans("", "", "-_ \t")


def fold(name: str) -> str:
    """The form two spellings of one name share: `volume_license-offline` is `Volume-License-Offline`."""
    return name.lower().translate(_IGNORED)


def find(name: str, known: Iterable[T], spelled=str) -> T | None:
    """The known item whose spelling (`spelled(item)`) folds to what `name` folds to, or None."""
    if len(name) > LONGEST * 4:  # far longer than any known name, spaces and dashes included
        return None
    wanted = fold(name)
    return next((item for item in known if fold(spelled(item)) == wanted), None)


def shorten(text: str, limit: int = 60) -> str:
    """A name as an error message quotes it: whole, or its start and how long it is."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


# What a terminal or a log would act on rather than show (escape sequences, line breaks in a name).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def visible(text: str) -> str:
    """Text with every control character shown as \\x.., so that a name from a profile can't
    colour, move or rewrite the terminal or CI log it is printed to."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def closest(name: str, known: Iterable[str]) -> str | None:
    """The known name closest to `name` (a typo, another spelling), if one is close enough; the
    search is bounded: a name far longer than any known one is no typo of one."""
    import difflib

    if len(name) > LONGEST:
        return None
    folded = {fold(k): k for k in known}
    match = difflib.get_close_matches(fold(name), folded, n=1, cutoff=0.6)
    return folded[match[0]] if match else None


def pick(what: str, name: str, known: Iterable[str], listed: str | None = None) -> str:
    """The known name `name` means, or an error that suggests the closest."""
    known = list(known)
    found = find(name.strip(), known)
    if found is None:
        raise unknown(what, name, known, listed)
    return found


def unknown(what: str, name: str, known: Iterable[str], listed: str | None = None) -> SelectionError:
    """`unknown WHAT 'NAME'; did you mean 'CLOSEST'? expected one of ...`; `listed` replaces the
    list where it would be too long for one line."""
    known = list(known)
    suggestion = closest(name, known)
    rest = listed or "expected one of " + ", ".join(known)
    if suggestion:
        rest = f"did you mean {suggestion!r}? {rest[0].upper()}{rest[1:]}"
    return SelectionError(f"unknown {what} {shorten(name)!r}; {rest}")
