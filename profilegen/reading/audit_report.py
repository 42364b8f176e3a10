"""An audit as people and tools read it: text that fits 80 columns, one JSON document, a
self-contained HTML page (conflicts and drift first), and SARIF or GitHub annotations through
the same writer as `check`'s. Every form carries the same findings."""

from __future__ import annotations

import textwrap
from html import escape
from pathlib import Path

from profilegen import names
from profilegen.catalog.model import Catalog
from profilegen.catalog.values import format_value
from profilegen.core import impact
from profilegen.reading import findings
from profilegen.reading.audit import KINDS, SHOWN, Audit, Finding, Scope, some
from profilegen.reading.checks import Problem

FORMATS = ("text", "json", "html", "sarif", "github")
FIRST = ("PG001", "PG601", "PG620", "PG621", "PG622", "PG623")  # what an admin must see first
WIDTH = 80


def _first(found: list[Finding]) -> list[Finding]:
    return [f for f in found if f.code in FIRST and f.code != "PG001"]


def _count(n: int, what: str) -> str:
    return f"{n} {what}" if n == 1 else f"{n} {what}s"


def _inputs(a: Audit) -> str:
    i = a.inputs
    kinds = [
        _count(n, what)
        for n, what in (
            (i.kinds["profile"], "profile file"),
            (i.kinds["signed"], "signed one"),
            (i.kinds["profiles show"], "`profiles show` document"),
            (i.kinds["managed preferences"], "Managed Preferences file"),
            (len(i.unreadable), "unreadable file"),
            (i.skipped, "other file"),
        )
        if n
    ]
    return (
        f"{_count(len(i.read) + len(i.unreadable) + i.skipped, 'file')} ({', '.join(kinds) or 'none'}) with "
        f"{_count(i.profiles, 'profile')}; of their payloads and preference files, "
        f"{i.payloads['office']} hold Office settings and {i.payloads['other']} others are left alone."
    )


def _totals(a: Audit) -> str:
    return ", ".join(
        _count(a.count(level), word) for level, word in (("error",) * 2, ("warning",) * 2, ("info", "note"))
    )


def _fill(text: str, indent: str = "", more: str = "    ") -> list[str]:
    text = names.visible(text)  # a profile can't rewrite the screen of whoever audits it
    return textwrap.wrap(
        text,
        WIDTH,
        initial_indent=indent,
        subsequent_indent=indent + more,
        break_on_hyphens=False,
        break_long_words=False,  # a path longer than a line stays whole, to be copied
    ) or [indent]


def _finding_lines(f: Finding, indent: str = "  ") -> list[str]:
    return _fill(f"{f.level} {f.code} {f.scope}: {f.message}", indent)


def _silencers(scope: Scope) -> list[tuple[list[str], list[str]]]:
    """(sources, the hosts whose rows they silence or reduce, with the others they take): sources
    that change the same rows share a line."""
    by: dict = {}
    for row in scope.impacts:
        if row.effect != "unchanged":
            word = f"{row.endpoint.host} ({row.effect})"
            for source in scope.responsible(row):
                by.setdefault(source, {})[word] = None
    shared: dict[tuple[str, ...], list[str]] = {}
    for source, hosts in by.items():
        shared.setdefault(tuple(hosts), []).append(source.label())
    return [(labels, list(hosts)) for hosts, labels in shared.items()]


def text(a: Audit, catalog: Catalog) -> str:
    lines = [*_fill(f"profilegen audit: {_inputs(a)}"), *_fill(f"Target: {a.target.describe(catalog)}.")]
    if a.against:
        lines += _fill(f"Intended: {a.against}.")
    first = [f for s in a.scopes for f in _first(s.findings)]
    if first:
        lines += ["", "Conflicts and drift"]
        for f in first:
            lines += _finding_lines(f)
    for scope in a.scopes:
        lines += ["", *_fill("Computer" if scope.name == "computer" else f"User scope: {scope.name}")]
        if not scope.settings:
            lines.append("  no Office settings")
        domain = None
        for (d, key), entries in scope.settings.items():
            if d != domain:
                domain = d
                lines += _fill(d, "  ")
            shown = "(in conflict)" if (d, key) in scope.conflicted else format_value(entries[0].value)
            lines += _fill(f"{key} = {shown}", "    ")
            for e in entries[:SHOWN] if (d, key) not in scope.conflicted else entries:
                extra = f" = {format_value(e.value)}" if (d, key) in scope.conflicted else ""
                name = f' "{e.source.name}"' if e.source.name and e.source.name != e.source.identifier else ""
                lines += _fill(f"from {e.source.label()}{name}{extra}", "      ")
            if len(entries) > SHOWN and (d, key) not in scope.conflicted:
                lines += _fill(f"and {len(entries) - SHOWN} more sources with the same value", "      ")
        rest = [f for f in scope.findings if f not in _first(scope.findings)]
        if rest:
            lines.append("  Findings")
            for f in rest:
                lines += _finding_lines(f, "    ")
        lines += _fill(f"Endpoints: {impact.summary_line(scope.impacts)}.", "  ")
        for labels, hosts in _silencers(scope):
            lines += _fill(f"{some(labels)}: {', '.join(hosts)}", "    ")
    notes = a.inputs.notes
    if notes:
        lines += ["", "Notes"]
        for f in notes:
            lines += _fill(f"{f.code}: {f.message}", "  ")
    if a.inputs.unreadable:
        lines += ["", "Unreadable"]
        for file, why in a.inputs.unreadable:
            lines += _fill(why if file in why else f"{file}: {why}", "  ")
    lines += ["", *_fill(f"Summary: {_totals(a)}.")]
    return "\n".join(lines)


def document(a: Audit, catalog: Catalog) -> dict:
    """The audit as one JSON document. Every source (a payload of a profile, or a Managed
    Preferences file) is listed once under "sources"; settings and endpoint rows name theirs by
    its place in that list."""
    i = a.inputs
    index: dict = {}
    for scope in a.scopes:
        for entries in scope.settings.values():
            for e in entries:
                index.setdefault(e.source, len(index))
    return {
        "catalog_revision": catalog.revision,
        "target": {p: str(a.target.version(p)) for p in ("office", "autoupdate")},
        "against": a.against,
        "inputs": {
            "read": i.read,
            "kinds": {k: i.kinds[k] for k in (*KINDS, "signed")},
            "profiles": i.profiles,
            "payloads": {"office": i.payloads["office"], "other": i.payloads["other"]},
            "unreadable": [{"file": f, "error": why} for f, why in i.unreadable],
            "skipped": i.skipped,
        },
        "sources": [source.as_dict() for source in index],
        "scopes": [s.as_dict(index) for s in a.scopes],
        "findings": [f.as_dict() for f in a.findings],
        "summary": {"errors": a.count("error"), "warnings": a.count("warning"), "info": a.count("info")},
    }


def annotated(a: Audit, fmt: str, base: Path | None = None) -> str:
    """SARIF 2.1.0 or GitHub annotations, by check's own writer: each finding at its first file."""
    found = [
        findings.Finding(
            f.sources[0].file if f.sources else "", None, Problem(f.level, f.code, f"{f.scope}: {f.message}")
        )
        for f in a.findings
    ]
    return findings.report(a.inputs.read, found, fmt, base)


STYLE = """
body { font: 14px/1.4 -apple-system, "Helvetica Neue", Arial, sans-serif; margin: 2em; color: #111; }
td { overflow-wrap: anywhere; }
th, td.level, td.code, td.scope, td.domain { white-space: nowrap; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1.5em; }
th, td { border-bottom: 1px solid #ddd; padding: .3em .5em; text-align: left; vertical-align: top; }
td.mono { font-family: ui-monospace, Menlo, monospace; }
tr.error td.level { background: #fbd5d5; }
tr.warning td.level { background: #feecc8; }
tr.conflict td { background: #fdf0f0; }
@media print { body { margin: 0; font-size: 10pt; } tr { break-inside: avoid; } }
"""


def _findings_table(found: list[Finding]) -> str:
    if not found:
        return "<p>None.</p>"
    rows = "".join(
        f'<tr class="{f.level}"><td class="level">{f.level}</td><td class="code">{f.code}</td>'
        f'<td class="scope">{escape(f.scope)}</td><td>{escape(f.message)}</td>'
        f"<td>{escape(some(list(dict.fromkeys(s.label() for s in f.sources))))}</td></tr>"
        for f in found
    )
    return (
        "<table><thead><tr><th>level</th><th>code</th><th>scope</th><th>finding</th><th>sources</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def html(a: Audit, catalog: Catalog) -> str:
    first = [f for s in a.scopes for f in _first(s.findings)]
    unreadable = [f for f in a.findings if f.code == "PG001"]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>profilegen audit</title><style>{STYLE}</style></head><body>",
        "<h1>What these profiles add up to</h1>",
        f"<p>{escape(_inputs(a))}</p>",
        f"<p>Target: {escape(a.target.describe(catalog))}."
        + (f" Intended: {escape(a.against)}." if a.against else "")
        + f" Catalog revision {escape(catalog.revision)}. {escape(_totals(a))}.</p>",
        "<h2>Conflicts and drift</h2>",
        _findings_table(first),
    ]
    if unreadable:
        parts += ["<h2>Unreadable</h2>", _findings_table(unreadable)]
    for scope in a.scopes:
        title = "Computer" if scope.name == "computer" else f"User scope: {scope.name}"
        rows = []
        for (d, key), entries in scope.settings.items():
            conflict = (d, key) in scope.conflicted
            value = "in conflict" if conflict else format_value(entries[0].value)
            sources = "<br>".join(
                escape(
                    e.source.label()
                    + (f' "{e.source.name}"' if e.source.name not in (None, e.source.identifier) else "")
                )
                + (f" = {escape(format_value(e.value))}" if conflict else "")
                for e in (entries if conflict else entries[:SHOWN])
            ) + (f"<br>and {len(entries) - SHOWN} more" if not conflict and len(entries) > SHOWN else "")
            rows.append(
                f'<tr{" class=conflict" if conflict else ""}><td class="mono domain">{escape(d)}</td>'
                f'<td class="mono">{escape(key)}</td><td class="mono">{escape(value)}</td><td>{sources}</td></tr>'
            )
        endpoints = "".join(
            f'<tr><td class="mono">{escape(row.endpoint.url)}</td><td>{escape(row.endpoint.section)}</td>'
            f"<td>{row.effect}</td><td>{escape(some([s.label() for s in scope.responsible(row)]))}</td></tr>"
            for row in scope.impacts
            if row.effect != "unchanged"
        )
        rest = [f for f in scope.findings if f not in _first(scope.findings)]
        parts += [
            f"<h2>{escape(title)}</h2>",
            "<h3>Effective Office settings</h3>",
            "<table><thead><tr><th>domain</th><th>key</th><th>value</th><th>from</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
            if rows
            else "<p>No Office settings.</p>",
            "<h3>Findings</h3>",
            _findings_table(rest),
            f"<h3>Endpoints</h3><p>{escape(impact.summary_line(scope.impacts))}.</p>",
            "<table><thead><tr><th>endpoint</th><th>section</th><th>effect</th><th>by</th></tr></thead>"
            f"<tbody>{endpoints}</tbody></table>"
            if endpoints
            else "",
        ]
    if a.inputs.notes:
        parts += ["<h2>Notes</h2>", _findings_table(a.inputs.notes)]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
