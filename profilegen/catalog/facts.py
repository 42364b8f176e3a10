"""Checking a structured value against facts: its type, allowed values, required and known keys,
and the items of an array, all the way down.

The facts have one shape wherever they come from (Apple's schema in
payloads/apple-payloads.json, a dictionary preference's `structure` in the
catalog): {"type", "required", "values", "keys": {name: facts}, "any": facts,
"items": facts, "deprecated": why}.
"""

from __future__ import annotations

from typing import Any

from profilegen.catalog.values import a_or_an, format_value, same_value, type_name

IGNORED: frozenset[str] = frozenset()


def findings(value: Any, spec: dict, label: str = "", path: tuple = (), skip=IGNORED) -> list[tuple]:
    """(level, code, message, path) for each way value departs from spec; `skip` names top-level
    keys that are someone else's to check (a payload's own Payload* keys)."""
    found: list[tuple] = []
    if "deprecated" in spec:  # whatever its form: a warning that it no longer applies, not an error
        return [("warning", "PG305", f"{label or 'the value'} is deprecated: {spec['deprecated']}", path)]
    kind = spec["type"]
    expected = ("real", "integer") if kind == "real" else (kind,)
    if kind != "any" and type_name(value) not in expected:
        shown = format_value(value) if isinstance(value, bool) else repr(value)
        found.append(
            (
                "error",
                "PG302",
                f"{label or 'the value'} must be {a_or_an(kind)} {kind}, not "
                f"{a_or_an(type_name(value))} {type_name(value)} ({shown})",
                path,
            )
        )
        return found
    # Where reals are allowed, an integer is the same number (0 is 0.0), as macOS reads it.
    same = (lambda a, b: a == b) if kind == "real" else same_value
    if "values" in spec and not any(same(value, v) for v in spec["values"]):
        found.append(
            (
                "error",
                "PG303",
                f"{label or 'the value'} = {format_value(value)} is not one of "
                f"{', '.join(map(format_value, spec['values']))}",
                path,
            )
        )
    if isinstance(value, dict) and ("keys" in spec or "any" in spec):
        known = spec.get("keys", {})
        for key, sub in known.items():
            # TCC's Allowed is required unless Authorization stands in its place (Apple: one or the other).
            if key == "Allowed" and "Authorization" in value:
                continue
            if sub.get("required") and key not in value:
                found.append(("warning", "PG301", f"{_join(label, key)} is required and missing", path))
        for key, item in value.items():
            if key in skip:
                continue
            sub = known.get(key) or spec.get("any")
            if sub is None:
                found.append(("warning", "PG304", f"{_join(label, key)} is not a known key", (*path, key)))
            else:
                found += findings(item, sub, _join(label, key), (*path, key))
    elif isinstance(value, list) and "items" in spec:
        for i, item in enumerate(value):
            found += findings(item, spec["items"], f"{label}[{i}]", (*path, i))
    return found


def dated(value: Any, spec: dict) -> Any:
    """value with each date the facts call for in the form a property list holds: a naive
    datetime in UTC. Taken from an ISO 8601 text (2026-12-31T18:00:00Z, as JSON must write it),
    a TOML date or date-time, or a datetime with a time zone; anything else is left for
    `findings` to judge."""
    import datetime

    kind = spec.get("type")
    if kind == "date":
        if isinstance(value, str):
            try:
                value = datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                return value
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return datetime.datetime(value.year, value.month, value.day)
        if isinstance(value, datetime.datetime) and value.tzinfo is not None:
            return value.astimezone(datetime.UTC).replace(tzinfo=None)
        return value
    if isinstance(value, dict) and ("keys" in spec or "any" in spec):
        known = spec.get("keys", {})
        return {k: dated(v, known.get(k) or spec.get("any") or {}) for k, v in value.items()}
    if isinstance(value, list) and "items" in spec:
        return [dated(v, spec["items"]) for v in value]
    return value


def _join(label: str, key: str) -> str:
    return f"{label}.{key}" if label else key


def describe(spec: dict) -> str:
    """The facts in a few words, for the settings table and --help."""
    kind = spec["type"]
    if kind == "dictionary" and "any" in spec:
        return f"a dictionary of {describe(spec['any'])}"
    if kind == "dictionary" and "keys" in spec:
        parts = [
            f"{key} ({describe(sub)}{', required' if sub.get('required') else ''})" for key, sub in spec["keys"].items()
        ]
        return "dictionaries with " + "; ".join(parts)
    if kind == "array" and "items" in spec:
        return f"an array of {describe(spec['items'])}"
    if "values" in spec:
        return f"{kind}: {' or '.join(map(format_value, spec['values']))}"
    return kind


def json_schema(spec: dict) -> dict:
    """The facts as JSON Schema, for Jamf Pro's custom schema."""
    kinds = {
        "string": "string",
        "integer": "integer",
        "boolean": "boolean",
        "real": "number",
        "array": "array",
        "dictionary": "object",
        "date": "string",
        "data": "string",
    }
    schema: dict = {"type": kinds.get(spec["type"], "string")}
    if "values" in spec:
        schema["enum"] = list(spec["values"])
    if "keys" in spec:
        schema["properties"] = {key: json_schema(sub) for key, sub in spec["keys"].items()}
        required = [key for key, sub in spec["keys"].items() if sub.get("required")]
        if required:
            schema["required"] = required
    if "any" in spec:
        schema["additionalProperties"] = json_schema(spec["any"])
    if "items" in spec:
        schema["items"] = json_schema(spec["items"])
    return schema
