"""Values: the plist types, a preference value parsed, compared, formatted and turned into JSON,
and versions of Office and AutoUpdate. Nothing here knows the catalog's model."""

from __future__ import annotations

import datetime
import re
from typing import Any, NamedTuple

from profilegen.errors import SelectionError

# Every property list type by the name Apple's schema and `defaults` use; bool before int,
# since a Python bool is also an int and a plist keeps them apart.
PLIST_TYPES = {
    "boolean": bool,
    "integer": int,
    "real": float,
    "string": str,
    "date": datetime.datetime,
    "data": bytes,
    "array": list,
    "dictionary": dict,
}
VALUE_TYPES = ("integer", "boolean", "string", "dictionary")  # the types a catalog preference may have
FORMATS = {  # checks for free string values
    "https-url": "an https:// URL",
    "email": "an email address such as bob@contoso.com",
    "text": "text of one line",
}


def json_value(value: Any) -> Any:
    """Any plist value as JSON takes it: data as base64, dates as ISO 8601 in UTC, UIDs, NaN and
    infinities by their names; dictionaries and arrays all the way down."""
    import base64
    import math
    import plistlib

    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, plistlib.UID):
        return f"UID({value.data})"
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def json_default(value: Any) -> Any:
    """The `default` of json.dumps for what JSON can't hold (dates, data), as json_value writes it."""
    if isinstance(value, (bytes, datetime.datetime)):
        return json_value(value)
    raise TypeError(f"{type(value).__name__} can't be written as JSON")


def type_name(value: Any) -> str:
    """The plist type name of a Python value: "boolean" for True, "real" for 1.5."""
    return next((name for name, kind in PLIST_TYPES.items() if isinstance(value, kind)), type(value).__name__)


class Version(NamedTuple):
    """An Office or AutoUpdate version such as 16.112.1 or 4.85, compared number by number
    (each comparison defined here: a tuple's own would compare the text as a string)."""

    text: str

    @property
    def numbers(self) -> tuple[int, ...]:
        return tuple(int(part) for part in self.text.split("."))

    def __lt__(self, other: Version) -> bool:  # type: ignore[override]
        return self.numbers < other.numbers

    def __le__(self, other: Version) -> bool:  # type: ignore[override]
        return self.numbers <= other.numbers

    def __gt__(self, other: Version) -> bool:  # type: ignore[override]
        return self.numbers > other.numbers

    def __ge__(self, other: Version) -> bool:  # type: ignore[override]
        return self.numbers >= other.numbers

    def __str__(self) -> str:
        return self.text

    @classmethod
    def parse(cls, text: str, what: str = "version") -> Version:
        text = text.strip()
        if not re.fullmatch(r"[0-9]{1,4}(\.[0-9]{1,9}){0,3}", text):
            raise SelectionError(f"{what} {text!r} is not a version; expected numbers such as 16.89 or 16.112.1")
        return cls(text)


MAX_DEPTH = 16  # the deepest a config needs is [settings.APP] with a dictionary value in it


def bounded(value: Any, levels: int = MAX_DEPTH, values: int | None = None) -> bool:
    """Whether tables and arrays nest at most `levels` deep in value and, where `values` is given,
    it reaches at most that many values, a repeated one counted each time it is reached (a binary
    plist of 233 bytes can hold 2**40 of them, or itself). Found without recursion, so that every
    reader may then walk value whole."""
    stack, seen = [(value, 0)], 0
    while stack:
        item, level = stack.pop()
        seen += 1
        if values is not None and seen > values:
            return False
        if isinstance(item, dict | list):
            if level + 1 > levels:
                return False
            stack.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return True


def same_value(a: Any, b: Any) -> bool:
    """Equal and of the same type: in a plist, False and 0 are different values."""
    return type(a) is type(b) and a == b


def format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value, sort_keys=True, ensure_ascii=False, default=json_default)
    return str(value)


def a_or_an(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"
