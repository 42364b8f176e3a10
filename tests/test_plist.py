"""The hot-path plist writer against its oracle, plistlib.dumps(value, sort_keys=True): the
same bytes for every profile and plist profilegen writes and for hostile values, the same
error for every value plistlib refuses."""

import datetime
import plistlib

import pytest

from profilegen.core.request import Profile
from profilegen.core.selection import resolve
from profilegen.formats import mobileconfig, plist


def oracle(value):
    return plistlib.dumps(value, sort_keys=True)


@pytest.mark.parametrize("style", ["direct", "mcx"])
def test_every_preset_in_both_styles_is_plistlibs_bytes(catalog, style):
    for name in catalog.presets:
        for organization in (None, "Example & <Corp> \u00e9\u6f22\U0001f600"):
            chosen = resolve(
                catalog,
                preset=name,
                profile=Profile(payload_style=style, organization=organization, removal_disallowed=True),
            )
            value = mobileconfig.profile(chosen, catalog)
            assert plist.dumps(value) == oracle(value), (name, style)
            for settings in chosen.domains().values():
                values = {s.key: s.value for s in settings}
                assert plist.dumps(values) == oracle(values)


HOSTILE = [
    "plain",
    "",
    "a & b < c > d \"quoted\" 'single'",
    "]]> <![CDATA[ x ]]>",
    "&amp; already escaped",
    "tab\there",
    "line\nbreak",
    "dos\r\nline",
    "mac\rline",
    "\r\r\n\n",
    "caf\u00e9 \u00fc\u00df",
    "\u6f22\u5b57",
    "\U0001f600 emoji \U0001f1eb\U0001f1f7",
    "\u2028\u2029\u0085",
    "\ufeffbom",
    "\u00a0nbsp",
    "<key>k</key>",
]
INTEGERS = [0, 1, -1, 2, (1 << 63) - 1, -1 << 63, (1 << 64) - 1, 1 << 62, -(1 << 62)]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_strings_as_values_and_keys(text):
    for value in (text, {text: text}, [text, {"k": text}], {"a": {text: [text]}}):
        assert plist.dumps(value) == oracle(value)


def test_integer_limits_reals_booleans_and_empty_containers():
    value = {
        "ints": INTEGERS,
        "bools": [True, False],
        "reals": [0.0, -1.5, 1e300, 1 / 3, float("inf")],
        "empty": {"d": {}, "a": [], "t": ()},
        "tuple": (1, "two", (3,)),
        "nested": [[[[{"deep": [1]}]]]],
    }
    assert plist.dumps(value) == oracle(value)
    for n in INTEGERS:
        assert plist.dumps(n) == oracle(n)


def test_types_it_leaves_to_plistlib_come_out_the_same():
    value = {
        "data": b"\x00\x01binary" * 40,
        "date": datetime.datetime(2026, 11, 27, 12, 0, 0),
        "nested": [{"data": bytearray(b"x" * 100)}],
    }
    assert plist.dumps(value) == oracle(value)


@pytest.mark.parametrize(
    "value",
    [
        "control \x01 char",
        {"key\x00": 1},
        "\ud800 lone surrogate",
        {"k": "\udfff"},
        1 << 64,
        -(1 << 63) - 1,
        {1: "integer key"},
        {("t",): 1},
        {"a": 1, 2: "b"},
        {"set": {1, 2}},
        object(),
        [None],
        {"k": None},
    ],
)
def test_every_value_plistlib_refuses_gets_plistlibs_own_error(value):
    with pytest.raises(Exception) as expected:
        oracle(value)
    with pytest.raises(type(expected.value)) as got:
        plist.dumps(value)
    assert str(got.value) == str(expected.value)


def test_payload_uuids_are_the_uuid_modules_uuid5():
    import uuid

    namespace = uuid.UUID(bytes=mobileconfig.NAMESPACE)
    for name in [
        "",
        "com.example.office",
        "com.example.office.com.microsoft.Word/mcx",
        "caf\u00e9.\u6f22\U0001f600",
        "x" * 1000,
        *(f"org.profilegen.office.site-{i}" for i in range(200)),
    ]:
        assert mobileconfig.stable_uuid(name) == str(uuid.uuid5(namespace, name)).upper()
