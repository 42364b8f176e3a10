"""Sources and evidence: where each claim of the catalog comes from and how sure it is."""

from __future__ import annotations

import re
from typing import NamedTuple

EVIDENCE = {
    "documented": "the source says so of this endpoint or section",
    "inferred": "the source names a feature category; the endpoints are mapped to it by profilegen",
}
CONFIDENCE = {
    "high": "Microsoft's own documentation or Message Center",
    "medium": "Microsoft-authored but informal, several community sources, or community data read "
    "mechanically from Microsoft's update feeds",
    "low": "one community source, or an inference",
}


class Source(NamedTuple):
    id: str
    title: str
    publisher: str
    url: str
    date: str | None = None
    revision: str = ""  # the revision read: a commit, or the date it was read


class Evidence(NamedTuple):
    """Where a claim comes from: a source of sources.toml, the section of it where the claim
    stands (its heading, as the page has it), how sure it is (CONFIDENCE), and whether the source
    says it or profilegen infers it from what the source says (then `note` gives the reasoning)."""

    source: str
    confidence: str
    note: str = ""
    section: str | None = None
    inferred: bool = False

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            "section": self.section,
            "confidence": self.confidence,
            "evidence": "inferred" if self.inferred else "documented",
            "note": self.note,
        }


class Claim(NamedTuple):
    """One thing the catalog says, by name, with its evidence and what a reader of the cited
    section must find there: the key it names, and every version and value it gives."""

    name: str
    evidence: Evidence
    key: str | None = None
    versions: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    url: str | None = None  # an endpoint row's URL
    domains: tuple[str, ...] = ()  # a preference's domains, which the source names
    type: str | None = None  # a preference's plist type, where its section gives one


class Caveat(NamedTuple):
    text: str
    evidence: Evidence


def versions_in(text: str) -> tuple[str, ...]:
    """The version numbers a sentence gives (16.28, 4.51, 15.25), as a reader would find them."""
    return tuple(dict.fromkeys(re.findall(r"(?<![\w.])[0-9]{1,2}\.[0-9]{1,3}(?:\.[0-9]{1,3})?(?![\w.])", text)))


def cite(evidence: Evidence) -> str:
    """A claim's source in words: `mau-preferences, section "HowToCheck", high`."""
    section = f', section "{evidence.section}"' if evidence.section else ""
    inferred = ", inferred" if evidence.inferred else ""
    return f"{evidence.source}{section}, {evidence.confidence}{inferred}"
