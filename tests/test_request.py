"""The one request both front ends fill: its command line, its warnings, and reproducible signed builds."""

import json
import os
import plistlib
import shlex
import subprocess
from pathlib import Path

import pytest

from profilegen.cli.app import parse
from profilegen.core.request import Profile, Request, SigningOptions

from conftest import run

REQUESTS = [
    Request(),
    Request(preset="volume-license-offline", output_dir=Path("out dir"), force=True),
    Request(configs=(Path("a.toml"), Path("sub/b c.toml")), config_dir=Path("more"), formats=("script", "jamf-plist")),
    Request(
        sets=("word:UseOnlineContent=0", "HowToCheck=Manual", "IsMerpEnabled=true"),
        profile=Profile(
            organization="Example Corp",
            identifier="com.example.office",
            display_name="Office 'quiet' \"mode\"",
            description="Set by IT; don't remove",
            scope="User",
            removal_disallowed=True,
            payload_style="mcx",
        ),
    ),
    Request(preset="manual-updates", signing=SigningOptions(sign_p12=Path("id.p12"), p12_password_file=Path("pw.txt"))),
    Request(
        preset="manual-updates",
        signing=SigningOptions(
            sign_cert=Path("c.pem"), sign_key=Path("k.pem"), sign_chain=Path("chain.pem"), key_password_file=Path("pw")
        ),
    ),
]


@pytest.mark.parametrize("request_", REQUESTS)
def test_a_request_and_its_command_line_are_the_same_thing(request_):
    assert request_.argv()[:2] == ["profilegen", "build"]
    assert parse(request_.argv()) == request_
    assert parse(shlex.split(request_.command())) == request_


def test_the_command_line_means_what_the_cli_builds(tmp_path):
    request_ = Request(
        preset="manual-updates",
        sets=("word:UseOnlineContent=0",),
        output_dir=tmp_path / "a",
        profile=Profile(organization="Example Corp", scope="User"),
        formats=("mobileconfig",),
    )
    assert run(*request_.argv()[1:]).returncode == 0
    assert (
        run(
            "build",
            "-p",
            "manual-updates",
            "-s",
            "word:UseOnlineContent=0",
            "--organization",
            "Example Corp",
            "--scope",
            "user",
            "-f",
            "mobileconfig",
            "-o",
            tmp_path / "b",
        ).returncode
        == 0
    )
    assert (tmp_path / "a" / "manual-updates.mobileconfig").read_bytes() == (
        tmp_path / "b" / "manual-updates.mobileconfig"
    ).read_bytes()


def test_options_are_checked_where_they_are_parsed():
    with pytest.raises(Exception, match="unknown scope 'device'"):
        parse(["--scope", "device"])
    assert parse(["--scope", "USER"]).profile.scope == "User"
    assert parse(["-f", "script, mobileconfig", "-f", "script"]).formats == ("script", "mobileconfig")


def test_an_organization_names_the_default_identifier(tmp_path):
    result = run(
        "build",
        "-p",
        "manual-updates",
        "--organization",
        "Example Corp",
        "-o",
        tmp_path,
        "-f",
        "mobileconfig",
        "--json",
    )
    assert json.loads(result.stdout)["profile"]["identifier"] == "com.example-corp.office.manual-updates"
    result = run("build", "-p", "manual-updates", "-o", tmp_path / "plain", "-f", "mobileconfig", "--json")
    assert json.loads(result.stdout)["profile"]["identifier"] == "org.profilegen.office.manual-updates"


# --- another spelling of a key: accepted everywhere, written as documented, warned about -------


def test_another_spelling_in_set_and_config_is_written_as_documented_with_a_warning(tmp_path, catalog):
    alias, pref = next((a, p) for p in catalog.preferences.values() for a in p.aliases)
    value = pref.private
    shown = str(value).lower() if isinstance(value, bool) else str(value)
    result = run(
        "build",
        "--set",
        f"{alias}={shown}",
        "-o",
        tmp_path / "a",
        "-f",
        "mobileconfig",
        "--json",
        "--identifier",
        "com.example.office",
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert [(s["key"], s["value"]) for s in summary["settings"]] == [(pref.key, value)] * len(pref.domains)
    assert summary["warnings"] == [
        f"{alias} is another spelling of {pref.key}, Microsoft's; profilegen writes {pref.key}"
    ]
    assert result.stderr == f"Warning: {summary['warnings'][0]}\n"
    profile = plistlib.loads((tmp_path / "a" / "office-network.mobileconfig").read_bytes())
    assert all(pref.key in p and alias not in p for p in profile["PayloadContent"])

    config = tmp_path / "site.toml"
    config.write_text(f"[settings]\n{alias} = {shown}\n")
    result = run("build", "-c", config, "-o", tmp_path / "b", "-f", "mobileconfig")
    assert result.returncode == 0 and result.stderr.startswith(f"Warning: {config}: {alias} is another spelling")
    info = json.loads(run("inspect", tmp_path / "b" / "site.mobileconfig", "--json").stdout)
    assert info["payloads"][0]["settings"][0]["key"] == pref.key

    mine = tmp_path / "mine.mobileconfig"
    mine.write_bytes(
        (tmp_path / "b" / "site.mobileconfig")
        .read_bytes()
        .replace(f"<key>{pref.key}</key>".encode(), f"<key>{alias}</key>".encode())
    )
    described = json.loads(run("inspect", mine, "--json").stdout)["payloads"][0]["settings"][0]
    assert (described["known"], described["spelling_of"], described["title"]) == (True, pref.key, pref.title)


def test_names_are_matched_without_regard_to_case_dashes_or_underscores(tmp_path):
    """What an admin types by memory builds; Microsoft's spelling is what gets written."""
    result = run(
        "build",
        "--preset",
        "Volume_License-OFFLINE",
        "--set",
        "word:useonlinecontent=0",
        "--set",
        "use-online-content=0",
        "-f",
        "MobileConfig",
        "--payload-style",
        "MCX",
        "--scope",
        "user",
        "-o",
        tmp_path,
        "--identifier",
        "com.example.office",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    assert "another spelling" not in result.stderr
    summary = json.loads(result.stdout)
    assert summary["name"] == "volume-license-offline"
    assert {s["key"] for s in summary["settings"]} >= {"UseOnlineContent"}
    data = (tmp_path / "volume-license-offline.mobileconfig").read_bytes()
    assert b"<key>UseOnlineContent</key>" in data
    assert b"useonlinecontent" not in data and b"use-online-content" not in data
    profile = plistlib.loads(data)
    assert profile["PayloadScope"] == "User"
    assert profile["PayloadContent"][0]["PayloadType"] == "com.apple.ManagedClient.preferences"


# --- signed builds a pipeline can reproduce ------------------------------------------------------


def signed_build(pki, leaf, folder, epoch):
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    if epoch is not None:
        env["SOURCE_DATE_EPOCH"] = epoch
    result = run(
        "build",
        "-p",
        "volume-license-offline",
        "-o",
        folder,
        "-f",
        "mobileconfig",
        "--sign-cert",
        leaf.cert_pem,
        "--sign-key",
        leaf.key_pem,
        "--sign-chain",
        pki.chain_pem,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    return folder / "volume-license-offline.signed.mobileconfig"


@pytest.mark.parametrize("kind", ["rsa", "ec"])
def test_source_date_epoch_makes_signed_rebuilds_byte_identical(pki, tmp_path, kind):
    leaf = pki.leaf(f"repro-{kind}", kind=kind)
    epoch = "1767225600"  # 2026-01-01 00:00:00 UTC
    first, second = (signed_build(pki, leaf, tmp_path / name, epoch) for name in ("a", "b"))
    assert first.read_bytes() == second.read_bytes()
    for signed in (first, second):
        verified = subprocess.run(
            [
                "openssl",
                "cms",
                "-verify",
                "-inform",
                "DER",
                "-binary",
                "-purpose",
                "any",
                "-CAfile",
                str(pki.root_pem),
                "-in",
                str(signed),
                "-out",
                str(tmp_path / "c"),
            ],
            capture_output=True,
            text=True,
        )
        assert verified.returncode == 0, verified.stderr
        assert (tmp_path / "c").read_bytes() == (signed.parent / "volume-license-offline.mobileconfig").read_bytes()
        assert run("verify", signed, "--ca", pki.root_pem).returncode == 0
    printed = subprocess.run(
        ["openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in", str(first)], capture_output=True, text=True
    ).stdout
    assert "Jan  1 00:00:00 2026 GMT" in printed.replace("UTCTIME:", "")


def test_without_source_date_epoch_the_signing_time_is_now(pki, tmp_path):
    leaf = pki.leaf("now", kind="ec")
    first, second = (signed_build(pki, leaf, tmp_path / name, None) for name in ("a", "b"))
    assert first.read_bytes() != second.read_bytes()  # ECDSA is randomised, and the time moves on


@pytest.mark.parametrize("epoch", ["yesterday", "-1", "99999999999"])
def test_a_bad_source_date_epoch_is_one_line(pki, tmp_path, epoch):
    leaf = pki.leaf(f"bad{epoch[:3]}")
    env = {**os.environ, "SOURCE_DATE_EPOCH": epoch}
    result = run(
        "build",
        "-p",
        "manual-updates",
        "-o",
        tmp_path / "out",
        "--sign-cert",
        leaf.cert_pem,
        "--sign-key",
        leaf.key_pem,
        env=env,
    )
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"Error: SOURCE_DATE_EPOCH '{epoch}' is not valid")
    assert not (tmp_path / "out").exists()
