"""What several test files need to know, defined once: plist type names and the settings a
profile carries, read with plistlib alone (not with profilegen's own readers)."""

import plistlib
from pathlib import Path

# The plist type of a Python value, by the names Apple's schema and `defaults` use.
PLIST_TYPES = {bool: "boolean", int: "integer", str: "string", float: "real", dict: "dictionary", list: "array"}
PYTHON_TYPES = {name: kind for kind, name in PLIST_TYPES.items()}
# The plist type each `defaults write` flag writes.
FLAG_TYPES = {"-integer": "integer", "-bool": "boolean", "-string": "string"}


def profile_settings(profile) -> set[tuple]:
    """(domain, key, plist type, value) of every preference a profile sets, in either payload
    style; `profile` is a parsed profile or the path of a .mobileconfig."""
    if isinstance(profile, Path):
        profile = plistlib.loads(profile.read_bytes())
    found = set()
    for payload in profile["PayloadContent"]:
        if payload["PayloadType"] == "com.apple.ManagedClient.preferences":
            for domain, forms in payload["PayloadContent"].items():
                for entry in forms["Forced"]:
                    found |= {(domain, k, v) for k, v in entry["mcx_preference_settings"].items()}
        else:
            found |= {(payload["PayloadType"], k, v) for k, v in payload.items() if not k.startswith("Payload")}
    return {(d, k, PLIST_TYPES[type(v)], v) for d, k, v in found}


def binary_plist(objects: list[bytes], top: int) -> bytes:
    """A binary property list made by hand, object by object: what plistlib won't write (cycles,
    shared arrays, keys that aren't text)."""
    import struct

    data, offsets = b"bplist00", []
    for item in objects:
        offsets.append(len(data))
        data += item
    table = len(data)
    data += b"".join(struct.pack(">H", offset) for offset in offsets)
    return data + struct.pack(">6xBBQQQ", 2, 1, len(objects), top, table)
