"""Reads the stored copies of the sources the catalog cites (../shared/reference), section by
section, so that a test can look for what a claim says in the section it names."""

import functools
import plistlib
import re

import seed
from conftest import shared

_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def heading_text(text: str) -> str:
    """A heading as a reader sees it: links as their words, no emphasis, no trailing spaces."""
    return _LINK.sub(r"\1", text).replace("**", "").replace("`", "").strip()


def markdown_sections(text: str) -> dict[str, str]:
    """Each heading of a Markdown page (`#` lines, and lines that are one bold phrase, which
    Microsoft's older pages use as table titles) with the text up to the next heading of its
    level or above. A heading that occurs twice gets both texts."""
    lines = text.splitlines()
    marks = []
    for i, line in enumerate(lines):
        hashes = re.match(r"^(#{1,6})\s+(.*)$", line)
        bold = re.match(r"^\s*\*\*([^*]+)\*\*\s*$", line)
        if hashes:
            marks.append((i, len(hashes.group(1)), heading_text(hashes.group(2))))
        elif bold:
            marks.append((i, 7, heading_text(bold.group(1))))
    sections: dict[str, str] = {}
    for n, (i, level, name) in enumerate(marks):
        end = next((j for j, lv, _ in marks[n + 1 :] if lv <= level), len(lines))
        sections[name] = sections.get(name, "") + "\n".join(lines[i:end]) + "\n"
    return sections


def _flat(value) -> str:
    if isinstance(value, dict):
        return "\n".join(f"{k}: {_flat(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "\n".join(_flat(v) for v in value)
    return str(value)


def manifest_sections() -> dict[str, str]:
    """ProfileManifests: "DOMAIN" for a whole manifest, "DOMAIN: KEY" for one key of it."""
    sections = {}
    for path in sorted(shared("reference", "profilemanifests").glob("*.plist")):
        with path.open("rb") as f:
            manifest = plistlib.load(f)
        domain = manifest["pfm_domain"]
        sections[domain] = _flat(manifest)
        for key in manifest.get("pfm_subkeys", []):
            sections[f"{domain}: {key.get('pfm_name')}"] = _flat(key)
    return sections


def seed_sections() -> dict[str, str]:
    """The 2016 article as the seed has it (Vietnamese): each endpoint table by its English name
    (seed.SECTIONS), a row per line as `URL APPS TYPE`."""
    sections: dict[str, str] = {}
    for row in seed.rows():
        letters = "".join(k for k, v in seed.LETTERS.items() if v in row["apps"])
        sections[row["section"]] = sections.get(row["section"], "") + f"{row['url']} {letters} {row['type']}\n"
    return sections


def stored_files() -> dict[str, tuple[str, str]]:
    """SOURCES.md's table: commit -> [(file, URL)], for every stored Microsoft page."""
    table: dict[str, list[tuple[str, str]]] = {}
    for line in shared("reference", "microsoft", "SOURCES.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 7 and cells[0].endswith(".md"):
            url = re.sub(r"/en-us/", "/", cells[6].split(" ")[0])
            table.setdefault(cells[3], []).append((cells[0], url))
    return table


@functools.cache
def sections_of(source) -> dict[str, str] | None:
    """The sections of a source's stored copy, found by the revision sources.toml says was read
    (and the URL, where one commit holds several pages); None where there is no stored copy."""
    if source.id == "article-2016":
        return seed_sections()
    if source.id == "profilemanifests":
        return manifest_sections()
    candidates = stored_files().get(source.revision, [])
    if len(candidates) > 1:
        candidates = [(f, url) for f, url in candidates if url == source.url]
    if len(candidates) != 1:
        return None
    return markdown_sections(shared("reference", "microsoft", candidates[0][0]).read_text(encoding="utf-8"))


def names(text: str, word: str) -> bool:
    """Whether `word` stands in text as a word of its own (case kept: keys are case-sensitive)."""
    return re.search(rf"(?<![\w.]){re.escape(word)}(?![\w])", text) is not None


def shows_value(text: str, value: str) -> bool:
    """Whether text gives a documented value: true and false in any case (TRUE, -bool FALSE), a
    string or a number as a word of its own."""
    if value in ("true", "false"):
        return re.search(rf"(?<!\w){value}(?!\w)", text, re.IGNORECASE) is not None
    return names(text, value)
