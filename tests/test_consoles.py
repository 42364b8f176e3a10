"""What each console takes, rebuilds that own their files, and the README's pipelines run for real
against a stand-in Jamf Pro and Microsoft Graph on 127.0.0.1."""

import base64
import hashlib
import json
import os
import plistlib
import re
import shutil
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import HUNG, ROOT, run

ID = ("--identifier", "com.example.office")


def files(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


# --- a build owns what it wrote -----------------------------------------------------------


@pytest.fixture(scope="module")
def signer(tmp_path_factory):
    from pki import PKI

    pki = PKI(tmp_path_factory.mktemp("pki"))
    return pki.leaf("owner")


def test_a_forced_rebuild_leaves_only_its_own_files(tmp_path, signer):
    out = tmp_path / "out"
    first = run(
        "build",
        "-p",
        "volume-license-offline",
        "--name",
        "site",
        "-o",
        out,
        *ID,
        "--sign-cert",
        signer.cert_pem,
        "--sign-key",
        signer.key_pem,
    )
    assert first.returncode == 0, first.stderr
    assert "site.signed.mobileconfig" in files(out) and "site-intune/com.microsoft.Word.plist" in files(out)
    (out / "notes.txt").write_text("mine")
    (out / "site-intune" / "mine.plist").write_text("mine too")
    second = run("build", "-p", "manual-updates", "--name", "site", "-o", out, *ID, "--force", "--json")
    assert second.returncode == 0, second.stderr
    written = {Path(f["path"]).relative_to(out).as_posix() for f in json.loads(second.stdout)["files"]}
    assert set(files(out)) == written | {"notes.txt", "site-intune/mine.plist"}
    manifest = json.loads((out / "site.manifest.json").read_text())
    assert {f["path"] for f in manifest["files"]} == written - {"site.manifest.json"}
    assert not (out / "site.signed.mobileconfig").exists()
    assert "UseOnlineContent" not in (out / "site.mobileconfig").read_text()


def test_a_failed_rebuild_leaves_the_first_build_intact(tmp_path):
    out = tmp_path / "out"
    assert run("build", "-p", "volume-license-offline", "--name", "site", "-o", out, *ID).returncode == 0
    before = {name: (out / name).read_bytes() for name in files(out)}
    invalid = run("build", "-p", "manual-updates", "--name", "site", "-o", out, "--force", "--identifier", "bad id")
    assert invalid.returncode == 1
    (out / "site-jamf" / "com.microsoft.office.plist").mkdir()  # where the next build writes a file
    blocked = run("build", "-p", "most-private-current", "--name", "site", "-o", out, "--force", *ID)
    assert blocked.returncode == 1 and "is not a file" in blocked.stderr
    assert {name: (out / name).read_bytes() for name in files(out)} == before
    assert not [p for p in out.rglob(".profilegen-tmp-*")]


def test_a_manifest_can_not_reach_outside_the_folder_or_through_a_link(tmp_path):
    out, outside = tmp_path / "out", tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("keep")
    digest = hashlib.sha256(b"keep").hexdigest()
    assert run("build", "-p", "manual-updates", "-o", out, *ID).returncode == 0
    (out / "linked").symlink_to(outside)
    manifest = out / "manual-updates.manifest.json"
    original = json.loads(manifest.read_text())
    # A manifest naming a place outside its folder is not one profilegen wrote: one warning, and
    # nothing at all is removed on its word.
    for escape in ("../outside/precious.txt", str(outside / "precious.txt"), "inside.txt/.."):
        data = json.loads(json.dumps(original))
        data["files"].append({"path": escape, "size": 4, "sha256": digest})
        manifest.write_text(json.dumps(data))
        rebuilt = run("build", "-p", "manual-updates", "-o", out, *ID, "--force", "-f", "mobileconfig")
        assert rebuilt.returncode == 0 and (out / "manual-updates.sh").exists()
        assert "nothing is removed on its word" in rebuilt.stderr and "removed " not in rebuilt.stdout
        assert (outside / "precious.txt").read_text() == "keep"
    # Through a link, even with the right content: never.
    data = json.loads(json.dumps(original))
    data["files"].append({"path": "linked/precious.txt", "size": 4, "sha256": digest})
    manifest.write_text(json.dumps(data))
    rebuilt = run("build", "-p", "manual-updates", "-o", out, *ID, "--force", "-f", "mobileconfig")
    assert rebuilt.returncode == 0 and (outside / "precious.txt").read_text() == "keep"
    assert not (out / "manual-updates.sh").exists()  # it did remove what the earlier build wrote
    assert "removed manual-updates.sh" in rebuilt.stdout.splitlines()


# --- consoles -----------------------------------------------------------------------------------


def test_target_jamf_writes_the_mcx_profile_plists_and_schemas_without_defaults(tmp_path, catalog):
    result = run("build", "-p", "required-data-only", "--target", "jamf", "-o", tmp_path, *ID, "--json")
    assert result.returncode == 0, result.stderr
    kinds = {f["kind"] for f in json.loads(result.stdout)["files"]}
    assert kinds == {"mobileconfig", "jamf-plist", "jamf-schema", "manifest"}
    profile = plistlib.loads((tmp_path / "required-data-only.mobileconfig").read_bytes())
    assert {p["PayloadType"] for p in profile["PayloadContent"]} == {"com.apple.ManagedClient.preferences"}
    chosen = {(s.domain, s.key): s.value for s in catalog.presets["required-data-only"].values}
    for path in (tmp_path / "required-data-only-jamf").glob("*.json"):
        for key, prop in json.loads(path.read_text())["properties"].items():
            assert "default" not in prop and prop["anyOf"][0]["type"] == "null", (path.stem, key)
        plist = plistlib.loads(path.with_suffix(".plist").read_bytes())
        assert plist == {k: v for (d, k), v in chosen.items() if d == path.stem}


def test_target_jamf_with_a_signing_identity_keeps_the_signed_profile_direct(tmp_path, signer):
    result = run(
        "build",
        "-p",
        "required-data-only",
        "--target",
        "jamf",
        "-o",
        tmp_path,
        *ID,
        "--sign-cert",
        signer.cert_pem,
        "--sign-key",
        signer.key_pem,
    )
    assert result.returncode == 0, result.stderr
    assert b"ManagedClient" not in (tmp_path / "required-data-only.mobileconfig").read_bytes()
    assert (tmp_path / "required-data-only.signed.mobileconfig").exists()


def test_target_intune_and_its_size_limit(tmp_path):
    result = run("build", "-p", "required-data-only", "--target", "intune", "-o", tmp_path / "ok", *ID, "--json")
    assert {f["kind"] for f in json.loads(result.stdout)["files"]} == {"mobileconfig", "intune-plist", "manifest"}
    config = tmp_path / "huge.toml"
    config.write_text(f'preset = "required-data-only"\n[profile]\ndescription = "{"x" * 1_000_001}"\n')
    huge = run("build", "-c", config, "--target", "intune", "-o", tmp_path / "huge", *ID)
    assert huge.returncode == 1 and "takes profiles of at most 1,000,000 bytes" in huge.stderr
    assert not (tmp_path / "huge").exists()


def test_names_and_identifier_warnings(tmp_path):
    both = [
        run("build", "-p", "manual-updates", "--name", name, "-o", tmp_path, "-f", "mobileconfig", *ID)
        for name in ("strict", "loose")
    ]
    assert all(r.returncode == 0 for r in both) and {"strict.mobileconfig", "loose.mobileconfig"} <= set(
        files(tmp_path)
    )
    default = run("build", "-p", "manual-updates", "-o", tmp_path / "d", "-f", "mobileconfig")
    assert "org.profilegen.office.manual-updates is profilegen's default" in default.stderr
    flat = run("build", "-p", "manual-updates", "-o", tmp_path / "f", "-f", "mobileconfig", "--identifier", "office")
    assert "the profile identifier office is not reverse-DNS" in flat.stderr
    bad = run("build", "-p", "manual-updates", "--name", "../up", "-o", tmp_path / "b")
    assert bad.returncode == 1 and "name '../up' is not valid" in bad.stderr
    changed = run(
        "build",
        "-p",
        "manual-updates",
        "--set",
        "HowToCheck=AutomaticCheck",
        "-o",
        tmp_path / "c",
        "-f",
        "mobileconfig",
        "--json",
        *ID,
    )
    assert json.loads(changed.stdout)["profile"]["display_name"] == "Office for Mac: Manual updates (modified)"


def test_payload_display_names_read_cleanly(tmp_path):
    run("build", "-p", "no-usage-telemetry", "--office", "16.20", "-o", tmp_path, "-f", "mobileconfig", *ID)
    profile = plistlib.loads((tmp_path / "no-usage-telemetry.mobileconfig").read_bytes())
    for payload in profile["PayloadContent"]:
        assert payload["PayloadDisplayName"].count("(") == 1, payload["PayloadDisplayName"]


# --- the README's pipelines, against stand-ins --------------------------------------------------


class StandIn:
    """A small HTTP server on 127.0.0.1 that records every request and answers from a table."""

    def __init__(self, answer):
        self.requests = []
        recorded, decide = self.requests, answer

        class Handler(BaseHTTPRequestHandler):
            def handle_one(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                recorded.append(
                    {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
                )
                status, reply = decide(self.command, self.path, recorded)
                self.send_response(status)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            do_GET = do_POST = do_PUT = do_PATCH = handle_one

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def example(name: str) -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"<!-- example:{name} -->\n```sh\n(.*?)```", readme, re.S)
    assert match, f"the README lacks the {name} example"
    return match.group(1)


def shell(script: str, cwd: Path, **env) -> subprocess.CompletedProcess:
    if not (shutil.which("jq") and shutil.which("curl")):
        pytest.skip("the README's pipelines need jq and curl")
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": path, **env},
        timeout=HUNG,
    )


@pytest.mark.timing
def test_the_jamf_pro_example_creates_then_updates(tmp_path):
    departments = tmp_path / "departments"
    departments.mkdir()
    (departments / "sales.toml").write_text(
        'preset = "required-data-only"\n[profile]\nidentifier = "com.example.sales"\n'
    )
    (departments / "r&d.toml").write_text('preset = "most-private-current"\n[profile]\nidentifier = "com.example.rd"\n')
    known: set[str] = set()

    def answer(method, path, requests):
        if method == "GET":
            return (200, b"<os_x_configuration_profile/>") if path in known else (404, b"")
        if method == "POST" and path == "/JSSResource/osxconfigurationprofiles/id/0":
            name = ET.fromstring(requests[-1]["body"]).findtext("general/name")
            known.add(
                "/JSSResource/osxconfigurationprofiles/name/"
                + name.replace(" ", "%20").replace(":", "%3A").replace("&", "%26")
            )
            return 201, b"<os_x_configuration_profile><id>7</id></os_x_configuration_profile>"
        return (201, b"") if method == "PUT" and path in known else (400, b"")

    jamf = StandIn(answer)
    try:
        for _attempt in ("create", "update"):
            result = shell(example("jamf"), tmp_path, JAMF_URL=jamf.url, JAMF_TOKEN="t0ken")
            assert result.returncode == 0, result.stderr
    finally:
        jamf.close()
    writes = [r for r in jamf.requests if r["method"] != "GET"]
    assert [r["method"] for r in writes] == ["POST", "POST", "PUT", "PUT"]
    assert all(r["headers"]["Authorization"] == "Bearer t0ken" for r in jamf.requests)
    for request in writes:
        assert request["headers"]["Content-Type"] == "application/xml"
        xml = ET.fromstring(request["body"])  # well-formed: the profile went in escaped
        name = xml.findtext("general/name")
        build = "r-d" if "r-d" in name else "sales"  # r&d.toml builds as r-d: a name made safe for paths
        profile = (tmp_path / "out" / build / f"{build}.mobileconfig").read_text()
        assert xml.findtext("general/payloads") == profile.rstrip("\n")  # as $(...) passes it
        assert "com.apple.ManagedClient.preferences" in profile


@pytest.mark.timing
def test_the_intune_example_posts_a_preference_file_per_domain(tmp_path):
    (tmp_path / "tenant.toml").write_text('preset = "most-private-current"\n[profile]\nidentifier = "com.example.it"\n')
    graph = StandIn(lambda method, path, requests: (201, b'{"id": "1"}'))
    try:
        result = shell(example("intune"), tmp_path, GRAPH=graph.url + "/beta", GRAPH_TOKEN="g-t0ken")
    finally:
        graph.close()
    assert result.returncode == 0, result.stderr
    domains = sorted(p.stem for p in (tmp_path / "out" / "tenant-intune").glob("*.plist"))
    assert len(graph.requests) == len(domains) > 0
    sent = {}
    for request in graph.requests:
        assert (request["method"], request["path"]) == ("POST", "/beta/deviceManagement/deviceConfigurations")
        assert request["headers"]["Authorization"] == "Bearer g-t0ken"
        body = json.loads(request["body"])
        assert body["@odata.type"] == "#microsoft.graph.macOSCustomAppConfiguration"
        assert body["fileName"] == f"{body['bundleId']}.plist"
        assert body["displayName"] == f"Office for Mac: {body['bundleId']}"
        sent[body["bundleId"]] = base64.b64decode(body["configurationXml"])
    assert sorted(sent) == domains
    for domain, data in sent.items():
        assert data == (tmp_path / "out" / "tenant-intune" / f"{domain}.plist").read_bytes()


def test_an_old_python_gets_one_line_that_says_so(tmp_path):
    """macOS's own python3 is 3.9: what it prints when it imports profilegen."""
    probe = "import sys; sys.version_info = (3, 9, 6, 'final', 0); import profilegen"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("Error: profilegen needs Python 3.11 or later; this is Python 3.9")
