"""Reporting what `check` found: as text, JSON, GitHub annotations or SARIF, each finding with its
stable code and, where the file is XML, its line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from profilegen import names
from profilegen.reading.checks import Problem

# --- reports of `profilegen check`, for people and for tools -------------------------------

REPORTS = ("text", "json", "github", "sarif")
_SARIF_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


@dataclass(frozen=True)
class Finding:
    file: str
    line: int | None
    problem: Problem


# Every finding's code: a short description, and what to do about it (SARIF's rules carry both).
CODES = {
    "PG001": ("The file can't be read as a profile", "Give a profile: XML, binary or signed property list."),
    "PG100": ("A required top-level key is missing", "Add the key Apple's schema requires of every profile."),
    "PG101": ("A PayloadUUID isn't a UUID", "Generate one with uuidgen and keep it across updates."),
    "PG102": ("A top-level key isn't in Apple's schema", "Remove it, or check its spelling."),
    "PG103": ("A top-level key has the wrong type", "Write the value in the type Apple's schema gives."),
    "PG104": ("The top-level PayloadType isn't Configuration", "A configuration profile's type is Configuration."),
    "PG105": ("The top-level PayloadVersion isn't 1", "Set PayloadVersion to the integer 1."),
    "PG106": ("PayloadScope isn't System or User", "Use System or User, or leave PayloadScope out."),
    "PG107": ("A payload isn't a dictionary", "Each entry of PayloadContent is a dictionary."),
    "PG108": ("A payload lacks a required key", "Add PayloadIdentifier, PayloadType, PayloadUUID and PayloadVersion."),
    "PG109": ("A payload key has the wrong type", "Write the value in the type Apple's schema gives."),
    "PG110": ("A payload's PayloadVersion isn't 1", "Set PayloadVersion to the integer 1."),
    "PG111": ("A PayloadUUID is used twice", "Give each payload a UUID of its own."),
    "PG112": ("A PayloadIdentifier is used twice", "Give each payload an identifier of its own."),
    "PG113": ("A payload has the profile's own identifier", "Extend the profile's identifier for each payload."),
    "PG114": ("A PayloadIdentifier isn't reverse-DNS", "Use letters, digits, '-' and '_' between dots."),
    "PG116": ("A PayloadUUID is empty", "Generate one with uuidgen."),
    "PG117": ("The payloads are encrypted: not checked", "Check the profile before it is encrypted."),
    "PG120": ("An MCX payload's PayloadContent isn't a dictionary", "Key it by preference domain."),
    "PG121": ("An MCX domain isn't a dictionary", "Give each domain Forced or Set-Once."),
    "PG122": ("An MCX domain has an unknown form", "Use Forced or Set-Once."),
    "PG123": ("An MCX form isn't an array of settings", "Each entry holds mcx_preference_settings."),
    "PG130": ("A Profile Service key is missing or of the wrong type", "Follow Apple's enrolment schema."),
    "PG131": ("A Profile Service URL isn't https", "Enrol over https."),
    "PG132": ("A Profile Service DeviceAttributes entry is unknown", "Ask only for attributes Apple documents."),
    "PG133": ("A Profile Service Challenge isn't text", "Write the challenge as a string."),
    "PG200": ("An Office key isn't spelled as Microsoft documents it", "Use Microsoft's spelling."),
    "PG201": ("An Office key is set in a domain that doesn't read it", "Set it in the domains it is documented for."),
    "PG202": ("An Office key has the wrong type", "Write the value in the type the catalog gives."),
    "PG203": ("An Office key has a value it doesn't take", "Use one of the documented values."),
    "PG204": ("An Office value is an old name", "Write the current name."),
    "PG205": ("An Office key isn't in the catalog: not checked", "Check it against Microsoft's documentation."),
    "PG206": ("A Microsoft domain isn't in the catalog: not checked", "Check it against Microsoft's documentation."),
    "PG207": ("A key Microsoft says never to set", "Remove it from the profile."),
    "PG208": ("Another vendor's payload: not checked", "Check it against that vendor's documentation."),
    "PG209": ("A setting the target versions don't read", "Set what the source names instead, or drop it."),
    "PG300": ("An Apple payload type profilegen has no facts for: not checked", "Check it against Apple's schema."),
    "PG301": ("A key Apple's schema requires is missing", "Add it."),
    "PG302": ("A value has the wrong type for Apple's schema", "Write it in the type Apple's schema gives."),
    "PG303": ("A value isn't one Apple's schema allows", "Use one of the allowed values."),
    "PG304": ("A key isn't in Apple's schema", "Remove it, or check its spelling."),
    "PG305": ("A deprecated key", "Remove it: it no longer applies."),
    "PG400": ("The signature isn't valid", "Sign the profile again; verify says which part failed."),
    # audit: what a set of profiles adds up to
    "PG601": (
        "Two sources set one key to different values: macOS doesn't define which wins",
        "Remove the key from all but one profile.",
    ),
    "PG602": ("Two sources set one key to the same value", "Nothing to do; one source would be enough."),
    "PG603": ("An input that isn't a profile, a profiles show document or Managed Preferences", "Leave it out."),
    "PG604": ("An encrypted profile: its payloads can't be audited", "Audit the profile before it was encrypted."),
    "PG610": ("A setting also stops a feature (activation, add-ins, ...)", "Check that this is intended."),
    "PG611": ("A domain is managed without a key it needs", "Set the key the message names."),
    "PG620": ("An intended setting is missing", "Deploy it, or change what is intended."),
    "PG621": ("A setting has another value than intended", "Deploy the intended value."),
    "PG622": ("A setting nobody intended", "Remove it, or add it to what is intended."),
    "PG623": ("An endpoint's effect differs from the intended one", "Fix the settings the drift names."),
}


def _github(text: str, property: bool = False) -> str:
    """Text in a GitHub workflow command: %, CR and LF escaped, and in a property also : and , so
    that a file name can't end the command or forge a second one."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    text = names.visible(text)  # an escape sequence in a key name would colour or rewrite the log
    return text.replace(":", "%3A").replace(",", "%2C") if property else text


def _sarif_uri(file: str, base: Path | None = None) -> str:
    """A file as a SARIF artifact URI: relative to base (the current folder), percent-encoded from its bytes."""
    import os
    from urllib.parse import quote

    relative = os.path.relpath(file, base or Path.cwd())
    return quote(os.fsencode(Path(relative).as_posix()))


def report(checked: list[str], findings: list[Finding], fmt: str, base: Path | None = None) -> str:
    """The findings of `check` on these files, as text, JSON, GitHub annotations or SARIF 2.1.0."""
    import json

    if fmt == "json":
        from profilegen import __version__

        return json.dumps(
            {
                "profilegen_version": __version__,
                "checked": checked,
                "findings": [
                    {
                        "file": f.file,
                        "line": f.line,
                        "level": f.problem.level,
                        "code": f.problem.code,
                        "message": f.problem.message,
                    }
                    for f in findings
                ],
            },
            indent=2,
            ensure_ascii=True,  # valid whatever bytes the file names hold
        )
    if fmt == "github":
        kinds = {"error": "error", "warning": "warning", "info": "notice"}
        return "\n".join(
            f"::{kinds[f.problem.level]} {f'file={_github(f.file, True)},' if f.file else ''}"
            f"{f'line={f.line},' if f.line else ''}title={f.problem.code}::{_github(f.problem.message)}"
            for f in findings
        )
    if fmt == "sarif":
        from profilegen import __version__

        rules = sorted({f.problem.code for f in findings})
        return json.dumps(
            {
                "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
                "version": "2.1.0",
                "runs": [
                    {
                        "tool": {
                            "driver": {
                                "name": "profilegen",
                                "version": __version__,
                                "rules": [
                                    {
                                        "id": code,
                                        "shortDescription": {"text": CODES.get(code, (code, ""))[0]},
                                        "help": {"text": CODES.get(code, ("", code))[1]},
                                    }
                                    for code in rules
                                ],
                            }
                        },
                        "results": [
                            {
                                "ruleId": f.problem.code,
                                "ruleIndex": rules.index(f.problem.code),
                                "level": _SARIF_LEVELS[f.problem.level],
                                "message": {"text": f.problem.message},
                                "locations": [
                                    {
                                        "physicalLocation": {
                                            "artifactLocation": {"uri": _sarif_uri(f.file, base)},
                                            **({"region": {"startLine": f.line}} if f.line else {}),
                                        }
                                    }
                                ]
                                if f.file
                                else [],  # a finding of no one file (an intended setting that is missing)
                            }
                            for f in findings
                        ],
                    }
                ],
            },
            indent=2,
            ensure_ascii=True,
        )
    found = {f.file for f in findings}
    lines = [
        f"{f.file}{f':{f.line}' if f.line else ''}: {f.problem.level}: {f.problem.message} [{f.problem.code}]"
        for f in findings
        if f.problem.code != "PG001"
    ]
    return "\n".join(lines + [f"{file}: no problems found" for file in checked if file not in found])
