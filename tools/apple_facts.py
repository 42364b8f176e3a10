"""Writes the facts of Apple's profile schema that profilegen and its tests check profiles by.
Per payload type and key: its type, whether it is required, its allowed values, and its
subkeys; nothing else (no descriptions).

- payloads/apple-payloads.json: the com.apple.* payloads `profilegen check` knows;
- tests/data/apple-profile-rules.json: the profile's own keys (TopLevel), the keys every
  payload has (CommonPayloadKeys) and the MCX payload, which the tests check every profile
  profilegen writes against, on any clone, whether or not Apple's schema is beside it.

    python tools/apple_facts.py PATH/TO/apple/device-management/mdm/profiles [SOURCE]

SOURCE names where the schema came from (repository and commit); it is written into the file.
Needs PyYAML (in the test extras).
"""

import json
import sys
from pathlib import Path

import yaml

TYPES = {
    "<string>": "string",
    "<integer>": "integer",
    "<boolean>": "boolean",
    "<real>": "real",
    "<date>": "date",
    "<data>": "data",
    "<array>": "array",
    "<dictionary>": "dictionary",
    "<any>": "any",
}
SKIPPED = {"TopLevel", "CommonPayloadKeys", "com.apple.ManagedClient.preferences"}  # checked by profilegen itself


def spec(key: dict, seen: tuple = ()) -> dict:
    fact = {"type": TYPES[key["type"]]}
    if id(key) in seen:  # the schema refers to itself (YAML anchors): its type is the fact
        return fact
    seen = (*seen, id(key))
    if key.get("presence") == "required":
        fact["required"] = True
    if "rangelist" in key:
        fact["values"] = key["rangelist"]
    subkeys = key.get("subkeys") or []
    if fact["type"] == "array" and subkeys:
        fact["items"] = spec(subkeys[0], seen)
    elif fact["type"] == "dictionary" and subkeys:
        fact.update(keys(subkeys, seen))
    return fact


def keys(items: list, seen: tuple = ()) -> dict:
    named = {k["key"]: spec(k, seen) for k in items if k["key"] != "ANY"}
    found = {"keys": named} if named else {}
    wildcard = next((k for k in items if k["key"] == "ANY"), None)
    if wildcard is not None:
        found["any"] = spec(wildcard, seen)
    return found


def read(path: Path):
    """One schema file, with libyaml's loader where PyYAML has it: a fifth of the time."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def main(folder: Path, source: str) -> dict:
    payloads: dict = {}
    for path in sorted(folder.glob("*.yaml")):
        data = read(path)
        kind = data.get("payload", {}).get("payloadtype")
        if not kind or kind in SKIPPED or not kind.startswith("com.apple."):
            continue
        facts = keys(data.get("payloadkeys") or [])
        merged = payloads.setdefault(kind, {"keys": {}})
        merged["keys"].update(facts.get("keys", {}))
        if "any" in facts:
            merged["any"] = facts["any"]
    return {"source": source, "payloads": dict(sorted(payloads.items()))}


def profile_rules(folder: Path, source: str) -> dict:
    """The facts of the schemas profilegen itself writes to: TopLevel, CommonPayloadKeys, MCX."""
    rules = {}
    for name in sorted(SKIPPED):
        data = read(folder / f"{name}.yaml")
        rules[name] = keys(data.get("payloadkeys") or [])
    return {"source": source, "rules": rules}


if __name__ == "__main__":
    folder = Path(sys.argv[1])
    source = sys.argv[2] if len(sys.argv) > 2 else f"Apple's profile schema, from {folder}"
    root = Path(__file__).resolve().parent.parent
    for target, facts in (
        (root / "payloads" / "apple-payloads.json", main(folder, source)),
        (root / "tests" / "data" / "apple-profile-rules.json", profile_rules(folder, source)),
    ):
        target.write_text(json.dumps(facts, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {target}")
