"""Renderers for proxies and firewalls, from the endpoint impact: host lists to allow and to block
with a probe that tests the proxy, Squid ACLs, and a proxy auto-config (PAC) file.

Microsoft asks a proxy to answer a blocked host with 40X rather than drop it; every output
says so, and the probe checks it. Rows the target no longer contacts are left out, and named.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from profilegen.catalog.model import Catalog
from profilegen.core import impact
from profilegen.core.registry import Output
from profilegen.core.selection import Selection
from profilegen.formats.script import comment

PROXY_ADVICE = (
    "# Microsoft's advice for proxies and firewalls: answer a blocked request with a 40X\n"
    "# (403 or 404) rather than dropping the connection; Office then gives up quickly\n"
    "# instead of retrying. A proxy that needs authentication should answer 407; Office\n"
    "# builds 15.27 and later handle NTLM and Kerberos proxies.\n"
)


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


PROBE = Path(__file__).with_name("probe.sh")


def probe_script(impacts: list[impact.Impact], selection: Selection) -> str:
    """A POSIX sh script that asks each host of both lists through the proxy and says whether the
    proxy treats it as the article asks. A wildcard names no host to ask: it is listed as skipped,
    as are the shared hosts, which a site may well leave open."""
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
