"""Every claim of the catalog against the page it cites: the stored copies of Microsoft's pages,
ProfileManifests' manifests and the seed article in ../shared/reference. A claim the stored copy
doesn't bear out fails; an inferred claim, or one whose source has no stored copy (a Message
Center notice, a feed), is listed by name in the run's summary, so that what no test checks
stays in sight."""

import re

import citations
import pytest

# How a page gives a plist type: its table's word, or the flag of a `defaults write` it shows.
TYPE_WORDS = {
    "boolean": r"\bBoolean\b|-bool\b",
    "integer": r"\bInteger\b|-int(eger)?\b",
    "string": r"\bString\b|-string\b",
    "dictionary": r"\bDictionary\b|<dict>",
}


def problems(claim, sections: dict[str, str]) -> list[str]:
    """What the cited section doesn't show of what the claim says."""
    evidence = claim.evidence
    if not evidence.section:
        return ["names no section of its source"]
    text = sections.get(evidence.section)
    if text is None:
        return [f"{evidence.source} has no section {evidence.section!r}"]
    found = []
    if claim.key and not (citations.names(text, claim.key) or citations.names(text, claim.key.rsplit(".", 1)[-1])):
        found.append(f"section {evidence.section!r} doesn't name {claim.key}")
    found += [
        f"section {evidence.section!r} doesn't give version {v}" for v in claim.versions if not citations.names(text, v)
    ]
    found += [
        f"section {evidence.section!r} doesn't give the value {v}"
        for v in claim.values
        if not citations.shows_value(text, v)
    ]
    page = "\n".join(sections.values())
    found += [f"{evidence.source} doesn't name the domain {d}" for d in claim.domains if d not in page]
    if claim.type and not re.search(TYPE_WORDS[claim.type], text, re.IGNORECASE):
        found.append(f"section {evidence.section!r} doesn't give the type {claim.type}")
    if claim.url:
        host = claim.url.split("://", 1)[1].split("/", 1)[0]
        if not re.search(re.escape(host).replace(r"\*", r"\*"), text, re.IGNORECASE):
            found.append(f"section {evidence.section!r} doesn't list {claim.url}")
    return found


@pytest.mark.reference
def test_every_claim_stands_in_the_section_it_cites(catalog, record_property):
    failures, unchecked = [], []
    for claim in catalog.claims():
        source = catalog.sources[claim.evidence.source]
        sections = citations.sections_of(source)
        if claim.evidence.inferred:  # the reasoning is the claim's note, in `settings --json`
            unchecked.append(f"{claim.name}: inferred ({source.id})")
        elif sections is None:
            unchecked.append(f"{claim.name}: no stored copy of {source.id}")
        else:
            failures += [f"{claim.name} ({source.id}): {problem}" for problem in problems(claim, sections)]
    record_property("unchecked claims", unchecked)
    assert not failures, "\n".join(failures)
    # The list is printed at the end of the run (conftest.pytest_terminal_summary).
    assert unchecked


@pytest.mark.reference
def test_each_cited_source_with_a_commit_has_its_stored_copy(catalog):
    """A revision that is a commit must be the commit of the stored copy: a source edited to cite a
    newer revision than the one stored would otherwise go unchecked."""
    for source in catalog.sources.values():
        if re.fullmatch(r"[0-9a-f]{40}", source.revision):
            assert citations.sections_of(source), f"{source.id}: no stored copy of revision {source.revision}"


@pytest.mark.reference
def test_the_section_reader_finds_what_a_reader_sees():
    page = "# Title\n\n## A\ntext a\n### A.1\nsub\n **Table**\nrow\n## [B](b.md)\ntext b\n"
    sections = citations.markdown_sections(page)
    assert sections["A"].count("sub") == 1 and "row" in sections["A"] and "text b" not in sections["A"]
    assert "row" in sections["Table"] and "sub" not in sections["Table"]
    assert sections["B"].strip().endswith("text b")
    assert citations.shows_value("-bool FALSE", "false") and not citations.shows_value("Manual2", "Manual")
    assert not citations.names("UpdateDeadline.DaysBeforeForcedQuit", "DaysBeforeForced")


def test_a_claim_that_its_section_does_not_bear_out_is_found():
    from profilegen.catalog.sources import Claim, Evidence

    cited = Evidence("mau-preferences", "high", section="HowToCheck")
    sections = {"HowToCheck": "## HowToCheck\n| Accepted Values | AutomaticDownload<br>AutomaticCheck |"}
    assert problems(Claim("HowToCheck", cited, "HowToCheck", (), ("AutomaticCheck",)), sections) == []
    assert problems(Claim("x", cited, "HowToCheck", ("4.51",), ("Manual",)), sections) == [
        "section 'HowToCheck' doesn't give version 4.51",
        "section 'HowToCheck' doesn't give the value Manual",
    ]
    assert problems(Claim("x", cited._replace(section="Nope"), "HowToCheck"), sections) == [
        "mau-preferences has no section 'Nope'"
    ]
    sections["HowToCheck"] += "| Domain | com.microsoft.autoupdate2 |\n| Type | String |\n"
    good = Claim("HowToCheck", cited, "HowToCheck", domains=("com.microsoft.autoupdate2",), type="string")
    assert problems(good, sections) == []
    assert problems(good._replace(domains=("com.microsoft.Word",), type="integer"), sections) == [
        "mau-preferences doesn't name the domain com.microsoft.Word",
        "section 'HowToCheck' doesn't give the type integer",
    ]


@pytest.mark.reference
def test_the_keys_microsoft_says_never_to_set_are_the_ones_its_page_marks(catalog):
    page = citations.sections_of(catalog.sources["mau-preferences"])
    marked = {name for name, text in page.items() if "DO NOT USE" in text.split("|", 1)[0]}
    assert marked == set(catalog.never_set)
    assert all(n.domain == "com.microsoft.autoupdate2" for n in catalog.never_set.values())
