"""The endpoint impact model and its outputs, pinned on concrete rows of the article."""

import csv
import io
import json
import os

import pytest

from profilegen.catalog.model import Setting
from profilegen.catalog.values import Version
from profilegen.core import impact
from profilegen.core.request import TargetOptions
from profilegen.core.selection import resolve

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
        if i.endpoint.host == "watson.microsoft.com":
            # SendAllTelemetryEnabled = false in every app's domain: no app reports crashes.
            assert (i.effect, i.still_contacted_by) == ("silenced", ())
            assert "SendAllTelemetryEnabled" in {s.key for s in i.settings}
        elif "silenced" in i.effect:
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
    assert (off.effect, off.silenced_for) == ("silenced", ("Word", "Excel", "PowerPoint", "Outlook", "OneNote"))
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
    # Every host is in one list, but a retired one (officecdnmac), which the allow-list names as left out.
    retired = {"officecdnmac.microsoft.com"}
    assert set(allow) | set(block) | set(web) == {e.host for e in catalog.endpoints} - retired
    assert "# Left out: the target no longer contacts these" in allow_text
    assert "#   officecdnmac.microsoft.com: retired from 2026-08-01 (mc1268926, medium)" in allow_text
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
    by_who = [i for i in rows if not i.endpoint.contacted_by]
    assert by_who and all(i.still_contacted_by == (i.endpoint.who,) and i.endpoint.who for i in by_who)
    # Crash reporting names the apps in its text: each app reports its own crashes.
    watson = next(i for i in rows if i.endpoint.host == "watson.microsoft.com")
    assert watson.still_contacted_by == ("Word", "Excel", "PowerPoint", "Outlook", "OneNote")


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
        assert set(h["effects"]) == effects and h["needed"] == (effects != {"silenced"} and not h["status"])
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
    assert [r["url"] for r in data["SendAllTelemetryEnabled"]["reduced"]] == ["https://nexus.officeapps.live.com/"]
    # Set in every app's domain, it stops every app's crash reports.
    assert [r["url"] for r in data["SendAllTelemetryEnabled"]["silenced"]] == ["https://watson.microsoft.com/"]
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


def test_crash_reports_stop_per_app_and_watson_is_silenced_only_when_every_app_is_covered(catalog, tmp_path):
    watson = ("Crash reporting", "https://watson.microsoft.com/")
    apps = ("Word", "Excel", "PowerPoint", "Outlook", "OneNote")
    word = row(rows(catalog, sets=["word:SendAllTelemetryEnabled=false"]), *watson)
    assert (word.effect, word.silenced_for, word.still_contacted_by) == ("partly silenced", ("Word",), apps[1:])
    each = [f"{a.lower()}:SendAllTelemetryEnabled=false" for a in apps]
    assert row(rows(catalog, sets=each), *watson).effect == "silenced"
    merp = row(rows(catalog, sets=[*each, "IsMerpEnabled=true"]), *watson)
    assert (merp.effect, merp.still_contacted_by) == ("unchanged", apps)
    # The current Office doesn't read the per-app key (reported as ignored from 16.28): no effect.
    current = impact.assess(resolve(catalog, sets=each), catalog)
    assert row(current, *watson).effect == "unchanged"
    # The text table names exactly the apps that still report.
    text = run("endpoints", *AT_2016, "--set", "word:SendAllTelemetryEnabled=false", "--section", "crash").stdout
    assert "still XPON" in text
    # Two selections that differ only in Outlook's key: diff shows the watson row changing.
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    a.write_text("[settings.word]\nSendAllTelemetryEnabled = false\n")
    b.write_text(
        "[settings.word]\nSendAllTelemetryEnabled = false\n[settings.outlook]\nSendAllTelemetryEnabled = false\n"
    )
    diff = run("diff", a, b, *AT_2016, "--json")
    assert diff.returncode == 1
    changed = [r for r in json.loads(diff.stdout)["endpoints"] if r["url"] == "https://watson.microsoft.com/"]
    assert changed and changed[0]["a"] == "partly silenced" and changed[0]["b"] == "partly silenced"
    assert "Outlook" in changed[0]["still_contacted_by_a"] and "Outlook" not in changed[0]["still_contacted_by_b"]


def test_a_retired_host_is_labelled_and_left_out_of_allow_lists_unless_asked(catalog, tmp_path):
    gone = "officecdnmac.microsoft.com"
    rows_ = json.loads(run("endpoints", "--json").stdout)["endpoints"]
    row_ = next(r for r in rows_ if r["host"] == gone)
    assert row_["status"] == "retired" and row_["status_source"]["source"] == "mc1268926"
    assert row_["status_text"] == "retired from 2026-08-01 (mc1268926, medium)"
    assert next(r for r in rows_ if r["host"] == "res.public.onecdn.static.microsoft")["status"] == "current"
    text = run("endpoints", "--section", "install", env={**os.environ, "COLUMNS": "80"}).stdout
    assert "retired from 2026-08-01 (mc1268926, medium)" in text
    for extra, kept in (((), False), (("--include-legacy",), True)):
        out = tmp_path / str(kept)
        args = ("build", "-p", "no-usage-telemetry", "-o", out, "-f", "proxy-lists,squid,pac")
        assert run(*args, "--pac-proxy", "proxy.example.com:3128", *extra).returncode == 0
        allow = (out / "no-usage-telemetry-proxy-allow.txt").read_text().splitlines()
        assert (gone in allow) == kept
        squid = (out / "no-usage-telemetry-squid.conf").read_text()
        assert (f"dstdomain {gone}\n" in squid) == kept
        assert (f'"{gone}"' in (out / "no-usage-telemetry.pac").read_text()) == kept
    # Legacy for the AutoUpdate that downloads from the new host: judged against the target.
    legacy = next(s for s in next(e for e in catalog.endpoints if e.host == gone).statuses if s.word == "legacy")
    assert not legacy.applies({"office": catalog.current()["office"], "autoupdate": Version("4.79")})
    assert legacy.applies({"office": catalog.current()["office"], "autoupdate": Version("4.80")})


def test_microsoft_365_wide_domains_are_rows_with_their_source(catalog):
    wide = {e.host: e for e in catalog.endpoints if e.scope == "microsoft-365"}
    assert set(wide) == {"*.cloud.microsoft", "*.static.microsoft", "*.usercontent.microsoft"}
    assert {e.source for e in wide.values()} == {"urls-and-ip-address-ranges"}
    assert all(e.section == e.cited.section == "Microsoft 365 Unified Domains" for e in wide.values())
