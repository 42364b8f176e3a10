"""The report to share: one self-contained HTML page of the endpoint impact, for the network or
security team. Nothing in it is fetched (its Content-Security-Policy forbids it); it filters by
effect, app and section in the page, or from the address (`#effect=silenced&app=Word`)."""

from __future__ import annotations

import os
import re
from html import escape

from profilegen import __version__
from profilegen.catalog.model import EFFECTS, Catalog
from profilegen.catalog.values import format_value
from profilegen.core import impact, target
from profilegen.core.registry import Output
from profilegen.core.selection import Selection

STYLE = """
body { font: 14px/1.4 -apple-system, "Helvetica Neue", Arial, sans-serif; margin: 2em; color: #111;
       overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: .3em .5em; text-align: left; vertical-align: top; }
th button { font: inherit; font-weight: bold; background: none; border: 0; padding: 0; cursor: pointer;
            text-align: left; color: inherit; }
th button:focus-visible { outline: 2px solid #0a5ad4; }
th[aria-sort=ascending] button::after { content: " \\25B2"; }
th[aria-sort=descending] button::after { content: " \\25BC"; }
td.host { font-family: ui-monospace, Menlo, monospace; }
tr.silenced td.effect { background: #fbd5d5; }
tr.partly-silenced td.effect { background: #feecc8; }
tr.reduced td.effect { background: #d5ecfb; }
tr.unchanged td.effect { color: #666; }
tr[hidden] { display: none !important; }
.warnings li { margin-bottom: .3em; }
form { margin: 1em 0; display: flex; flex-wrap: wrap; gap: .5em 1em; }
@media (max-width: 700px) {
  body { margin: .6em; }
  table, tbody, tr, td { display: block; }
  thead tr { display: flex; flex-wrap: wrap; gap: .2em .8em; }
  thead th { border: 0; padding: .1em 0; }
  tbody tr { border-bottom: 2px solid #bbb; padding: .4em 0; }
  td { border: 0; padding: .05em 0; }
  td::before { content: attr(data-label) ": "; font-weight: bold; }
}
@media print { form { display: none; } body { margin: 0; font-size: 10pt; } tr { break-inside: avoid; } }
"""

SCRIPT = """
function apply() {
  var effect = document.getElementById("effect").value, app = document.getElementById("app").value,
      section = document.getElementById("section").value, shown = 0;
  document.querySelectorAll("tbody tr").forEach(function (row) {
    var keep = (!effect || row.dataset.effect === effect) && (!section || row.dataset.section === section) &&
               (!app || !row.dataset.apps || row.dataset.apps.split(",").indexOf(app) >= 0);
    row.hidden = !keep;
    if (keep) shown++;
  });
  document.getElementById("shown").textContent = shown;
}
function fromAddress() {
  new URLSearchParams(location.hash.slice(1)).forEach(function (value, key) {
    var select = document.getElementById(key);
    if (select) select.value = value;
  });
  apply();
}
// Sorting by a column: its header is a button, so a keyboard sorts as a mouse does; a second
// press reverses; the row number column puts the article's order back.
function sortBy(th) {
  var index = Array.prototype.indexOf.call(th.parentNode.children, th);
  var ascending = th.getAttribute("aria-sort") !== "ascending";
  th.parentNode.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
  th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  var body = document.querySelector("tbody"), rows = Array.prototype.slice.call(body.rows);
  rows.sort(function (a, b) {
    var x = a.cells[index].dataset.sort || a.cells[index].textContent,
        y = b.cells[index].dataset.sort || b.cells[index].textContent;
    return (ascending ? 1 : -1) * x.localeCompare(y, "en", {numeric: true});
  });
  rows.forEach(function (row) { body.appendChild(row); });
}
document.querySelectorAll("th button").forEach(function (b) {
  b.addEventListener("click", function () { sortBy(b.parentNode); });
});
document.querySelectorAll("select").forEach(function (s) { s.addEventListener("change", apply); });
window.addEventListener("hashchange", fromAddress);
fromAddress();
"""

COLUMNS = (
    "#",
    "Section",
    "Host",
    "Apps",
    "Type",
    "Effect",
    "Evidence",
    "Still contacted by",
    "Settings",
    "Status",
    "Sources",
)


def made_at(environ=os.environ) -> str:
    """When the report was made: SOURCE_DATE_EPOCH where a reproducible build sets it, else now."""
    import datetime

    text = environ.get("SOURCE_DATE_EPOCH", "")
    try:
        when = datetime.datetime.fromtimestamp(int(text), datetime.UTC) if re.fullmatch(r"[0-9]+", text) else None
    except (OverflowError, OSError, ValueError):
        when = None
    return (when or datetime.datetime.now(datetime.UTC)).strftime("%Y-%m-%d %H:%M UTC")


def _link(catalog: Catalog, source: str, what: str = "") -> str:
    found = catalog.sources[source]
    return f'<a href="{escape(found.url)}" title="{escape(found.title)}">{escape(what or source)}</a>'


def _select(name: str, label: str, values) -> str:
    options = "".join(f'<option value="{escape(v)}">{escape(v)}</option>' for v in values)
    return f'<label>{label} <select id="{name}"><option value="">any</option>{options}</select></label>'


def page(selection: Selection, catalog: Catalog) -> str:
    impacts = impact.assess(selection, catalog)
    warnings = (
        dict.fromkeys(
            (*selection.warnings, *target.warnings(catalog, selection.settings, selection.target, (), selection.preset))
        )
        if selection.target
        else {}
    )
    title = f"Network impact: {selection.profile.display_name}"
    counts = impact.summary(impacts)
    rows = []
    for n, i in enumerate(impacts, 1):
        e = i.endpoint
        cells = {
            "#": (str(n), f"{n:04d}"),
            "Section": (escape(e.section), None),
            "Host": (escape(e.host), None),
            "Apps": (escape(", ".join(e.apps) or "not given"), None),
            "Type": (escape(e.type), None),
            "Effect": (escape(i.effect), None),
            "Evidence": (
                escape(i.evidence or "")
                + "".join(f" {_link(catalog, source)}" for source in i.sources)
                + (f"<br><small>{escape(i.reason)}</small>" if i.reason else ""),
                escape(i.evidence or "~"),
            ),
            "Still contacted by": (escape(", ".join(i.still_contacted_by)), None),
            "Settings": (
                "<br>".join(escape(f"{s.domain} {s.key} = {format_value(s.value)}") for s in i.settings),
                None,
            ),
            "Status": (
                escape(i.status.word if i.status else "current")
                + (
                    f" {_link(catalog, i.status.evidence.source)}<br><small>{escape(i.status_text)}</small>"
                    if i.status
                    else ""
                ),
                None,
            ),
            "Sources": (_link(catalog, e.source, e.cited.section or e.source), None),
        }
        classes = {"Host": ' class="host"', "Effect": ' class="effect"', "Status": ' class="status"'}
        rows.append(
            f'<tr class="{i.effect.replace(" ", "-")}" data-effect="{escape(i.effect)}" '
            f'data-section="{escape(e.section)}" data-apps="{escape(",".join(e.apps))}" data-url="{escape(e.url)}">'
            + "".join(
                f'<td{classes.get(name, "")} data-label="{escape(name)}"'
                + (f' data-sort="{key}"' if key else "")
                + f">{text}</td>"
                for name, (text, key) in cells.items()
            )
            + "</tr>"
        )
    aim = selection.target
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">",
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
            f"<h1>{escape(title)}</h1>",
            f"<p>Profile <code>{escape(selection.profile.identifier or '')}</code>"
            + (f", for Office {escape(str(aim.office))} and AutoUpdate {escape(str(aim.autoupdate))}" if aim else "")
            + ".</p>",
            f'<p id="made">Made {made_at()} by profilegen {escape(__version__)}, from catalog revision '
            f"<code>{escape(catalog.revision)}</code>. Each effect says whether its source documents it or "
            "profilegen infers it, and links to the sources it rests on.</p>",
            "<h2>Settings</h2><ul>",
            *(
                f"<li><code>{escape(s.domain)}</code> <code>{escape(s.key)}</code> = "
                f"<code>{escape(format_value(s.value))}</code></li>"
                for s in selection.settings
            ),
            "</ul>",
            *(
                ['<h2>Warnings</h2><ul class="warnings">', *(f"<li>{escape(w)}</li>" for w in warnings), "</ul>"]
                if warnings
                else []
            ),
            "<h2>Endpoints</h2>",
            f'<p id="summary">{escape(impact.summary_line(impacts))}.</p><ul>',
            *(
                f"<li><b>{escape(effect)}</b> ({counts[effect]}): {escape(meaning)}</li>"
                for effect, meaning in EFFECTS.items()
            ),
            "</ul>",
            "<form>"
            + " ".join(
                [
                    _select("effect", "Effect", EFFECTS),
                    _select("app", "App", catalog.apps.values()),
                    _select("section", "Section", [s.name for s in catalog.sections]),
                ]
            )
            + ' <span><span id="shown"></span> rows shown</span></form>',
            "<table><thead><tr>"
            + "".join(f'<th scope="col"><button type="button">{escape(name)}</button></th>' for name in COLUMNS)
            + "</tr></thead><tbody>",
            *rows,
            "</tbody></table>",
            '<p>Apps "not given": the article\'s table for that section has no app column. '
            "Type: ST static, SS semi-static, CS configuration service. Sort by a column with its heading.</p>",
            f"<script>{SCRIPT}</script></body></html>",
            "",
        ]
    )


def render(selection: Selection, catalog: Catalog) -> list[Output]:
    return [Output(f"{selection.name}-report.html", "report-html", page(selection, catalog).encode())]
