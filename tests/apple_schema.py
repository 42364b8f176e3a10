"""An independent check of a profile against Apple's own schema, on any clone.

It reads tests/data/apple-profile-rules.json, the facts of Apple's TopLevel,
CommonPayloadKeys and com.apple.ManagedClient.preferences schemas (types, required
keys, allowed values, subkeys) as tools/apple_facts.py writes them from Apple's YAML;
a reference test checks the file against that YAML where ../shared is present. It
knows nothing of profilegen's code.
"""

import datetime
import functools
import json
from pathlib import Path

RULES = Path(__file__).with_name("data") / "apple-profile-rules.json"
TYPES = {
    "string": str,
    "integer": int,
    "boolean": bool,
    "real": (int, float),
    "date": datetime.datetime,
    "data": bytes,
    "array": list,
    "dictionary": dict,
}


@functools.cache
def rules() -> dict:
    return json.loads(RULES.read_text(encoding="utf-8"))["rules"]


def _check_type(value, fact, where, problems):
    kind = fact["type"]
    if kind == "any":
        return
    expected = TYPES[kind]
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        problems.append(f"{where}: expected <{kind}>, got {type(value).__name__}")
        return
    if "values" in fact and value not in fact["values"]:
        problems.append(f"{where}: {value!r} not in {fact['values']}")
    if kind == "array" and "items" in fact:
        for i, item in enumerate(value):
            _check_type(item, fact["items"], f"{where}[{i}]", problems)
    elif kind == "dictionary" and ("keys" in fact or "any" in fact):
        _check_keys(value, fact, where, problems, closed=True)


def _check_keys(data, facts, where, problems, closed):
    named = facts.get("keys", {})
    wildcard = facts.get("any")
    for key, fact in named.items():
        if fact.get("required") and key not in data:
            problems.append(f"{where}: required key {key} is missing")
    for key, value in data.items():
        fact = named.get(key) or wildcard
        if fact is None:
            if closed:
                problems.append(f"{where}: key {key} is not in Apple's schema")
            continue
        _check_type(value, fact, f"{where}.{key}", problems)


def problems(profile: dict) -> list[str]:
    """Every way the profile departs from TopLevel, CommonPayloadKeys and the payload's own schema."""
    found: list[str] = []
    _check_keys(profile, rules()["TopLevel"], "profile", found, closed=True)
    for i, payload in enumerate(profile.get("PayloadContent", [])):
        where = f"PayloadContent[{i}]"
        _check_keys(payload, rules()["CommonPayloadKeys"], where, found, closed=False)
        if payload.get("PayloadType") == "com.apple.ManagedClient.preferences":
            facts = rules()["com.apple.ManagedClient.preferences"]
            _check_keys({"PayloadContent": payload.get("PayloadContent")}, facts, where, found, closed=False)
    return found
