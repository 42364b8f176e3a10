"""Proxy outputs, checked by the proxy itself where it is installed: Squid parses the ACLs, and a
Squid on 127.0.0.1 answers the hosts the build says are silenced with 403, as the article asks."""

import html
import http.client
import json
import os
import re
import shutil
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from profilegen.formats.proxy import squid_acl

from conftest import HUNG, run

AT_2016 = ("--office", "16.23", "--mau", "4.11")
SHELLCHECK = Path(sys.executable).with_name("shellcheck")
# Hosts that must get through: needed ones (plain and by wildcard), and a shared one the admin decides on.
THROUGH = (
    "login.live.com",
    "nexus.officeapps.live.com",
    "en-us-contentstorage.osi.office.net",
    "az123.vo.msecnd.net",
    "en.wikipedia.org",
)


def build_squid(tmp_path):
    out = tmp_path / "out"
    assert run("build", "-p", "volume-license-offline", *AT_2016, "-o", out, "-f", "squid,proxy-lists").returncode == 0
    return out


def listed(path) -> list[str]:
    return [line for line in path.read_text().splitlines() if line and not line.startswith("#")]


def test_squid_patterns_mean_what_the_article_means():
    # `*.example.com` is the subdomains: Squid's leading dot.
    assert squid_acl("*.wikipedia.org") == ("dstdomain", ".wikipedia.org")
    assert squid_acl("login.live.com") == ("dstdomain", "login.live.com")
    # A `*` inside a label is part of that label only, never a dot.
    kind, pattern = squid_acl("*-contentstorage.osi.office.net")
    assert kind == "dstdom_regex"
    regex = re.compile(pattern, re.I)
    assert regex.match("en-US-contentstorage.osi.office.net") and regex.match("X-CONTENTSTORAGE.OSI.OFFICE.NET")
    assert not regex.match("a.b-contentstorage.osi.office.net")
    assert not regex.match("x-contentstorage.osi.office.net.evil.example")
    assert not regex.match("x-contentstorageXosi.office.net")  # dots are literal


def test_squid_output_matches_the_proxy_lists(tmp_path):
    out = build_squid(tmp_path)
    conf = (out / "volume-license-offline-squid.conf").read_text()
    block = listed(out / "volume-license-offline-proxy-block.txt")
    denied = re.findall(r"^acl office_silenced\S* dstdomain (\S+)$", conf, re.M)
    assert sorted(denied) == sorted(h.replace("*.", ".") for h in block)
    assert "\nhttp_access deny office_silenced\n" in conf
    assert "\nhttp_access deny office_shared" not in conf  # shared hosts only commented
    assert "# acl office_shared dstdomain .wikipedia.org" in conf


@pytest.fixture
def squid(tmp_path):
    """A Squid on a free port of 127.0.0.1 with the built ACLs and everything else allowed; every host
    resolves to 127.0.0.1, where nothing listens on 443, so nothing leaves the machine."""
    squid = shutil.which("squid") or shutil.which("squid", path="/usr/sbin:/usr/local/sbin")
    if not squid:
        pytest.skip("squid is not installed (apt-get install squid; .ci/run installs it)")
    out = build_squid(tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = tmp_path / "squid.conf"
    # Squid reads its hosts file after it has dropped root, and pytest's folders are private to us.
    hosts = tempfile.NamedTemporaryFile("w", prefix="profilegen-squid-hosts-")
    hosts.write("".join(f"127.0.0.1 {h}\n" for h in THROUGH))
    hosts.flush()
    os.chmod(hosts.name, 0o644)
    config.write_text(
        f"http_port 127.0.0.1:{port}\npid_filename {tmp_path}/squid.pid\ncache_log /dev/null\naccess_log none\n"
        "cache deny all\nshutdown_lifetime 0 seconds\npinger_enable off\ndns_nameservers 127.0.0.1\n"
        f"dns_timeout 2 seconds\nhosts_file {hosts.name}\n"
        f"include {out}/volume-license-offline-squid.conf\nhttp_access allow all\n"
    )
    parsed = subprocess.run([squid, "-k", "parse", "-f", config], capture_output=True, text=True)
    assert parsed.returncode == 0 and "WARNING" not in parsed.stderr.upper(), parsed.stderr
    server = subprocess.Popen([squid, "-N", "-f", config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # Polled until Squid listens: a bound for one that never does, not a guess at when it will.
        deadline = time.monotonic() + HUNG
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=5).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "Squid didn't start"
                time.sleep(0.05)
        yield out, port
    finally:
        server.terminate()
        server.wait(timeout=HUNG)
        hosts.close()


def connect(port: int, host: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=HUNG)
    try:
        conn.request("CONNECT", f"{host}:443")
        return conn.getresponse().status
    finally:
        conn.close()


@pytest.mark.timing
def test_squid_answers_silenced_hosts_with_403(squid):
    out, port = squid
    for host in listed(out / "volume-license-offline-proxy-block.txt"):
        assert connect(port, host.replace("*", "any")) == 403, host
    for host in THROUGH:
        assert connect(port, host) != 403, host


# The PAC helper functions as browsers define them (Netscape's, as Mozilla's pac_utils.js has
# them): shExpMatch a shell expression, `*` any run of characters, `?` one; isInNet compares an
# address with a net and mask, and would look a name up in DNS, which here fails the test, as a
# PAC that resolves every host slows every request; myIpAddress the Mac's own address.
PAC_HELPERS = r"""
function shExpMatch(s, p) {
  var re = p.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp("^" + re + "$").test(s);
}
function isPlainHostName(host) { return host.indexOf(".") < 0; }
function dnsDomainIs(host, domain) {
  return host.length >= domain.length && host.substring(host.length - domain.length) === domain;
}
function toInt(ip) {
  var p = ip.split(".");
  return ((+p[0] << 24) >>> 0) + (+p[1] << 16) + (+p[2] << 8) + (+p[3]);
}
function isInNet(host, pattern, mask) {
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(host)) throw new Error("isInNet looked up a name: " + host);
  return ((toInt(host) & toInt(mask)) >>> 0) === ((toInt(pattern) & toInt(mask)) >>> 0);
}
function myIpAddress() { return "10.9.8.7"; }
function dnsResolve(host) { throw new Error("dnsResolve looked up a name: " + host); }
"""


def find_proxy(pac: str, hosts: list[str]) -> dict[str, str]:
    node = shutil.which("node")
    if not node:
        pytest.skip("node is not installed: the PAC file can't be run")
    script = (
        pac
        + PAC_HELPERS
        + f"""
var hosts = {json.dumps(hosts)}, out = {{}};
for (var i = 0; i < hosts.length; i++) out[hosts[i]] = FindProxyForURL("https://" + hosts[i] + "/", hosts[i]);
console.log(JSON.stringify(out));
"""
    )
    done = subprocess.run([node, "-e", script], capture_output=True, text=True, timeout=HUNG)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_pac_sends_needed_hosts_direct_and_the_rest_to_the_proxy(tmp_path):
    out = tmp_path / "out"
    built = run(
        "build",
        "-p",
        "volume-license-offline",
        *AT_2016,
        "-o",
        out,
        "-f",
        "pac,proxy-lists",
        "--pac-proxy",
        "Proxy.Example.com:3128",
    )
    assert built.returncode == 0, built.stderr
    pac = (out / "volume-license-offline.pac").read_text()
    allow = listed(out / "volume-license-offline-proxy-allow.txt")
    block = listed(out / "volume-license-offline-proxy-block.txt")
    concrete = {h: h.replace("*", "any") for h in allow + block}
    answers = find_proxy(
        pac,
        [
            *concrete.values(),
            "LOGIN.LIVE.COM",
            "a.b-contentstorage.osi.office.net",
            "www.example.com",
            "login.live.com.evil.example",
        ],
    )
    for pattern, host in concrete.items():
        assert answers[host] == ("DIRECT" if pattern in allow else "PROXY proxy.example.com:3128"), host
    assert answers["LOGIN.LIVE.COM"] == "DIRECT"
    for host in ("a.b-contentstorage.osi.office.net", "www.example.com", "login.live.com.evil.example"):
        assert answers[host] == "PROXY proxy.example.com:3128", host


def test_pac_needs_a_proxy(tmp_path):
    missing = run("build", "-p", "volume-license-offline", "-o", tmp_path, "-f", "pac")
    assert missing.returncode == 2 and "--pac-proxy" in missing.stderr and "Traceback" not in missing.stderr
    for bad in ("proxy.example.com", "proxy:99999", "http://proxy:8080"):
        wrong = run("build", "-p", "volume-license-offline", "-o", tmp_path, "-f", "pac", "--pac-proxy", bad)
        assert wrong.returncode == 1 and wrong.stderr.startswith(f"Error: --pac-proxy {bad!r} is not valid")
    assert not list(tmp_path.iterdir())
    everything = run("build", "-p", "volume-license-offline", "-o", tmp_path / "all")
    assert everything.returncode == 0 and not list((tmp_path / "all").glob("*.pac"))  # no proxy made up


class StandInProxy(socketserver.ThreadingTCPServer):
    """An HTTP proxy on 127.0.0.1 that only answers CONNECT, each host as `answers` says: a status
    code, "drop" (close without a word) or "hang" (say nothing until the client gives up)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, answers: dict[str, str]):
        self.answers = answers
        super().__init__(("127.0.0.1", 0), StandInHandler)


class StandInHandler(socketserver.StreamRequestHandler):
    def handle(self):
        line = self.rfile.readline().decode()
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
            pass
        host = line.split()[1].rsplit(":", 1)[0] if line.startswith("CONNECT ") else ""
        answer = self.server.answers.get(host, "403")
        if answer == "hang":
            self.rfile.read()  # until the client gives up and closes: its timeout, not ours, decides
        elif answer != "drop":
            extra = 'Proxy-Authenticate: Basic realm="office"\r\n' if answer == "407" else ""
            self.wfile.write(f"HTTP/1.1 {answer} Stand-in\r\n{extra}Content-Length: 0\r\n\r\n".encode())
            self.wfile.flush()
            if answer == "200":
                self.rfile.read(1)  # the client starts TLS, which this stand-in doesn't speak


@pytest.fixture
def probe(tmp_path, pki):
    if not shutil.which("curl"):
        pytest.skip("curl is not installed: the probe needs it, as macOS has it")
    out = tmp_path / "out"
    assert run("build", "-p", "volume-license-offline", *AT_2016, "-o", out, "-f", "proxy-lists").returncode == 0
    script = out / "volume-license-offline-probe.sh"
    allow = [h for h in listed(out / "volume-license-offline-proxy-allow.txt") if "*" not in h]
    block = [h for h in listed(out / "volume-license-offline-proxy-block.txt") if "*" not in h]

    def probe(answers: dict[str, str], *args: str) -> subprocess.CompletedProcess:
        server = StandInProxy(answers)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            env = {k: v for k, v in os.environ.items() if k.lower() not in ("https_proxy", "http_proxy", "all_proxy")}
            # curl reads the system's CA bundle each time it starts TLS (60 ms of CPU a host); the
            # stand-in closes before any certificate is sent, so one certificate does as well.
            env["CURL_CA_BUNDLE"] = str(pki.root_pem)
            # A stand-in on loopback answers in milliseconds; 5 s per host holds on a loaded machine,
            # and is how long a host that says nothing takes.
            return subprocess.run(
                ["sh", script, "--proxy", f"http://127.0.0.1:{server.server_address[1]}", "--timeout", "5", *args],
                capture_output=True,
                text=True,
                timeout=HUNG,
                env=env,
            )
        finally:
            server.shutdown()
            server.server_close()

    return script, allow, block, probe


def results(output: str) -> dict[str, tuple[str, str, str]]:
    """host: (verdict, expected, result) from the probe's table."""
    rows = {}
    for line in output.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[0] in ("ok", "FAIL"):
            rows[parts[3]] = (parts[0], parts[1], parts[2])
    return rows


@pytest.mark.slow
@pytest.mark.timing
def test_probe_passes_a_proxy_that_behaves_as_the_article_asks(probe):
    script, allow, block, call = probe
    assert subprocess.run([str(SHELLCHECK), "-s", "sh", str(script)], capture_output=True).returncode == 0
    done = call({**{h: "200" for h in allow}, **{h: "403" for h in block}})
    assert done.returncode == 0, done.stdout + done.stderr
    rows = results(done.stdout)
    assert set(rows) == set(allow) | set(block)
    assert all(rows[h] == ("ok", "needed", "reachable") for h in allow)
    assert all(rows[h] == ("ok", "blocked", "answered") for h in block)
    wildcards = next(line for line in done.stdout.splitlines() if line.startswith("not probed, a wildcard"))
    assert "*.vo.msecnd.net" in wildcards.split()  # said, not silently left out
    ea = call({**{h: "200" for h in allow}, **{h: "404" for h in block}}, "--jamf-ea")
    assert ea.returncode == 0 and ea.stdout == "<result>Pass</result>\n"


@pytest.mark.slow
@pytest.mark.timing
def test_probe_reports_each_way_a_proxy_gets_it_wrong(probe):
    _, allow, block, call = probe
    answers = {**{h: "200" for h in allow}, **{h: "403" for h in block}}
    wrong = {allow[0]: "407", allow[1]: "403", block[0]: "drop", block[1]: "hang", block[2]: "200"}
    done = call({**answers, **wrong})
    assert done.returncode == 1, done.stdout + done.stderr
    rows = results(done.stdout)
    assert rows[allow[0]] == ("FAIL", "needed", "auth")
    assert rows[allow[1]] == ("FAIL", "needed", "answered")
    assert rows[block[0]] == ("FAIL", "blocked", "dropped")  # Office would keep retrying
    assert rows[block[1]] == ("FAIL", "blocked", "dropped")  # timed out
    assert rows[block[2]] == ("FAIL", "blocked", "reachable")
    assert sum(v[0] == "FAIL" for v in rows.values()) == len(wrong)
    assert done.stdout.rstrip().endswith(f"{len(rows)} hosts probed, {len(wrong)} not as they should be.")
    ea = call({**answers, block[0]: "drop"}, "--jamf-ea")
    assert ea.returncode == 0 and ea.stdout == "<result>Fail: 1</result>\n"


def chromium() -> str:
    found = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
    if not found:
        pytest.skip("no headless Chromium (apt-get install chromium; .ci/run installs it)")
    return found


def rendered(browser: str, page: Path, address: str = "") -> list[tuple[str, str, bool]]:
    """(url, effect, shown) of each row of the page as the browser left it, scripts run."""
    done = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri() + address],
        capture_output=True,
        text=True,
        timeout=HUNG,
    )
    assert done.returncode == 0, done.stderr
    rows = re.findall(r"<tr ([^>]*data-url=[^>]*)>", done.stdout)
    attrs = [dict(re.findall(r'([\w-]+)(?:="([^"]*)")?', row)) for row in rows]
    return [(html.unescape(a["data-url"]), html.unescape(a["data-effect"]), "hidden" not in a) for a in attrs]


@pytest.mark.slow
@pytest.mark.timing
def test_html_report_shows_the_rows_of_endpoints_json_in_a_real_browser(tmp_path):
    browser = chromium()
    built = run("build", "-p", "volume-license-offline", *AT_2016, "-o", tmp_path, "-f", "html")
    assert built.returncode == 0, built.stderr
    page = tmp_path / "volume-license-offline-report.html"
    text = page.read_text()
    # Nothing fetched: links to the sources are there to follow, never loaded.
    assert "default-src 'none'" in text and not re.search(r"""src=["']?(https?:)?//|<link""", text)
    data = json.loads(run("endpoints", "-p", "volume-license-offline", *AT_2016, "--json").stdout)["endpoints"]
    rows = rendered(browser, page)
    assert [(u, e) for u, e, _ in rows] == [(r["url"], r["effect"]) for r in data] and all(s for *_, s in rows)
    assert "UseOnlineContent = 0 in word" in text  # the build's warnings are in the page
    shown = [u for u, _, s in rendered(browser, page, "#effect=partly%20silenced&app=Outlook") if s]
    assert (
        shown
        == [r["url"] for r in data if r["effect"] == "partly silenced" and (not r["apps"] or "Outlook" in r["apps"])]
        and shown
    )


@pytest.mark.timing
def test_probe_refuses_bad_usage_with_one_line(probe):
    script = probe[0]
    for args, wrong in ((("--bogus",), "'--bogus'"), (("--timeout", "soon"), "'soon'")):
        done = subprocess.run(["sh", script, *args], capture_output=True, text=True, timeout=HUNG)
        assert done.returncode == 2 and done.stderr.startswith("Error: ") and wrong in done.stderr
        assert len(done.stderr.splitlines()) == 1 and not done.stdout


# Hosts of every kind a Mac asks its PAC file about, and whether they are the local network.
LOCAL = [
    "intranet", "INTRANET", "localhost", "printer.local", "10.1.2.3", "172.16.0.1", "172.31.255.254",
    "192.168.1.1", "169.254.3.4", "127.0.0.1", "fe80::1", "[fe80::1]", "FE80::1", "fd00::5", "fc12:3::1", "::1",
]  # fmt: skip
REMOTE = [
    "www.example.com", "8.8.8.8", "172.32.0.1", "172.15.255.255", "11.1.2.3", "192.169.0.1", "2001:db8::1",
    "local.example.com", "printer.local.example.com", "fe00::1",
]  # fmt: skip


@pytest.mark.parametrize("mode", ["direct", "proxy"])
def test_pac_sends_the_local_network_direct_in_both_modes(tmp_path, mode):
    out = tmp_path / "out"
    args = ("-o", out, "-f", "pac,proxy-lists", "--pac-proxy", "proxy.example.com:3128", "--pac-mode", mode)
    built = run("build", "-p", "volume-license-offline", *AT_2016, *args)
    assert built.returncode == 0, built.stderr
    pac = (out / "volume-license-offline.pac").read_text()
    allow = [h for h in listed(out / "volume-license-offline-proxy-allow.txt") if "*" not in h]
    answers = find_proxy(pac, [*LOCAL, *REMOTE, *allow])
    proxy = "PROXY proxy.example.com:3128"
    assert {h: answers[h] for h in LOCAL} == dict.fromkeys(LOCAL, "DIRECT")
    assert {h: answers[h] for h in REMOTE} == dict.fromkeys(REMOTE, proxy)
    # Office's own hosts: DIRECT in direct mode; through the proxy, which enforces the lists, in proxy mode.
    assert {answers[h] for h in allow} == {"DIRECT" if mode == "direct" else proxy}
    assert f"({mode} mode)" in pac.splitlines()[0]


def test_pac_mode_is_checked_and_rebuilds_from_its_command(tmp_path):
    wrong = run(
        "build", "-p", "manual-updates", "-o", tmp_path, "-f", "pac", "--pac-proxy", "p.example:1", "--pac-mode", "none"
    )
    assert wrong.returncode == 1 and wrong.stderr.startswith("Error: ") and "'none'" in wrong.stderr
    from profilegen.cli.app import parse

    request = parse(["--pac-proxy", "p.example:1", "--pac-mode", "PROXY"])
    assert request.pac_mode == "proxy" and "--pac-mode proxy" in request.command()


def test_probe_tells_an_unreachable_proxy_from_a_blocked_host(probe):
    script = probe[0]
    with socket.socket() as s:  # a port nothing listens on: bound, never listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        done = subprocess.run(
            ["sh", script, "--proxy", f"http://127.0.0.1:{port}", "--timeout", "5"],
            capture_output=True,
            text=True,
            timeout=HUNG,
        )
    assert done.returncode == 2 and not done.stdout
    assert done.stderr == (
        f"Error: the proxy http://127.0.0.1:{port} can't be reached: it refused the connection, "
        "or nothing listens there (curl exit 7); no host was tried\n"
    )


def test_probe_takes_positive_timeouts_and_jamfs_three_arguments(probe):
    script, allow, block, call = probe
    for bad in ("0", "0.0", "-1", "5s", "1.2.3", ".5", ""):
        done = subprocess.run(["sh", script, "--timeout", bad], capture_output=True, text=True, timeout=HUNG)
        assert done.returncode == 2 and f"--timeout '{bad}' is not valid" in done.stderr, bad
    # Jamf Pro runs a script with mount point, computer and user first, and the options after.
    jamf = call({h: "200" for h in allow}, "--jamf-ea")
    assert jamf.stdout.strip().startswith("<result>")
    with socket.socket() as s:  # bound, never listening: refused
        s.bind(("127.0.0.1", 0))
        proxy = f"http://127.0.0.1:{s.getsockname()[1]}"
        done = subprocess.run(
            ["sh", script, "/", "mac-042", "jane", "--timeout", "2.5", "--proxy", proxy],
            capture_output=True,
            text=True,
            timeout=HUNG,
        )
    assert done.returncode == 2 and "can't be reached" in done.stderr and "unknown option" not in done.stderr


def in_browser(browser: str, page: Path, script: str, width: int = 390) -> object:
    """What `script` (the body of a function of `doc`, the report's document) returns, the report
    shown in headless Chromium in a frame `width` pixels wide, its own scripts run."""
    wrapper = page.parent / "in-browser.html"
    wrapper.write_text(
        f"""<!DOCTYPE html><html><body style="margin:0">
<iframe id="f" src="{page.name}" style="width:{width}px;height:1200px;border:0"></iframe>
<pre id="out">not run</pre>
<script>
var frame = document.getElementById("f");
function measure() {{
  var doc = frame.contentDocument;
  if (!doc || !doc.querySelector("tbody")) return;
  var result;
  try {{ result = (function (doc) {{ {script} }})(doc); }} catch (e) {{ result = "error: " + e; }}
  document.getElementById("out").textContent = JSON.stringify(result);
}}
frame.addEventListener("load", measure);
measure();
</script></body></html>"""
    )
    done = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files",
         "--disable-background-networking", "--no-first-run", "--dump-dom", wrapper.as_uri()],
        capture_output=True, text=True, timeout=HUNG,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    found = re.search(r'<pre id="out">(.*?)</pre>', done.stdout, re.S)
    assert found, done.stdout[-2000:]
    return json.loads(html.unescape(found.group(1)))


@pytest.mark.slow
@pytest.mark.timing
def test_html_report_sorts_links_its_sources_and_fits_a_phone(tmp_path, catalog):
    browser = chromium()
    built = run("build", "-p", "volume-license-offline", *AT_2016, "-o", tmp_path, "-f", "html")
    assert built.returncode == 0, built.stderr
    page = tmp_path / "volume-license-offline-report.html"
    text = page.read_text()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text
    made = re.search(
        r'<p id="made">Made (\S+ \S+ UTC) by profilegen (\S+), from catalog revision <code>(\w+)</code>', text
    )
    assert made and made.group(3) == catalog.revision
    data = json.loads(run("endpoints", "-p", "volume-license-offline", *AT_2016, "--json").stdout)["endpoints"]

    # At 390 px, no sideways scrolling, and each row reads as a card of labelled lines.
    width = in_browser(
        browser,
        page,
        """var td = doc.querySelector("tbody td"), view = doc.defaultView;
        return [doc.documentElement.scrollWidth, doc.documentElement.clientWidth,
                view.getComputedStyle(td).display, view.getComputedStyle(td, "::before").content];""",
    )
    assert width[0] <= width[1] <= 390 and width[2:] == ["block", '"#: "'], width

    # Each heading is a button (a keyboard sorts as a mouse does); Host sorts, twice reverses, # restores.
    order = in_browser(
        browser,
        page,
        """
        var urls = function () { return Array.prototype.map.call(doc.querySelectorAll("tbody tr"),
                                 function (r) { return r.dataset.url; }); };
        var button = function (name) { return Array.prototype.filter.call(doc.querySelectorAll("th button"),
                                       function (b) { return b.textContent === name; })[0]; };
        var all = doc.querySelectorAll("th").length, buttons = doc.querySelectorAll("th > button[type=button]").length;
        var original = urls();
        button("Host").click(); var up = urls(), sort = button("Host").parentNode.getAttribute("aria-sort");
        button("Host").click(); var down = urls();
        button("#").click();
        return {all: all, buttons: buttons, original: original, up: up, sort: sort, down: down, back: urls()};
        """,
        width=1200,
    )
    assert order["all"] == order["buttons"] > 5
    assert order["original"] == order["back"] == [r["url"] for r in data]
    host = {r["url"]: r["host"] for r in data}
    assert [host[u] for u in order["up"]] == sorted((host[u] for u in order["up"]), key=str.casefold)
    assert order["down"] == order["up"][::-1] or [host[u] for u in order["down"]] == sorted(
        (host[u] for u in order["down"]), key=str.casefold, reverse=True
    )
    assert order["sort"] == "ascending"

    # Each effect's evidence, and links to the sources of its rules and of its row.
    rows = in_browser(
        browser,
        page,
        """
        return Array.prototype.map.call(doc.querySelectorAll("tbody tr"), function (r) {
          var cell = function (label) { return r.querySelector('td[data-label="' + label + '"]'); };
          return [r.dataset.url, cell("Evidence").textContent, Array.prototype.map.call(
            r.querySelectorAll("a"), function (a) { return a.getAttribute("href"); })];
        });
        """,
        width=1200,
    )
    urls = {s.url for s in catalog.sources.values()}
    for (url, evidence, links), row in zip(rows, data, strict=True):
        assert url == row["url"]
        assert evidence.startswith(row["evidence"] or "")
        assert set(links) <= urls and catalog.sources[row["source"]].url in links
        for source in row["rule_sources"]:
            assert catalog.sources[source].url in links
