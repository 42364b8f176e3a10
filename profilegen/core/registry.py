"""The registry of output formats, by name: what each writes, and the module of profilegen.formats
whose `render(selection, catalog)` makes it; and what each MDM console takes.

Data only, named here so that a request can be checked and `--help` list the formats without
importing a renderer: profilegen.build.plan imports a format's module only when it is asked for.
"""

from __future__ import annotations

from typing import NamedTuple

from profilegen import names


class Output(NamedTuple):
    path: str  # relative to the output folder
    kind: str
    data: bytes
    executable: bool = False


class Format(NamedTuple):
    module: str
    help: str
    kinds: tuple[str, ...]  # the kinds of Output it writes
    function: str = "render"


# Every kind of file a build can write, and what it is; `build --json` names each file's kind.
KINDS = {
    "mobileconfig": "the configuration profile, unsigned",
    "mobileconfig-signed": "the same profile signed, when a signing identity is given",
    "script": "shell script that applies, audits (--check) or undoes (--undo) the settings",
    "jamf-extension-attribute": "the script set up as a Jamf Pro extension attribute",
    "endpoints-markdown": "endpoint impact table, Markdown",
    "endpoints-csv": "endpoint impact table, CSV",
    "endpoints-json": "endpoint impact table, JSON",
    "proxy-allow": "hosts the selection still needs",
    "proxy-block": "hosts no documented app contacts any more",
    "probe": "POSIX sh script that tests whether the proxy lets the needed hosts through and answers the rest with 40X",
    "squid": "Squid ACLs that answer the silenced hosts with 403 and name the needed ones",
    "pac": "a proxy auto-config file: local network and (direct mode) needed hosts DIRECT, the rest to --pac-proxy",
    "jamf-plist": "a plist per domain for Jamf Pro",
    "intune-plist": "a preference file per domain for Intune",
    "jamf-schema": "a JSON schema per domain for Jamf Pro",
    "report-html": "one self-contained web page of the endpoint impact, to share",
    "config": "the wizard's answers as a config file",
    "manifest": "the files this build wrote, with their checksums, so that its next build removes only those",
}

FORMATS: dict[str, Format] = {
    "mobileconfig": Format(
        "profilegen.formats.mobileconfig",
        "configuration profile (.mobileconfig)",
        ("mobileconfig", "mobileconfig-signed"),
    ),
    "script": Format(
        "profilegen.formats.script",
        "shell script that applies, audits or undoes the settings with defaults",
        ("script", "jamf-extension-attribute"),
    ),
    "endpoints": Format(
        "profilegen.formats.endpoints",
        "endpoint impact tables (Markdown, CSV, JSON)",
        ("endpoints-markdown", "endpoints-csv", "endpoints-json"),
    ),
    "proxy-lists": Format(
        "profilegen.formats.proxy",
        "hosts to allow and hosts to block, and a probe that tests the proxy",
        ("proxy-allow", "proxy-block", "probe"),
        "render_proxy_lists",
    ),
    "squid": Format(
        "profilegen.formats.proxy",
        "Squid ACLs: silenced hosts answered with 403, needed hosts named",
        ("squid",),
        "render_squid",
    ),
    "pac": Format(
        "profilegen.formats.proxy",
        "proxy auto-config: needed hosts DIRECT, the rest to --pac-proxy (written only with it)",
        ("pac",),
        "render_pac",
    ),
    "jamf-plist": Format(
        "profilegen.formats.mdm",
        "a plist per domain for Jamf Pro's Application & Custom Settings",
        ("jamf-plist",),
        "render_jamf_plist",
    ),
    "intune-plist": Format(
        "profilegen.formats.mdm", "a preference file per domain for Intune", ("intune-plist",), "render_intune_plist"
    ),
    "jamf-schema": Format(
        "profilegen.formats.mdm",
        "a JSON schema per domain for Jamf Pro's custom schema",
        ("jamf-schema",),
        "render_jamf_schema",
    ),
    "html": Format(
        "profilegen.formats.report", "a self-contained web page of the endpoint impact, to share", ("report-html",)
    ),
}


class Console(NamedTuple):
    """What one MDM console takes: the formats to write, and the forms they must have."""

    help: str
    formats: tuple[str, ...] = ()  # none: every format
    payload_style: str | None = None  # for an unsigned profile
    max_profile: int | None = None  # bytes


CONSOLES = {
    "generic": Console("every output"),
    "jamf": Console(
        "the profile in the MCX style Jamf Pro keeps editable (or signed, with a signing identity), "
        "a plist and a custom schema per domain",
        ("mobileconfig", "jamf-plist", "jamf-schema"),
        "mcx",
    ),
    "intune": Console(
        "the profile for a Custom profile (at most 1,000,000 bytes) and a preference file per domain",
        ("mobileconfig", "intune-plist"),
        max_profile=1_000_000,
    ),
}


def check_formats(given: list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """Repeated or comma-separated format names, checked; none given means every format."""
    chosen: list[str] = []
    for item in given or ():
        for typed in filter(None, (part.strip() for part in item.split(","))):
            name = names.pick("format", typed, FORMATS)
            if name not in chosen:
                chosen.append(name)
    return tuple(chosen)
