"""Renderers of the endpoint impact as tables: Markdown, CSV and JSON, by row, by host and by setting."""

from __future__ import annotations

import csv
import io
import json
import re

from profilegen.catalog.model import EFFECTS, Catalog, Setting
from profilegen.catalog.values import format_value, json_default
from profilegen.core import impact
from profilegen.core.registry import Output
from profilegen.core.selection import Selection

COLUMNS = (
    "section",
    "url",
    "host",
    "apps",
    "type",
    "description",
    "effect",
    "silenced_for",
    "still_contacted_by",
    "settings",
    "evidence",
    "reason",
    "source",
    "status",
    "status_text",
)


def document(impacts: list[impact.Impact], selection: Selection | None) -> dict:
    return {
        "selection": [{"domain": s.domain, "key": s.key, "value": s.value} for s in selection.settings]
        if selection
        else [],
        "summary": impact.summary(impacts),
        "endpoints": [i.as_dict() for i in impacts],
    }


def as_json(impacts: list[impact.Impact], selection: Selection | None) -> str:
    return json.dumps(document(impacts, selection), indent=2, ensure_ascii=False, default=json_default) + "\n"


def setting_text(s: Setting) -> str:
    return f"{s.domain} {s.key}={format_value(s.value)}"


def _csv(columns: tuple[str, ...], rows: list[dict]) -> str:
    """One line per row: lists joined with "; ", booleans as true/false, None empty."""

    def cell(v):
        if isinstance(v, list):
            return "; ".join(v)
        if isinstance(v, bool):
            return str(v).lower()
        return "" if v is None else v

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([cell(row[c]) for c in columns] for row in rows)
    return out.getvalue()


def as_csv(impacts: list[impact.Impact]) -> str:
    rows = [{**i.as_dict(), "settings": [setting_text(s) for s in i.settings]} for i in impacts]
    return _csv(COLUMNS, rows)


HOST_COLUMNS = ("host", "effects", "needed", "shared", "sections", "still_contacted_by", "settings", "status")


def hosts_document(hosts: list[impact.HostImpact]) -> dict:
    return {"hosts": [h.as_dict() for h in hosts]}


def hosts_csv(hosts: list[impact.HostImpact]) -> str:
    return _csv(HOST_COLUMNS, [h.as_dict() for h in hosts])


def hosts_markdown(hosts: list[impact.HostImpact]) -> str:
    lines = ["| Host | Effects | Sections | Still contacted by | Settings |", "|---|---|---|---|---|"]
    for h in hosts:
        row = h.as_dict()
        lines.append(
            f"| `{h.host}`{' (shared with the web)' if row['shared'] else ''} | {', '.join(row['effects'])} "
            f"| {_cell(', '.join(row['sections']))} | {_cell(', '.join(row['still_contacted_by']))} "
            f"| {', '.join(f'`{k}`' for k in row['settings'])} |"
        )
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _text(text: str) -> str:
    """Text a user gave (a display name), as Markdown shows it: no markup, no HTML, one line."""
    import html

    flat = html.escape(" ".join(text.split()), quote=False)
    return re.sub(r"([\\`*_{}\[\]()#+!|~>-])", r"\\\1", flat)


def _code(text: str, table: bool = False) -> str:
    """A value in a Markdown code span, whatever backticks it holds (and bars, in a table cell)."""

    flat = " ".join(text.split())
    flat = flat.replace("|", "\\|") if table else flat
    fence = "`" * (max((len(run) for run in re.findall("`+", flat)), default=0) + 1)
    return f"{fence} {flat} {fence}" if "`" in flat else f"{fence}{flat}{fence}"


def as_markdown(impacts: list[impact.Impact], selection: Selection | None, catalog: Catalog) -> str:
    title = (selection.profile.display_name or selection.name) if selection else "the whole catalog"
    lines = [f"# Endpoint impact: {_text(title)}", ""]
    if selection:
        lines += ["Settings:", ""]
        lines += [f"- `{s.domain}` `{s.key}` = {_code(format_value(s.value))}" for s in selection.settings]
        lines.append("")
    lines += [f"**{impact.summary_line(impacts)}.**", ""]
    lines += [f"- **{effect}**: {meaning}" for effect, meaning in EFFECTS.items()]
    lines += ["", "## By setting", "", by_setting_markdown(catalog, selection)]
    for section in catalog.sections:
        rows = [i for i in impacts if i.endpoint.section == section.name]
        lines += [
            "",
            f"## {section.name}",
            "",
            section.about,
            "",
            "| URL | Apps | Type | Effect | Silenced for | Still contacted by | Settings | Evidence | Status |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for i in rows:
            e = i.endpoint
            lines.append(
                f"| `{e.url}` | {', '.join(e.apps) or 'all (no app column)'} | {e.type} | {i.effect} "
                f"| {', '.join(i.silenced_for)} | {', '.join(i.still_contacted_by)} "
                f"| {'<br>'.join(_code(setting_text(s), table=True) for s in i.settings)} | {i.evidence or ''} "
                f"| {_cell(i.status_text) or 'current'} |"
            )
    reasons = dict.fromkeys((i.evidence, i.reason) for i in impacts if i.reason)
    if reasons:
        lines += ["", "## Why", ""]
        lines += [f"- ({evidence}) {_cell(reason)}" for evidence, reason in reasons]
    return "\n".join(lines) + "\n"


def by_setting_markdown(catalog: Catalog, selection: Selection | None = None) -> str:
    lines = ["| Setting | Silences (in part or whole) | Reduces | Breaks |", "|---|---|---|---|"]
    for item in impact.by_setting(catalog, selection):
        values = sorted({format_value(s.value) for s in item.settings})
        silenced = "<br>".join(f"`{i.endpoint.host}` ({i.effect}, {i.endpoint.section})" for i in item.silenced)
        reduced = "<br>".join(f"`{i.endpoint.host}` ({i.endpoint.section})" for i in item.reduced)
        lines.append(
            f"| `{item.preference.key}` = `{'/'.join(values)}` | {silenced or 'nothing'} "
            f"| {reduced or 'nothing'} | {', '.join(item.breaks) or 'nothing documented'} |"
        )
    return "\n".join(lines)


def render(selection: Selection, catalog: Catalog) -> list[Output]:
    impacts = impact.assess(selection, catalog)
    name = selection.name
    return [
        Output(f"{name}-endpoints.md", "endpoints-markdown", as_markdown(impacts, selection, catalog).encode()),
        Output(f"{name}-endpoints.csv", "endpoints-csv", as_csv(impacts).encode()),
        Output(f"{name}-endpoints.json", "endpoints-json", as_json(impacts, selection).encode()),
    ]
