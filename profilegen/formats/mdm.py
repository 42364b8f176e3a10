"""Files per preference domain for MDM consoles: Jamf Pro plists and schemas, Intune preference files."""

from __future__ import annotations

import json

from profilegen.catalog.model import Catalog
from profilegen.catalog.values import json_default
from profilegen.core.registry import Output
from profilegen.core.selection import Selection
from profilegen.formats import plist


def _values(selection: Selection) -> dict[str, dict]:
    return {domain: {s.key: s.value for s in settings} for domain, settings in selection.domains().items()}


def render_jamf_plist(selection: Selection, catalog: Catalog) -> list[Output]:
    """A complete XML plist per domain, for Application & Custom Settings > Upload."""
    return [
        Output(f"{selection.name}-jamf/{domain}.plist", "jamf-plist", plist.dumps(values))
        for domain, values in _values(selection).items()
    ]


def intune_preference_file(values: dict) -> bytes:
    """Only the key/value pairs: no XML declaration, no <plist> or <dict>, UTF-8 without BOM."""
    lines = plist.dumps(values).decode("utf-8").splitlines()
    inner = lines[lines.index("<dict>") + 1 : lines.index("</dict>")]
    return "".join(line.removeprefix("\t") + "\n" for line in inner).encode("utf-8")


def render_intune_plist(selection: Selection, catalog: Catalog) -> list[Output]:
    """One file per domain for Intune's "Preference file" profile; the domain is the file name."""
    return [
        Output(f"{selection.name}-intune/{domain}.plist", "intune-plist", intune_preference_file(values))
        for domain, values in _values(selection).items()
    ]


# What Jamf Pro's form (json-editor) makes of each plist type. A date has no JSON form: the form
# would write text where the application reads a date, so such a key is left out of the schema.
_JSON_TYPES = {"boolean": "boolean", "integer": "integer", "string": "string", "dictionary": "object"}


def _has_date(spec: dict | None) -> bool:
    if not spec:
        return False
    return spec.get("type") in ("date", "data") or any(
        _has_date(sub) for sub in (*spec.get("keys", {}).values(), spec.get("any"), spec.get("items"))
    )


def _value_schema(pref) -> dict:
    """The JSON schema of a value the admin chooses in the form: its type, allowed values with
    their titles, and the bounds the catalog checks."""
    schema: dict = {"title": "Configured", "type": _JSON_TYPES[pref.type]}
    if pref.structure:
        from profilegen.catalog.facts import json_schema

        schema.update({k: v for k, v in json_schema(pref.structure).items() if k != "type"})
    if pref.values:
        schema["enum"] = [v.value for v in pref.values]
        schema["options"] = {"enum_titles": [v.title for v in pref.values]}
    if pref.format == "https-url":
        schema["pattern"] = "^https://"
    if pref.format in ("text", "email"):
        schema["minLength"] = 1
    if pref.minimum is not None:
        schema["minimum"] = pref.minimum
    if pref.maximum is not None:
        schema["maximum"] = pref.maximum
    return schema


def jamf_schema(catalog: Catalog, domain: str) -> dict:
    """Jamf Pro's custom schema for one domain: every catalog key of the domain, each Not configured
    until the admin chooses a value, so that the form enforces nothing nobody chose (json-editor's
    `remove_empty_properties` leaves the unconfigured ones out of the profile)."""
    from profilegen.catalog.sources import cite

    properties = {}
    left_out = []
    preferences = [p for p in catalog.preferences.values() if domain in p.domains]
    for order, pref in enumerate(preferences, 1):
        if _has_date(pref.structure):
            left_out.append(pref.key)
            continue
        versions = "; ".join(pref.versions(catalog))
        claims = (pref.evidence, *(c.evidence for c in pref.caveats))
        properties[pref.key] = {
            "title": f"{pref.title} ({pref.key})",
            "description": " ".join(
                filter(
                    None,
                    [
                        pref.description,
                        f"Versions: {versions}." if versions else "",
                        *(c.text for c in pref.caveats),
                        f"Source: {catalog.sources[pref.evidence.source].title} ({cite(pref.evidence)}).",
                    ],
                )
            ),
            "property_order": order * 5,
            # Jamf Pro shows these under the property: the pages its claims come from.
            "links": [
                {"rel": f"{catalog.sources[s].title}{f': {t}' if t else ''}", "href": catalog.sources[s].url}
                for s, t in dict.fromkeys((e.source, e.section) for e in claims)
            ],
            "anyOf": [{"type": "null", "title": "Not configured"}, _value_schema(pref)],
        }
    info = catalog.domains[domain]
    note = (
        f" Left out, as the form would write their dates as text: {', '.join(left_out)}; "
        "deploy them with the jamf-plist or the profile."
        if left_out
        else ""
    )
    return {
        "title": f"{info.name} ({domain})",
        "description": f"Network and privacy preferences of {info.name}, as Microsoft documents them "
        f"(generated by profilegen). A property left Not configured is not in the profile.{note}",
        "type": "object",
        "options": {"remove_empty_properties": True},
        "properties": properties,
    }


def render_jamf_schema(selection: Selection, catalog: Catalog) -> list[Output]:
    return [
        Output(
            f"{selection.name}-jamf/{domain}.json",
            "jamf-schema",
            (json.dumps(jamf_schema(catalog, domain), indent=2, default=json_default) + "\n").encode(),
        )
        for domain in _values(selection)
    ]
