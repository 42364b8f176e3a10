"""The report to share: one self-contained HTML page of the endpoint impact, for the network or
security team. Nothing in it is fetched (its Content-Security-Policy forbids it); it filters by
effect, app and section in the page, or from the address (`#effect=silenced&app=Word`)."""

from __future__ import annotations

from html import escape

from profilegen import impact, target
from profilegen.catalog import EFFECTS, Catalog, format_value
from profilegen.render import Output
from profilegen.selection import Selection

STYLE = """
body { font: 14px/1.4 -apple-system, "Helvetica Neue", Arial, sans-serif; margin: 2em; color: #111; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: .3em .5em; text-align: left; vertical-align: top; }
td.host { font-family: ui-monospace, Menlo, monospace; white-space: nowrap; }
tr.silenced td.effect { background: #fbd5d5; }
tr.partly-silenced td.effect { background: #feecc8; }
tr.reduced td.effect { background: #d5ecfb; }
tr.unchanged td.effect { color: #666; }
.warnings li { margin-bottom: .3em; }
form { margin: 1em 0; }
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
document.querySelectorAll("select").forEach(function (s) { s.addEventListener("change", apply); });
window.addEventListener("hashchange", fromAddress);
fromAddress();
"""


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
    for i in impacts:
        e = i.endpoint
        rows.append(
            f'<tr class="{i.effect.replace(" ", "-")}" data-effect="{escape(i.effect)}" '
            f'data-section="{escape(e.section)}" data-apps="{escape(",".join(e.apps))}" data-url="{escape(e.url)}">'
            f'<td>{escape(e.section)}</td><td class="host">{escape(e.host)}</td>'
            f"<td>{escape(', '.join(e.apps) or 'not given')}</td><td>{escape(e.type)}</td>"
            f'<td class="effect">{escape(i.effect)}</td><td>{escape(", ".join(i.still_contacted_by))}</td>'
            f"<td>{'<br>'.join(escape(f'{s.domain} {s.key} = {format_value(s.value)}') for s in i.settings)}</td>"
            f'<td class="status">{escape(i.status_text or "current")}</td></tr>'
        )
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">",
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
            f"<h1>{escape(title)}</h1>",
            f"<p>Profile <code>{escape(selection.profile.identifier or '')}</code>"
            + (
                f", for Office {escape(str(selection.target.office))} "
                f"and AutoUpdate {escape(str(selection.target.autoupdate))}"
                if selection.target
                else ""
            )
            + ".</p>",
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
            "<table><thead><tr><th>Section</th><th>Host</th><th>Apps</th><th>Type</th><th>Effect</th>"
            "<th>Still contacted by</th><th>Settings</th><th>Status</th></tr></thead><tbody>",
            *rows,
            "</tbody></table>",
            '<p>Apps "not given": the article\'s table for that section has no app column. '
            "Type: ST static, SS semi-static, CS configuration service.</p>",
            f"<script>{SCRIPT}</script></body></html>",
            "",
        ]
    )


def render(selection: Selection, catalog: Catalog) -> list[Output]:
    return [Output(f"{selection.name}-report.html", "report-html", page(selection, catalog).encode())]
