"""Signed profiles: checked by openssl, refused when the identity is wrong, verified by profilegen."""

import os
import re
import subprocess

import pytest
from cryptography.hazmat.primitives import hashes

from conftest import run
from pki import DAY, NOW, PKI

OPENSSL = ["openssl", "cms", "-verify", "-inform", "DER", "-binary", "-purpose", "any"]
PASSWORD = "corr3ct horse"


@pytest.fixture(scope="module")
def leaves(pki):
    return {"rsa": pki.leaf("rsa"), "ec": pki.leaf("ec", kind="ec")}


def openssl_content(signed, root, folder):
    out = folder / "content.plist"
    result = subprocess.run(
        [*OPENSSL, "-CAfile", str(root), "-in", str(signed), "-out", str(out)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return out.read_bytes()


def env_with(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROFILEGEN_")}
    env.update(extra)
    return env


@pytest.mark.parametrize("kind", ["rsa", "ec"])
def test_build_signs_with_pem_and_openssl_verifies(pki, leaves, tmp_path, kind):
    leaf = leaves[kind]
    result = run(
        "build",
        "-p",
        "volume-license-offline",
        "-o",
        tmp_path,
        "-f",
        "mobileconfig",
        "--sign-cert",
        leaf.cert_pem,
        "--sign-key",
        leaf.key_pem,
        "--sign-chain",
        pki.chain_pem,
    )
    assert result.returncode == 0, result.stderr
    signed = tmp_path / "volume-license-offline.signed.mobileconfig"
    unsigned = (tmp_path / "volume-license-offline.mobileconfig").read_bytes()
    assert openssl_content(signed, pki.root_pem, tmp_path) == unsigned
    # intermediates in, root out, and the plist's LF line endings untouched
    certs = subprocess.run(
        ["openssl", "pkcs7", "-inform", "DER", "-print_certs", "-in", str(signed)], capture_output=True, text=True
    ).stdout
    assert "Test Intermediate CA" in certs and "subject=O = profilegen tests, CN = Test Root CA" not in certs
    assert b"\r\n" not in unsigned and unsigned in signed.read_bytes()
    checked = run("check", signed, "--office", "16.23", "--mau", "4.11")  # the versions it is for
    assert checked.returncode == 0 and "(signed content): no problems found" in checked.stdout
    info = run("inspect", signed).stdout
    assert f"signed by CN=Profile Signer {kind}" in info and "UseOnlineContent = 0" in info
    check = run("verify", signed, "--ca", pki.root_pem)
    assert check.returncode == 0, check.stderr
    assert f"Profile Signer {kind}" in check.stdout and "SHA-256:" in check.stdout
    assert leaf.cert.fingerprint(hashes.SHA256()).hex(":").upper() in check.stdout


@pytest.mark.parametrize("legacy", [False, True])
def test_sign_with_p12_password_from_env_and_file(pki, leaves, tmp_path, legacy):
    p12 = pki.p12(leaves["rsa"], PASSWORD.encode(), legacy=legacy)
    assert run("build", "-p", "manual-updates", "-o", tmp_path, "-f", "mobileconfig").returncode == 0
    source = tmp_path / "manual-updates.mobileconfig"
    env = env_with(PROFILEGEN_P12_PASSWORD=PASSWORD)
    result = run("sign", source, tmp_path / "a.mobileconfig", "--sign-p12", p12, env=env)
    assert result.returncode == 0, result.stderr
    assert openssl_content(tmp_path / "a.mobileconfig", pki.root_pem, tmp_path) == source.read_bytes()
    password_file = tmp_path / "password"
    password_file.write_text(PASSWORD + "\n")
    result = run(
        "sign",
        source,
        tmp_path / "b.mobileconfig",
        "--sign-p12",
        p12,
        "--p12-password-file",
        password_file,
        env=env_with(),
    )
    assert result.returncode == 0, result.stderr
    assert PASSWORD not in result.stdout + result.stderr
    for written in tmp_path.glob("*.mobileconfig"):
        assert PASSWORD.encode() not in written.read_bytes()
        assert b"PRIVATE KEY" not in written.read_bytes()
    assert run("verify", tmp_path / "b.mobileconfig", "--ca", pki.root_pem).returncode == 0


def test_rc2_p12_as_the_keychain_exports_it(pki, leaves, tmp_path):
    p12 = tmp_path / "rc2.p12"
    made = subprocess.run(
        [
            "openssl",
            "pkcs12",
            "-export",
            "-legacy",
            "-in",
            str(leaves["ec"].cert_pem),
            "-inkey",
            str(leaves["ec"].key_pem),
            "-certfile",
            str(pki.chain_pem),
            "-out",
            str(p12),
            "-passout",
            "env:PW",
        ],
        env={**os.environ, "PW": PASSWORD},
        capture_output=True,
        text=True,
    )
    if made.returncode != 0:
        pytest.skip(f"this openssl can't write RC2: {made.stderr.strip()}")
    result = run(
        "build",
        "-p",
        "manual-updates",
        "-o",
        tmp_path,
        "-f",
        "mobileconfig",
        "--sign-p12",
        p12,
        env=env_with(PROFILEGEN_P12_PASSWORD=PASSWORD),
    )
    assert result.returncode == 0, result.stderr
    openssl_content(tmp_path / "manual-updates.signed.mobileconfig", pki.root_pem, tmp_path)


def refusal(tmp_path, *args, env=None):
    out = tmp_path / "out"
    result = run("build", "-p", "manual-updates", "-o", out, *args, env=env or env_with())
    assert result.returncode == 1, result.stdout
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("Error: ")
    assert "Traceback" not in result.stderr
    assert not out.exists(), "nothing is written when signing fails"
    return result.stderr


def test_refuses_a_key_that_does_not_match(pki, leaves, tmp_path):
    message = refusal(tmp_path, "--sign-cert", leaves["rsa"].cert_pem, "--sign-key", leaves["ec"].key_pem)
    assert "does not match the certificate" in message


def test_refuses_a_damaged_rsa_key_that_loads_unchecked(pki, leaves, tmp_path):
    """The key isn't validated in full as it loads (40 ms); a wrong CRT parameter still can't sign
    a profile devices would reject (OpenSSL falls back to d where the CRT result is wrong, so
    both are damaged here): the signature made to check it doesn't verify."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    good = leaves["rsa"].key.private_numbers()
    damaged = rsa.RSAPrivateNumbers(
        good.p, good.q, good.d ^ 2, good.dmp1 ^ 2, good.dmq1, good.iqmp, good.public_numbers
    ).private_key(unsafe_skip_rsa_key_validation=True)
    key = tmp_path / "damaged.key"
    key.write_bytes(
        damaged.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    message = refusal(tmp_path, "--sign-cert", leaves["rsa"].cert_pem, "--sign-key", key)
    assert "is damaged: what it signs doesn't verify" in message


@pytest.mark.parametrize(
    "label, kwargs, expected",
    [
        ("expired", {"start": NOW - 30 * DAY, "end": NOW - DAY}, "expired on"),
        ("future", {"start": NOW + DAY, "end": NOW + 30 * DAY}, "is not valid until"),
        ("nosign", {"usage": False}, "lacks the digitalSignature key usage"),
    ],
)
def test_refuses_unusable_certificates(pki, tmp_path, label, kwargs, expected):
    leaf = pki.leaf(label, **kwargs)
    assert expected in refusal(tmp_path, "--sign-cert", leaf.cert_pem, "--sign-key", leaf.key_pem)


def test_refuses_a_wrong_p12_password_and_an_unreadable_p12(pki, leaves, tmp_path):
    p12 = pki.p12(leaves["rsa"], PASSWORD.encode())
    message = refusal(tmp_path, "--sign-p12", p12, env=env_with(PROFILEGEN_P12_PASSWORD="wrong"))
    assert "wrong password" in message and "wrong" not in message.replace("wrong password", "")
    junk = tmp_path / "junk.p12"
    junk.write_bytes(os.urandom(300))
    assert "not a readable PKCS#12" in refusal(tmp_path, "--sign-p12", junk, env=env_with(PROFILEGEN_P12_PASSWORD="x"))
    # no terminal, no variable, no file: say where the password may come from
    assert "PROFILEGEN_P12_PASSWORD" in refusal(tmp_path, "--sign-p12", p12)


def test_refuses_an_encrypted_key_without_password(pki, tmp_path):
    leaf = pki.leaf("locked", password=PASSWORD.encode())
    message = refusal(tmp_path, "--sign-cert", leaf.cert_pem, "--sign-key", leaf.key_pem)
    assert "is encrypted" in message and "PROFILEGEN_KEY_PASSWORD" in message
    ok = run(
        "build",
        "-p",
        "manual-updates",
        "-o",
        tmp_path / "ok",
        "-f",
        "mobileconfig",
        "--sign-cert",
        leaf.cert_pem,
        "--sign-key",
        leaf.key_pem,
        env=env_with(PROFILEGEN_KEY_PASSWORD=PASSWORD),
    )
    assert ok.returncode == 0, ok.stderr


def test_no_password_option_exists():
    for command in ("build", "sign"):
        options = set(re.findall(r"--[\w-]*password[\w-]*", run(command, "--help").stdout))
        assert options == {"--p12-password-file", "--key-password-file"}
    result = run("build", "-p", "manual-updates", "--p12-password", "x")
    assert result.returncode == 2


def test_tampering_is_caught(pki, leaves, tmp_path):
    run(
        "build",
        "-p",
        "volume-license-offline",
        "-o",
        tmp_path,
        "-f",
        "mobileconfig",
        "--sign-cert",
        leaves["rsa"].cert_pem,
        "--sign-key",
        leaves["rsa"].key_pem,
        "--sign-chain",
        pki.chain_pem,
    )
    signed = (tmp_path / "volume-license-offline.signed.mobileconfig").read_bytes()
    content_byte = signed.index(b"<integer>0</integer>") + len("<integer>")
    signature_byte = len(signed) - 10  # the signature value is the last field
    for index, what in ((content_byte, "message digest"), (signature_byte, "signature does not verify")):
        bad = bytearray(signed)
        bad[index] ^= 0x01
        path = tmp_path / "bad.mobileconfig"
        path.write_bytes(bytes(bad))
        result = run("verify", path, "--ca", pki.root_pem)
        assert result.returncode == 1
        assert what in result.stderr and result.stderr.startswith(f"Error: {path}: signature invalid: ")


def test_malformed_signatures_fail_as_invalid_without_traceback(pki, leaves, tmp_path):
    run(
        "build",
        "-p",
        "manual-updates",
        "-o",
        tmp_path,
        "-f",
        "mobileconfig",
        "--sign-cert",
        leaves["ec"].cert_pem,
        "--sign-key",
        leaves["ec"].key_pem,
        "--sign-chain",
        pki.chain_pem,
    )
    signed = (tmp_path / "manual-updates.signed.mobileconfig").read_bytes()
    for label, data in (
        ("truncated", signed[: len(signed) // 2]),
        ("certificate", signed.replace(b"Test Intermediate CA", b"Test Intermediate CB\xff"[:20], 1)[:-1] + b"\x00"),
        ("length", signed[:1] + b"\x84\xff\xff\xff\xff" + signed[2:]),
    ):
        path = tmp_path / f"{label}.mobileconfig"
        path.write_bytes(data)
        for command in (("verify", path), ("inspect", path), ("check", path)):
            result = run(*command)
            assert result.returncode == 1, (label, command)
            assert result.stderr.startswith("Error: ") and "Traceback" not in result.stderr, result.stderr


def test_untrusted_and_ber(pki, leaves, tmp_path):
    source = tmp_path / "p.mobileconfig"
    run("build", "-p", "manual-updates", "-o", tmp_path, "-f", "mobileconfig")
    (tmp_path / "manual-updates.mobileconfig").rename(source)
    ber = tmp_path / "ber.mobileconfig"
    subprocess.run(
        [
            "openssl",
            "cms",
            "-sign",
            "-binary",
            "-nodetach",
            "-stream",
            "-outform",
            "DER",
            "-signer",
            str(leaves["rsa"].cert_pem),
            "-inkey",
            str(leaves["rsa"].key_pem),
            "-certfile",
            str(pki.inter_pem),
            "-in",
            str(source),
            "-out",
            str(ber),
        ],
        check=True,
    )
    assert ber.read_bytes()[:2] == b"\x30\x80", "indefinite-length BER"
    assert run("verify", ber, "--ca", pki.root_pem).returncode == 0
    assert run("verify", ber).returncode == 0
    other = PKI(tmp_path)
    untrusted = run("verify", ber, "--ca", other.root_pem)
    assert untrusted.returncode == 1 and "untrusted" in untrusted.stderr
    leaf_as_root = run("verify", ber, "--ca", leaves["rsa"].cert_pem)
    assert leaf_as_root.returncode == 1
    unsigned = run("verify", source)
    assert unsigned.returncode == 1 and "not signed" in unsigned.stderr


def test_sign_command_refusals_leave_nothing(pki, leaves, tmp_path):
    run("build", "-p", "manual-updates", "-o", tmp_path, "-f", "mobileconfig")
    source = tmp_path / "manual-updates.mobileconfig"
    target = tmp_path / "signed.mobileconfig"
    bad = run("sign", source, target, "--sign-cert", leaves["rsa"].cert_pem, "--sign-key", leaves["ec"].key_pem)
    assert bad.returncode == 1 and "does not match" in bad.stderr and not target.exists()
    good = run("sign", source, target, "--sign-cert", leaves["rsa"].cert_pem, "--sign-key", leaves["rsa"].key_pem)
    assert good.returncode == 0, good.stderr
    again = run(
        "sign",
        target,
        tmp_path / "twice.mobileconfig",
        "--sign-cert",
        leaves["rsa"].cert_pem,
        "--sign-key",
        leaves["rsa"].key_pem,
    )
    assert again.returncode == 1 and "already signed" in again.stderr
    exists = run("sign", source, target, "--sign-cert", leaves["rsa"].cert_pem, "--sign-key", leaves["rsa"].key_pem)
    assert exists.returncode == 1 and "already exists; use --force" in exists.stderr
    usage = run("sign", source, tmp_path / "x.mobileconfig")
    assert usage.returncode == 2 and not (tmp_path / "x.mobileconfig").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "manual-updates.manifest.json",
        "manual-updates.mobileconfig",
        "signed.mobileconfig",
    ]


def ber_with_extra_attributes(content: bytes, leaf, pki) -> bytes:
    """Signed the way Apple's `security cms` and Microsoft's tools sign: BER with indefinite lengths,
    and signed attributes beyond contentType, messageDigest and signingTime."""
    import datetime
    import hashlib

    from asn1crypto import algos, core
    from asn1crypto import cms as acms
    from asn1crypto import x509 as ax509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    cert = ax509.Certificate.load(leaf.cert.public_bytes(serialization.Encoding.DER))
    inter = ax509.Certificate.load(pki.inter.public_bytes(serialization.Encoding.DER))
    me = acms.IssuerAndSerialNumber({"issuer": cert.issuer, "serial_number": cert.serial_number})
    attrs = acms.CMSAttributes(
        [
            {"type": "content_type", "values": ["data"]},
            {"type": "signing_time", "values": [acms.Time({"utc_time": datetime.datetime.now(datetime.UTC)})]},
            {"type": "message_digest", "values": [hashlib.sha256(content).digest()]},
            {
                "type": "1.2.840.113549.1.9.16.2.11",
                "values": [acms.SMIMEEncryptionKeyPreference({"issuer_and_serial_number": me})],
            },
            {"type": "1.3.6.1.4.1.311.16.4", "values": [core.Any.load(me.dump())]},
        ]
    )
    signature = leaf.key.sign(attrs.dump(), padding.PKCS1v15(), hashes.SHA256())
    signed = acms.SignedData(
        {
            "version": "v1",
            "digest_algorithms": [algos.DigestAlgorithm({"algorithm": "sha256"})],
            "encap_content_info": {"content_type": "data", "content": content},
            "certificates": [cert, inter],
            "signer_infos": [
                {
                    "version": "v1",
                    "sid": acms.SignerIdentifier(
                        {"issuer_and_serial_number": {"issuer": cert.issuer, "serial_number": cert.serial_number}}
                    ),
                    "digest_algorithm": {"algorithm": "sha256"},
                    "signed_attrs": attrs,
                    "signature_algorithm": {"algorithm": "rsassa_pkcs1v15"},
                    "signature": signature,
                }
            ],
        }
    )
    oid = acms.ContentType("signed_data").dump()
    return b"\x30\x80" + oid + b"\xa0\x80" + signed.dump() + b"\x00\x00\x00\x00"


def test_a_ber_signature_with_extra_signed_attributes_verifies(pki, leaves, tmp_path):
    run("build", "-p", "manual-updates", "-o", tmp_path, "-f", "mobileconfig")
    content = (tmp_path / "manual-updates.mobileconfig").read_bytes()
    path = tmp_path / "apple.mobileconfig"
    path.write_bytes(ber_with_extra_attributes(content, leaves["rsa"], pki))
    assert path.read_bytes()[:2] == b"\x30\x80"
    assert openssl_content(path, pki.root_pem, tmp_path) == content  # openssl agrees it is good
    result = run("verify", path, "--ca", pki.root_pem)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Signature:  valid" in result.stdout and "Dates:      valid" in result.stdout
    assert run("check", path).returncode == 0 and "CN=Profile Signer rsa" in run("inspect", path).stdout


def test_an_expired_signer_is_a_good_signature_with_an_expired_certificate(pki, tmp_path):
    import datetime

    hour = datetime.timedelta(hours=1)
    leaf = pki.leaf("old", start=NOW - 60 * DAY, end=NOW - hour)
    run("build", "-p", "manual-updates", "-o", tmp_path, "-f", "mobileconfig")
    content = (tmp_path / "manual-updates.mobileconfig").read_bytes()
    path = tmp_path / "expired.mobileconfig"
    path.write_bytes(ber_with_extra_attributes(content, leaf, pki))
    result = run("verify", path, "--ca", pki.root_pem)
    expiry = (NOW - hour).strftime("%Y-%m-%d")
    assert result.returncode == 1 and "Signature:  valid" in result.stdout
    assert f"Error: {path}: signature valid, certificate expired on {expiry}" in result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
    back_then = run("verify", path, "--ca", pki.root_pem, "--at", (NOW - 12 * hour).isoformat())
    assert back_then.returncode == 0, back_then.stderr
    bad = run("verify", path, "--at", "last week")
    assert bad.returncode == 1 and "--at 'last week' is not a date" in bad.stderr
