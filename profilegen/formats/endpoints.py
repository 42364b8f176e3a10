"""Renderers of the endpoint impact: Markdown, CSV and JSON tables, proxy host lists and Squid ACLs."""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
from pathlib import Path

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
PROXY_ADVICE = (
    "# Microsoft's advice for proxies and firewalls: answer a blocked request with a 40X\n"
    "# (403 or 404) rather than dropping the connection; Office then gives up quickly\n"
    "# instead of retrying. A proxy that needs authentication should answer 407; Office\n"
    "# builds 15.27 and later handle NTLM and Kerberos proxies.\n"
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
    import re

    flat = html.escape(" ".join(text.split()), quote=False)
    return re.sub(r"([\\`*_{}\[\]()#+!|~>-])", r"\\\1", flat)


def _code(text: str, table: bool = False) -> str:
    """A value in a Markdown code span, whatever backticks it holds (and bars, in a table cell)."""
    import re

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


def _legacy(selection: Selection) -> bool:
    return bool(selection.target and selection.target.include_legacy)


def left_out_note(impacts: list[impact.Impact], selection: Selection, mark: str = "#") -> str:
    """Comment lines naming the hosts left out as legacy or retired for the target, and why."""
    gone = impact.left_out(impacts, _legacy(selection))
    if not gone:
        return ""
    return (
        f"{mark} Left out: the target no longer contacts these (profilegen --include-legacy keeps them).\n"
        + "".join(f"{mark}   {line}\n" for line in gone)
    )


def proxy_lists(impacts: list[impact.Impact], selection: Selection) -> tuple[str, str]:
    needed, blocked, web = impact.hosts(impacts, _legacy(selection))
    where = f"# For: {selection.profile.identifier} ({impact.summary_line(impacts)}).\n"
    allow = (
        "# Hosts Office for Mac still contacts under this selection: allow them.\n"
        "# One hostname pattern per line, wildcards as Microsoft documents them.\n"
        + where
        + PROXY_ADVICE
        + left_out_note(impacts, selection)
        + "".join(f"{h}\n" for h in needed)
    )
    block = (
        "# Hosts no documented Office for Mac app contacts under this selection: candidates to block.\n"
        "# A host that any app still needs is left out. One hostname pattern per line.\n"
        + where
        + PROXY_ADVICE
        + "".join(f"{h}\n" for h in blocked)
    )
    if web:
        block += (
            "\n# Shared with the web: browsers and other programs use these too, so a proxy can't block\n"
            "# them for Office alone. Uncomment a line only to block the host for every program.\n"
            + "".join(f"# {h}\n" for h in web)
        )
    return allow, block


def squid_acl(pattern: str) -> tuple[str, str]:
    """(ACL type, value) matching what the article's host pattern means: `*.example.com` is
    example.com's subdomains (Squid's `.example.com`, which takes example.com too); a `*` inside
    a label stands for part of that one label, so a regular expression."""
    if "*" not in pattern:
        return "dstdomain", pattern
    if pattern.startswith("*.") and "*" not in pattern[2:]:
        return "dstdomain", pattern[1:]
    return "dstdom_regex", "^" + pattern.replace(".", r"\.").replace("*", "[^.]*") + "$"


def _squid_acls(name: str, hosts: list[str]) -> list[str]:
    """ACL `name` for hosts. Squid takes one type per ACL, so names and patterns are two ACLs joined
    by any-of; a name a `.domain` entry of the list already covers is left out, as Squid refuses
    overlapping dstdomain entries."""
    acls = [squid_acl(h) for h in hosts]
    domains = {v for kind, v in acls if kind == "dstdomain" and v.startswith(".")}
    names = [
        v
        for kind, v in acls
        if kind == "dstdomain" and not any(v != d and (v.endswith(d) or "." + v == d) for d in domains)
    ]
    patterns = [v for kind, v in acls if kind == "dstdom_regex"]
    if not patterns:
        return [f"acl {name} dstdomain {v}" for v in names]
    return [
        *(f"acl {name}_names dstdomain {v}" for v in names),
        *(f"acl {name}_patterns dstdom_regex -i {v}" for v in patterns),
        f"acl {name} any-of {name}_names {name}_patterns" if names else f"acl {name} any-of {name}_patterns",
    ]


def squid_conf(impacts: list[impact.Impact], selection: Selection) -> str:
    """A Squid snippet to include before the site's own http_access rules: it answers the hosts no
    documented app still needs with 403, as the article asks, and names the ones Office needs."""
    needed, blocked, web = impact.hosts(impacts, _legacy(selection))
    lines = [
        f"# Squid ACLs for {selection.profile.identifier}, written by profilegen.",
        f"# {impact.summary_line(impacts)}.",
        *left_out_note(impacts, selection).splitlines(),
        "# Include this file above your own http_access rules (include /etc/squid/conf.d/THIS.conf).",
        "# Squid answers a request it denies with 403, which is what Microsoft asks of a proxy:",
        "# Office then gives up at once instead of retrying, as it does when a connection is dropped.",
        "",
        "# Hosts Office for Mac still contacts under this selection. Allow them for your clients,",
        "# for example: http_access allow localnet office_needed",
        *_squid_acls("office_needed", needed),
    ]
    if blocked:
        lines += [
            "",
            "# Hosts no documented Office for Mac app contacts under this selection.",
            *_squid_acls("office_silenced", blocked),
            "http_access deny office_silenced",
        ]
    if web:
        lines += [
            "",
            "# Shared with the web: browsers and other programs use these too, so denying them",
            "# denies them to every program. Uncomment these lines only if that is what you want.",
            *(f"# {line}" for line in _squid_acls("office_shared", web)),
            "# http_access deny office_shared",
        ]
    return "\n".join(lines) + "\n"


def render_squid(selection: Selection, catalog: Catalog) -> list[Output]:
    conf = squid_conf(impact.assess(selection, catalog), selection)
    return [Output(f"{selection.name}-squid.conf", "squid", conf.encode())]


# The local network never goes to the proxy: plain names, localhost, .local (mDNS), and IPv4 and
# IPv6 loopback, private and link-local addresses. An address is judged only when the host is one
# (isInNet on a name would look it up in DNS, on every request).
PAC_LOCAL = """
function isLocal(host) {
  var h = host.replace(/^\\[|\\]$/g, "");
  if (h.indexOf(":") >= 0) {
    // IPv6: loopback, link-local fe80::/10, unique local fc00::/7
    return h === "::1" || /^fe[89ab][0-9a-f]?:/.test(h) || /^f[cd][0-9a-f]{0,2}:/.test(h);
  }
  if (/^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$/.test(h)) {
    return isInNet(h, "10.0.0.0", "255.0.0.0") || isInNet(h, "172.16.0.0", "255.240.0.0") ||
      isInNet(h, "192.168.0.0", "255.255.0.0") || isInNet(h, "169.254.0.0", "255.255.0.0") ||
      isInNet(h, "127.0.0.0", "255.0.0.0");
  }
  return isPlainHostName(h) || h === "localhost" || dnsDomainIs(h, ".local");
}
"""


def pac(impacts: list[impact.Impact], selection: Selection) -> str:
    """A proxy auto-config file. The local network goes DIRECT first, always. Then, in direct mode,
    the hosts Office still needs go DIRECT and every other host to the proxy, which answers the
    silenced ones with 403 (see the squid format); in proxy mode everything goes to the proxy,
    which enforces the lists. The article's wildcards become shExpMatch patterns; a `*` inside a
    label must stay in that label, so those also keep the pattern's number of labels."""
    direct = selection.pac_mode == "direct"
    needed = impact.hosts(impacts, _legacy(selection))[0] if direct else []
    names = [h for h in needed if "*" not in h]
    patterns = [[h, not h.startswith("*.") or "*" in h[2:]] for h in needed if "*" in h]
    what = (
        "// The local network goes DIRECT; so do the hosts Office for Mac still contacts under this\n"
        "// selection. Every other host goes to the proxy, which should answer the silenced ones with\n"
        "// 403 or 404 rather than drop them.\n"
        if direct
        else "// The local network goes DIRECT; everything else goes to the proxy, which enforces the\n"
        "// allow and block lists of the same build (answering blocked hosts with 403 or 404).\n"
    )
    return (
        f"// Proxy auto-config for {selection.profile.identifier}, written by profilegen ({selection.pac_mode} mode).\n"
        f"// {impact.summary_line(impacts)}.\n"
        + what
        + (left_out_note(impacts, selection, "//") if direct else "")
        + f"var OFFICE_DIRECT = {json.dumps(names, indent=2)};\n"
        "// [pattern, true where the * is inside a label and so can't stand for a dot]\n"
        f"var OFFICE_DIRECT_PATTERNS = {json.dumps(patterns)};\n"
        f"var PROXY = {json.dumps('PROXY ' + (selection.pac_proxy or ''))};\n" + PAC_LOCAL + "\n"
        "function FindProxyForURL(url, host) {\n"
        "  host = host.toLowerCase();\n"
        '  if (isLocal(host)) return "DIRECT";\n'
        "  for (var i = 0; i < OFFICE_DIRECT.length; i++) {\n"
        '    if (host === OFFICE_DIRECT[i]) return "DIRECT";\n'
        "  }\n"
        "  for (var j = 0; j < OFFICE_DIRECT_PATTERNS.length; j++) {\n"
        "    var pattern = OFFICE_DIRECT_PATTERNS[j][0];\n"
        "    if (shExpMatch(host, pattern) &&\n"
        '        (!OFFICE_DIRECT_PATTERNS[j][1] || host.split(".").length === pattern.split(".").length)) {\n'
        '      return "DIRECT";\n'
        "    }\n"
        "  }\n"
        "  return PROXY;\n"
        "}\n"
    )


def render_pac(selection: Selection, catalog: Catalog) -> list[Output]:
    """Nothing without --pac-proxy: a PAC file must name its proxy, and none is made up."""
    if not selection.pac_proxy:
        return []
    return [Output(f"{selection.name}.pac", "pac", pac(impact.assess(selection, catalog), selection).encode())]


def render(selection: Selection, catalog: Catalog) -> list[Output]:
    impacts = impact.assess(selection, catalog)
    name = selection.name
    return [
        Output(f"{name}-endpoints.md", "endpoints-markdown", as_markdown(impacts, selection, catalog).encode()),
        Output(f"{name}-endpoints.csv", "endpoints-csv", as_csv(impacts).encode()),
        Output(f"{name}-endpoints.json", "endpoints-json", as_json(impacts, selection).encode()),
    ]


PROBE = Path(__file__).with_name("probe.sh")


def probe_script(impacts: list[impact.Impact], selection: Selection) -> str:
    """A POSIX sh script that asks each host of both lists through the proxy and says whether the
    proxy treats it as the article asks. A wildcard names no host to ask: it is listed as skipped,
    as are the shared hosts, which a site may well leave open."""
    from profilegen.formats.script import comment

    needed, blocked, web = impact.hosts(impacts, _legacy(selection))
    calls, skipped = [], []
    for expect, hosts in (("needed", needed), ("blocked", blocked)):
        for host in hosts:
            if "*" in host:
                skipped.append(host)
            elif re.fullmatch(r"[A-Za-z0-9.-]+", host):
                calls.append(f"probe {host} {expect}")
    notes = [
        f"note {shlex.quote(text)}"
        for text in (
            f"a wildcard names no host to ask: {' '.join(skipped)}" if skipped else "",
            f"shared with the web, so blocking them is up to you: {' '.join(sorted(web))}" if web else "",
        )
        if text
    ]
    header = comment(
        f"Probe for {selection.profile.identifier}, written by profilegen: does the proxy let "
        "through the hosts Office for Mac still needs, and answer the silenced ones with 403 or 404?"
    )
    text = PROBE.read_text(encoding="utf-8")
    return text.replace("@HEADER@", header).replace("# @HOSTS@", "\n".join([*notes, *calls]))


def render_proxy_lists(selection: Selection, catalog: Catalog) -> list[Output]:
    impacts = impact.assess(selection, catalog)
    allow, block = proxy_lists(impacts, selection)
    return [
        Output(f"{selection.name}-proxy-allow.txt", "proxy-allow", allow.encode()),
        Output(f"{selection.name}-proxy-block.txt", "proxy-block", block.encode()),
        Output(f"{selection.name}-probe.sh", "probe", probe_script(impacts, selection).encode(), executable=True),
    ]
