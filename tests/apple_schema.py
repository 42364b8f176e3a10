"""An independent check of a profile against Apple's own schema (../shared/reference/apple).

It reads Apple's YAML and knows nothing of profilegen: required keys, types,
range lists and nested subkeys, recursively.
"""

import datetime
import functools

import yaml

from conftest import shared

TYPES = {
    "<string>": str,
    "<integer>": int,
    "<boolean>": bool,
    "<real>": (int, float),
    "<date>": datetime.datetime,
    "<data>": bytes,
    "<array>": list,
    "<dictionary>": dict,
}


@functools.cache
def schema(name: str) -> dict:
    with shared("reference", "apple", "profiles", f"{name}.yaml").open() as f:
        return yaml.safe_load(f)


def _check_type(value, spec, where, problems):
    kind = spec["type"]
    if kind == "<any>":
        return
    expected = TYPES[kind]
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        problems.append(f"{where}: expected {kind}, got {type(value).__name__}")
        return
    if "rangelist" in spec and value not in spec["rangelist"]:
        problems.append(f"{where}: {value!r} not in {spec['rangelist']}")
    subkeys = spec.get("subkeys")
    if not subkeys:
        return
    if kind == "<array>":
        for i, item in enumerate(value):
            _check_type(item, subkeys[0], f"{where}[{i}]", problems)
    elif kind == "<dictionary>":
        _check_keys(value, subkeys, where, problems, closed=True)


def _check_keys(data, specs, where, problems, closed):
    named = {s["key"]: s for s in specs if s["key"] != "ANY"}
    wildcard = next((s for s in specs if s["key"] == "ANY"), None)
    for spec in named.values():
        if spec.get("presence") == "required" and spec["key"] not in data:
            problems.append(f"{where}: required key {spec['key']} is missing")
    for key, value in data.items():
        spec = named.get(key) or wildcard
        if spec is None:
            if closed:
                problems.append(f"{where}: key {key} is not in Apple's schema")
            continue
        _check_type(value, spec, f"{where}.{key}", problems)


def problems(profile: dict) -> list[str]:
    """Every way the profile departs from TopLevel, CommonPayloadKeys and the payload's own schema."""
    found: list[str] = []
    _check_keys(profile, schema("TopLevel")["payloadkeys"], "profile", found, closed=True)
    for i, payload in enumerate(profile.get("PayloadContent", [])):
        where = f"PayloadContent[{i}]"
        _check_keys(payload, schema("CommonPayloadKeys")["payloadkeys"], where, found, closed=False)
        if payload.get("PayloadType") == "com.apple.ManagedClient.preferences":
            specs = schema("com.apple.ManagedClient.preferences")["payloadkeys"]
            _check_keys({"PayloadContent": payload.get("PayloadContent")}, specs, where, found, closed=False)
    return found
