"""The endpoint impact model and its outputs, pinned on concrete rows of the article."""

import csv
import io
import json
import os

import pytest

from profilegen import impact
from profilegen.catalog import Setting
from profilegen.request import TargetOptions
from profilegen.selection import resolve

import seed
from conftest import HUNG, run

# What the article says UseOnlineContent = 0 stops: two hosts and four sections.
UOC_HOSTS = ("odc.officeapps.live.com", "firstpartyapps.oaspapps.com")
UOC_SECTIONS = {"Sign in", "Smart Lookup", "Product activation", "Office Apps (aka add-ins)"}


# The 2016 article's keys, judged on Macs that still read them all.
OLD = TargetOptions(office="16.23", mau="4.11")
AT_2016 = ("--office", "16.23", "--mau", "4.11")


def rows(catalog, **selection):
    chosen = resolve(catalog, target=OLD, **selection) if selection else None
    return impact.assess(chosen, catalog)


def row(impacts, section, url):
    return next(i for i in impacts if i.endpoint.section == section and i.endpoint.url == url)


def test_volume_license_offline_on_concrete_rows(catalog):
    impacts = rows(catalog, preset="volume-license-offline")
    login = row(impacts, "Sign in", "https://login.live.com/")
    assert login.effect == "partly silenced"
    assert login.silenced_for == ("Word", "Excel", "PowerPoint")
    assert login.still_contacted_by == ("Outlook", "OneNote")
    assert login.evidence == "documented"
    assert any((s.key, s.value) == ("UseOnlineContent", 0) for s in login.settings)

    nexus = row(impacts, "First app launch", "https://nexus.officeapps.live.com/")
    assert nexus.effect == "reduced"
    assert nexus.silenced_for == ()
    assert "Heartbeat" in nexus.reason
    assert nexus.still_contacted_by == ("Word", "Excel", "PowerPoint", "Outlook", "OneNote")

    odc = row(impacts, "First app launch", "https://odc.officeapps.live.com/")
    assert (odc.effect, odc.still_contacted_by) == ("partly silenced", ("OneNote",))
    wiki = row(impacts, "First app launch", "https://wikipedia.firstpartyapps.oaspapps.com/")
    assert (wiki.effect, wiki.silenced_for) == ("silenced", ("Word",))
    skype = row(impacts, "First app launch", "https://config.edge.skype.com/")
    assert (skype.effect, skype.evidence, skype.settings) == ("unchanged", None, ())
    safe_links = row(impacts, "Safe Links", "https://*.oscs.protection.outlook.com/")
    assert safe_links.effect == "unchanged"


def test_silences_only_what_the_article_supports(catalog):
    for i in rows(catalog, preset="volume-license-offline"):
        if "silenced" in i.effect:
            assert i.endpoint.section in UOC_SECTIONS or i.endpoint.host.endswith(UOC_HOSTS), i
            assert set(i.silenced_for) <= {"Word", "Excel", "PowerPoint"}
        if i.effect != "unchanged":
            assert i.settings and i.evidence in ("documented", "inferred") and i.reason
        else:
            assert not i.settings and i.evidence is None


def test_use_online_content_acts_only_for_the_apps_where_it_is_set(catalog):
    impacts = rows(catalog, sets=["word:UseOnlineContent=0"])
    login = row(impacts, "Sign in", "https://login.live.com/")
    assert login.silenced_for == ("Word",)
    assert login.still_contacted_by == ("Excel", "PowerPoint", "Outlook", "OneNote")
    assert row(impacts, "Office Apps (aka add-ins)", "https://ajax.microsoft.com/").effect == "silenced"
    assert row(impacts, "Office Apps (aka add-ins)", "https://*.virtualearth.net/").effect == "unchanged"
    assert row(impacts, "Researcher", "https://www.bing.com/").effect == "unchanged"
    for value in ("1", "2"):
        assert impact.summary(rows(catalog, sets=[f"UseOnlineContent={value}"]))["unchanged"] == len(catalog.endpoints)


def test_is_merp_enabled_keeps_crash_reports_going(catalog):
    watson = ("Crash reporting", "https://watson.microsoft.com/")
    off = row(rows(catalog, preset="no-usage-telemetry"), *watson)
    assert off.effect == "reduced"
    assert (off.settings[0].key, off.settings[0].value) == ("SendAllTelemetryEnabled", False)
    merp = row(rows(catalog, preset="no-usage-telemetry", sets=["IsMerpEnabled=true"]), *watson)
    assert (merp.effect, merp.settings) == ("unchanged", ())
    crash = row(rows(catalog, preset="crash-reports-only"), *watson)
    assert crash.effect == "reduced"
    assert crash.settings == (Setting("com.microsoft.errorreporting", "IsAttachFilesEnabled", False),)
    # IsMerpEnabled false changes nothing on its own.
    assert impact.summary(rows(catalog, sets=["IsMerpEnabled=false"]))["unchanged"] == len(catalog.endpoints)


def test_manual_updates_is_an_inferred_reduction(catalog):
    impacts = [i for i in rows(catalog, preset="manual-updates") if i.effect != "unchanged"]
    # the article's update hosts, and those Microsoft named since: the 2024 row and AutoUpdate's download host
    assert {i.endpoint.host for i in impacts} == {
        "officecdn.microsoft.com",
        "officecdn-microsoft-com.akamaized.net",
        "officecdnmac.microsoft.com",
        "res.public.onecdn.static.microsoft",
    }
    assert {(i.effect, i.evidence) for i in impacts} == {("reduced", "inferred")}


@pytest.mark.reference
def test_json_rows_match_the_seed_row_for_row(tmp_path):
    result = run("build", "-p", "volume-license-offline", *AT_2016, "-o", tmp_path, "--json")
    assert result.returncode == 0, result.stderr
    kinds = {f["kind"] for f in json.loads(result.stdout)["files"]}
    assert {"endpoints-markdown", "endpoints-csv", "endpoints-json", "proxy-allow", "proxy-block"} <= kinds
    data = json.loads((tmp_path / "volume-license-offline-endpoints.json").read_text())
    documented = [(r["section"], r["url"], sorted(r["apps"]), r["type"]) for r in seed.rows()]
    article = [r for r in data["endpoints"] if r["source"] == "article-2016"]
    assert [(r["section"], r["url"], sorted(r["apps"]), r["type"]) for r in article] == documented
    for r in data["endpoints"]:
        assert {
            "section",
            "url",
            "apps",
            "type",
            "description",
            "effect",
            "silenced_for",
            "still_contacted_by",
            "settings",
            "evidence",
        } <= set(r)
    assert data["summary"]["partly silenced"] == sum(r["effect"] == "partly silenced" for r in data["endpoints"])

    table = list(csv.DictReader(io.StringIO((tmp_path / "volume-license-offline-endpoints.csv").read_text())))
    assert [(r["url"], r["effect"]) for r in table] == [(r["url"], r["effect"]) for r in data["endpoints"]]
    markdown = (tmp_path / "volume-license-offline-endpoints.md").read_text()
    assert markdown.count("\n| `https://") == len(data["endpoints"])
    assert "## By setting" in markdown and "partly silenced" in markdown


def test_proxy_lists(tmp_path, catalog):
    assert run("build", "-p", "volume-license-offline", *AT_2016, "-o", tmp_path, "-f", "proxy-lists").returncode == 0
    allow_text = (tmp_path / "volume-license-offline-proxy-allow.txt").read_text()
    block_text = (tmp_path / "volume-license-offline-proxy-block.txt").read_text()
    for text in (allow_text, block_text):
        assert "403" in text and "407" in text
    allow = [line for line in allow_text.splitlines() if line and not line.startswith("#")]
    block = [line for line in block_text.splitlines() if line and not line.startswith("#")]
    web = [line.removeprefix("# ") for line in block_text.split("Uncomment a line")[1].splitlines()[1:]]
    assert not set(allow) & set(block + web)
    assert set(allow) | set(block) | set(web) == {e.host for e in catalog.endpoints}
    shared = {e.host for e in catalog.endpoints if e.shared}
    assert set(web) <= shared and not set(block) & shared  # shared hosts are never blocked unasked
    assert "login.live.com" in allow  # Outlook and OneNote still sign in
    assert "nexus.officeapps.live.com" in allow  # heartbeat
    assert "*.wikipedia.org" in web and "appsforoffice.microsoft.com" in block
    assert "ajax.aspnetcdn.com" in allow  # silenced for add-ins, still loaded at first launch
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "volume-license-offline-probe.sh",
        "volume-license-offline-proxy-allow.txt",
        "volume-license-offline-proxy-block.txt",
        "volume-license-offline.manifest.json",
    ]


def test_endpoints_command(catalog):
    whole = json.loads(run("endpoints", "--json").stdout)
    assert len(whole["endpoints"]) == len(catalog.endpoints)
    assert {r["effect"] for r in whole["endpoints"]} == {"unchanged"}
    offline = list(
        csv.DictReader(io.StringIO(run("endpoints", "-p", "volume-license-offline", *AT_2016, "--csv").stdout))
    )
    assert len(offline) == len(catalog.endpoints)
    assert {r["effect"] for r in offline if r["url"].startswith("https://login.")} == {"partly silenced"}
    table = run("endpoints", "-p", "volume-license-offline")
    assert table.returncode == 0 and "Sign in" in table.stdout and "partly silenced" in table.stdout
    markdown = run("endpoints", "--set", "HowToCheck=Manual", "--markdown").stdout
    assert markdown.startswith("# Endpoint impact")
    both = run("endpoints", "--json", "--csv")
    assert both.returncode == 2 and "Traceback" not in both.stderr
    bad = run("endpoints", "-p", "nope")
    assert bad.returncode == 1 and bad.stderr.startswith("Error: unknown preset 'nope'")


def test_endpoint_table_fits_80_columns_with_whole_hostnames(catalog):
    text = run("endpoints", "-p", "volume-license-offline", *AT_2016, env={**os.environ, "COLUMNS": "80"}).stdout
    lines = text.splitlines()
    assert max(map(len, lines)) <= 80
    words = {w for line in lines for w in line.split()}
    assert {e.host for e in catalog.endpoints} <= words  # each hostname whole, ready for a proxy rule
    crash = [
        s
        for s in catalog.sections
        if s.who and "watson.microsoft.com" in {e.host for e in catalog.endpoints if e.section == s.name}
    ]
    assert crash and f"contacted by {crash[0].who}" in " ".join(text.split())
    odc = next(i for i, line in enumerate(lines) if line.split()[:1] == ["odc.officeapps.live.com"])
    assert lines[odc].split()[-2:] == ["partly", "silenced"]
    assert "still N" in lines[odc + 1] and "UseOnlineContent" in lines[odc + 1]  # OneNote still calls it


def test_no_app_rows_name_who_still_contacts_them(catalog):
    rows = [i for i in impact.assess(None, catalog) if not i.endpoint.apps]
    assert rows and all(i.still_contacted_by == (i.endpoint.who,) and i.endpoint.who for i in rows)


def test_endpoint_filters_and_by_host(tmp_path, catalog):
    whole = json.loads(run("endpoints", "-p", "volume-license-offline", *AT_2016, "--json").stdout)["endpoints"]
    outlook = json.loads(
        run(
            "endpoints",
            "-p",
            "volume-license-offline",
            *AT_2016,
            "--json",
            "--app",
            "o",
            "--effect",
            "partly silenced",
            "--effect",
            "silenced",
        ).stdout
    )["endpoints"]
    assert outlook == [
        r for r in whole if (not r["apps"] or "Outlook" in r["apps"]) and r["effect"] in ("silenced", "partly silenced")
    ]
    crash = list(csv.DictReader(io.StringIO(run("endpoints", "--section", "CRASH", "--csv").stdout)))
    assert {r["section"] for r in crash} == {"Crash reporting"} and all(r["still_contacted_by"] for r in crash)
    for args, wrong in (
        (("--effect", "blocked"), "'blocked'"),
        (("--app", "Teams"), "'Teams'"),
        (("--section", "nowhere"), "'nowhere'"),
    ):
        bad = run("endpoints", *args)
        assert bad.returncode == 1 and bad.stderr.startswith("Error: ") and wrong in bad.stderr
        assert len(bad.stderr.splitlines()) == 1

    hosts = json.loads(run("endpoints", "-p", "volume-license-offline", *AT_2016, "--by-host", "--json").stdout)
    hosts = {h["host"]: h for h in hosts["hosts"]}
    assert set(hosts) == {r["host"] for r in whole}
    for host, h in hosts.items():
        effects = {r["effect"] for r in whole if r["host"] == host}
        assert set(h["effects"]) == effects and h["needed"] == (effects != {"silenced"})
    assert {"First app launch", "Office Apps (aka add-ins)"} <= set(hosts["store.office.com"]["sections"])
    assert run("build", "-p", "volume-license-offline", *AT_2016, "-o", tmp_path, "-f", "proxy-lists").returncode == 0
    allow = [
        line
        for line in (tmp_path / "volume-license-offline-proxy-allow.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert sorted(allow) == sorted(h for h, v in hosts.items() if v["needed"])
    text = run("endpoints", "--by-host", "-p", "volume-license-offline", *AT_2016, env={**os.environ, "COLUMNS": "80"})
    assert max(map(len, text.stdout.splitlines())) <= 80 and f"{len(hosts)} hosts" in text.stdout


def test_settings_impact_view():
    data = {item["key"]: item for item in json.loads(run("settings", "--impact", "--json").stdout)["settings"]}
    uoc = data["UseOnlineContent"]
    assert any(r["url"] == "https://login.live.com/" for r in uoc["silenced"])
    assert "MSA and OrgID sign-in" in uoc["breaks"] and any("online product activation" in b for b in uoc["breaks"])
    assert [r["url"] for r in data["SendAllTelemetryEnabled"]["reduced"]] == [
        "https://nexus.officeapps.live.com/",
        "https://watson.microsoft.com/",
    ]
    assert "| `UseOnlineContent` = `0`" in run("settings", "--impact").stdout  # piped: Markdown
    assert "| `UseOnlineContent` = `0`" in run("settings", "--impact", "--markdown").stdout


@pytest.mark.timing
def test_settings_impact_at_a_terminal_is_text(catalog):
    import pty
    import subprocess
    import sys

    main, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "profilegen", "settings", "--impact"],
        stdout=child,
        stderr=subprocess.PIPE,
        env={**os.environ, "COLUMNS": "80"},
    )
    os.close(child)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    assert proc.wait(timeout=HUNG) == 0
    text = b"".join(chunks).decode().replace("\r\n", "\n")
    assert "<br>" not in text and "|" not in text
    lines = text.splitlines()
    assert max(map(len, lines)) <= 80
    assert "UseOnlineContent = 0" in lines and "login.live.com (partly silenced)" in " ".join(text.split())


def test_script_header_summarises_the_impact(tmp_path):
    assert run("build", "-p", "volume-license-offline", *AT_2016, "-o", tmp_path, "-f", "script").returncode == 0
    head = (tmp_path / "volume-license-offline.sh").read_text().split("\n\n")[0]
    assert "# What it silences: " in head
    assert "#   UseOnlineContent: " in head and "MSA and OrgID sign-in" in head
    counts = json.loads(run("endpoints", "-p", "volume-license-offline", *AT_2016, "--json").stdout)["summary"]
    assert f"{counts['silenced']} silenced, {counts['partly silenced']} partly silenced" in head
