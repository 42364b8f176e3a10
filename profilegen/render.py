"""The registry of output formats: pure renderers from a resolved selection to bytes.

Each format names the module whose `render(selection, catalog)` returns its
outputs; modules are imported only when their format is asked for, so a build
that doesn't sign never imports the signing stack.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from typing import TYPE_CHECKING

from profilegen.errors import SelectionError

if TYPE_CHECKING:  # kept off the start-up path: `profilegen --help` lists FORMATS
    from profilegen.catalog import Catalog
    from profilegen.selection import Selection


@dataclass(frozen=True)
class Output:
    path: str  # relative to the output folder
    kind: str
    data: bytes
    executable: bool = False


@dataclass(frozen=True)
class Format:
    module: str
    help: str
    function: str = "render"


FORMATS: dict[str, Format] = {
    "mobileconfig": Format("profilegen.mobileconfig", "configuration profile (.mobileconfig)"),
    "script": Format("profilegen.script", "shell script that applies, audits or undoes the settings with defaults"),
    "endpoints": Format("profilegen.endpoints", "endpoint impact tables (Markdown, CSV, JSON)"),
    "proxy-lists": Format("profilegen.endpoints", "hosts to allow and hosts to block", "render_proxy_lists"),
    "jamf-plist": Format("profilegen.mdm", "a plist per domain for Jamf Pro's Application & Custom Settings",
                         "render_jamf_plist"),
    "intune-plist": Format("profilegen.mdm", "a preference file per domain for Intune", "render_intune_plist"),
    "jamf-schema": Format("profilegen.mdm", "a JSON schema per domain for Jamf Pro's custom schema",
                          "render_jamf_schema"),
}


def check_formats(names: list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """Repeated or comma-separated format names; none means every format."""
    chosen: list[str] = []
    for item in names or ():
        for name in filter(None, (part.strip().lower() for part in item.split(","))):
            if name not in FORMATS:
                raise SelectionError(f"unknown format {name!r}; expected one of {', '.join(FORMATS)}")
            if name not in chosen:
                chosen.append(name)
    return tuple(chosen) or tuple(FORMATS)


def render(selection: Selection, catalog: Catalog, formats: tuple[str, ...] = (), signer=None) -> list[Output]:
    """Every output of the formats; with a signer (profilegen.cms.Identity), each profile signed too."""
    outputs: list[Output] = []
    for name in formats or FORMATS:
        chosen = FORMATS[name]
        outputs.extend(getattr(importlib.import_module(chosen.module), chosen.function)(selection, catalog))
    if signer is not None:
        from profilegen import cms

        outputs.extend(
            Output(out.path.removesuffix(".mobileconfig") + ".signed.mobileconfig", "mobileconfig-signed",
                   cms.sign(out.data, signer))
            for out in list(outputs) if out.kind == "mobileconfig"
        )
    return outputs
