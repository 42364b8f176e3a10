"""Reproductions from a fault and fuzz campaign: nothing written outside the output folder, no
symlink followed out of it, nothing left behind by a failed build, a batch a batch at any size."""

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time

import pytest

from conftest import HUNG, Held, cpu_bound, run, run_process
from helpers import binary_plist


def tree(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


def config(folder, name, text='preset = "manual-updates"\n'):
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text)


@pytest.mark.parametrize("name", ["...toml", "..toml", "+++.toml", " .toml"])
def test_a_config_named_without_letters_is_refused_as_a_file_name(tmp_path, name):
    configs = tmp_path / "configs"
    config(configs, name)
    config(configs, "site.toml")
    before = tree(tmp_path)
    result = run("build", "--config-dir", configs, "-o", tmp_path / "out", "-f", "mobileconfig")
    assert result.returncode == 1 and result.stderr.startswith(f"Error: config file name {name!r} has no letters")
    assert "identifier" not in result.stderr and tree(tmp_path) == before


def test_build_names_from_file_names_are_one_component_inside_the_folder(tmp_path):
    configs = tmp_path / "configs"
    config(configs, "..site..toml")
    config(configs, "two words.toml")
    out = tmp_path / "out"
    result = run("build", "--config-dir", configs, "-o", out, "-f", "mobileconfig", "--json")
    assert result.returncode == 0, result.stderr
    assert sorted(b["name"] for b in json.loads(result.stdout)["builds"]) == ["site", "two-words"]
    assert {p.parent.name for p in out.rglob("*.mobileconfig")} == {"site", "two-words"}
    assert sorted(os.listdir(tmp_path)) == ["configs", "out"]


def test_two_files_that_make_one_build_name_are_refused(tmp_path):
    configs = tmp_path / "configs"
    config(configs, "a b.toml")
    config(configs, "a-b.toml")
    result = run("build", "--config-dir", configs, "-o", tmp_path / "out")
    assert result.returncode == 1 and "two configs make the build name a-b" in result.stderr


@pytest.mark.parametrize("force", [False, True])
def test_a_symlinked_subfolder_is_not_followed_out_of_the_folder(tmp_path, force):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "office-network.plist").write_text("someone else's file")
    out = tmp_path / "out"
    out.mkdir()
    (out / "office-network-jamf").symlink_to(outside)
    configs = tmp_path / "configs"
    config(configs, "site.toml")
    (out / "site").symlink_to(outside)
    for args in (["--set", "HowToCheck=Manual"], ["--config-dir", configs]):
        result = run("build", *args, "-o", out, *(["--force"] if force else []))
        assert result.returncode == 1 and "is a symbolic link; profilegen doesn't write through one" in result.stderr
    assert tree(outside) == ["office-network.plist"]
    assert (outside / "office-network.plist").read_text() == "someone else's file"


def test_a_dangling_symlink_at_an_output_name_is_not_replaced(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "office-network.mobileconfig").symlink_to(tmp_path / "nowhere")
    plain = run("build", "--set", "HowToCheck=Manual", "-o", out, "-f", "mobileconfig")
    assert plain.returncode == 1 and "already exists; use --force" in plain.stderr
    forced = run("build", "--set", "HowToCheck=Manual", "-o", out, "-f", "mobileconfig", "--force")
    assert forced.returncode == 1 and "is a symbolic link" in forced.stderr
    assert not (tmp_path / "nowhere").exists() and (out / "office-network.mobileconfig").is_symlink()


@pytest.mark.timing
def test_a_build_stopped_by_the_file_size_limit_leaves_no_folder(tmp_path):
    configs = tmp_path / "configs"
    config(configs, "a.toml")
    config(configs, "b.toml")
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "profilegen", "build", "--config-dir", configs, "-o", out / "deep" / "er"],
        capture_output=True,
        text=True,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0)),
    )
    assert result.returncode == 1 and result.stderr.startswith("Error: can't write")
    assert "Traceback" not in result.stderr and not out.exists()


def test_a_leftover_temporary_file_does_not_stop_later_builds(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    leftover = out / f".office-network.mobileconfig.{os.getpid()}.tmp"  # the old naming, same process id
    leftover.write_text("interrupted")
    for _ in range(2):
        result = run("build", "--set", "HowToCheck=Manual", "-o", out, "-f", "mobileconfig", "--force")
        assert result.returncode == 0, result.stderr
    assert leftover.read_text() == "interrupted"
    assert [p.name for p in out.iterdir() if p.name.endswith(".tmp")] == [leftover.name]


def test_a_config_dir_of_one_is_still_a_batch(tmp_path):
    configs = tmp_path / "configs"
    config(configs, "site.toml")
    result = run("build", "--config-dir", configs, "-o", tmp_path / "out", "-f", "mobileconfig", "--json")
    assert result.returncode == 0, result.stderr
    assert [b["name"] for b in json.loads(result.stdout)["builds"]] == ["site"]
    assert (tmp_path / "out" / "site" / "site.mobileconfig").is_file()


# --- text a profile can't carry as typed ------------------------------------------------------------


@pytest.mark.parametrize(
    "option, value, expected",
    [
        ("--display-name", "Office \uffff", "the character U+FFFF"),
        ("--display-name", "Office \ufffe", "the character U+FFFE"),
        ("--description", "a\x01b", "the character U+0001 (a control character)"),
        ("--organization", "Example\rCorp", "a carriage return (a profile reads it back as a line feed)"),
        ("--organization", "Example \udcff", "a byte that isn't UTF-8"),  # a non-UTF-8 byte in argv, on Linux
    ],
)
def test_text_that_wouldnt_read_back_as_typed_is_refused(tmp_path, option, value, expected):
    result = run("build", "-p", "manual-updates", option, value, "-o", tmp_path / "out")
    assert result.returncode == 1 and expected in result.stderr and not (tmp_path / "out").exists()


def test_an_identifier_with_a_trailing_newline_is_refused(tmp_path):
    result = run("build", "-p", "manual-updates", "--identifier", "com.example.office\n", "-o", tmp_path / "out")
    assert result.returncode == 1 and "identifier 'com.example.office\\n' is not valid" in result.stderr


def test_a_config_file_name_that_isnt_utf8_builds_with_its_bytes_escaped(tmp_path):
    folder = os.fsencode(tmp_path)
    config = os.fsdecode(folder + b"/site\xff.toml")
    with open(config, "w") as f:
        f.write('preset = "manual-updates"\n')
    result = run("build", "-c", config, "-o", tmp_path / "out", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["config"] == config  # \udcff, escaped as JSON
    assert "# Selection: preset manual-updates, config site\\udcff.toml." in (tmp_path / "out" / "site.sh").read_text()


# --- inputs: deep, endless, not files --------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "[settings]\nUseOnlineContent = " + "[" * 1100 + "]" * 1100,
        "[settings]\n" + ".".join(["a"] * 1000) + " = 1",
        "UseOnlineContent = " + "[" * 100000 + "]" * 100000,
    ],
)
def test_a_config_nested_without_end_is_one_error(tmp_path, text):
    (tmp_path / "deep.toml").write_text(text)
    result = run("build", "-c", tmp_path / "deep.toml", "-o", tmp_path / "out")
    assert result.returncode == 1 and "nested deeper than a config can be" in result.stderr


def test_a_dictionary_value_nested_without_end_is_one_error(tmp_path):
    result = run("build", "--set", "Applications=" + "[" * 5000 + "]" * 5000, "-o", tmp_path / "out")
    assert result.returncode == 1 and result.stderr.startswith("Error: --set Applications=")


@pytest.mark.parametrize("command", [["build", "-c"], ["inspect"], ["check"], ["import"], ["verify"]])
def test_a_fifo_a_device_or_a_folder_is_refused_at_once(tmp_path, command):
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    for path in (fifo, "/dev/zero", tmp_path):
        result = run(*command, path, *(["-o", tmp_path / "out"] if command[0] == "build" else []))
        assert result.returncode == 1 and "not a regular file" in result.stderr, (path, result.stderr)


def test_a_password_in_the_environment_that_isnt_utf8_is_used_as_bytes(tmp_path, pki):
    leaf = pki.leaf("latin1", password=b"caf\xe9")
    env = {**os.environ, "PROFILEGEN_KEY_PASSWORD": os.fsdecode(b"caf\xe9")}
    result = run(
        "build",
        "-p",
        "manual-updates",
        "-o",
        tmp_path / "out",
        "-f",
        "mobileconfig",
        "--sign-cert",
        leaf.cert_pem,
        "--sign-key",
        leaf.key_pem,
        env=env,
    )
    assert result.returncode == 0, result.stderr


# --- interrupted, raced, piped -----------------------------------------------------------------------


def snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def batch(folder, organization, count=24):
    folder.mkdir(exist_ok=True)
    for i in range(count):
        (folder / f"site{i:02d}.toml").write_text(
            f'preset = "manual-updates"\n[profile]\norganization = "{organization}"\n'
            f'identifier = "com.example.site{i}"\n'
        )


def rebuild(configs, out, *extra, force=True):
    """profilegen's arguments for a build of a folder of configs, with --force unless told."""
    return ["build", "--config-dir", str(configs), "-o", str(out), *(["--force"] if force else []), *extra]


def command(configs, out, *extra):
    return [sys.executable, "-m", "profilegen", *rebuild(configs, out, *extra)]


# The moments of a build (profilegen.checkpoints), in order. Up to "locked" nothing is written; from
# "writing" to "renamed" the signals wait, and the build finishes first; at "written" it is done.
UNWRITTEN = ["main", "locking", "locked"]
WRITTEN = ["writing", "staged", "half-renamed", "renamed", "written"]


@pytest.mark.slow
@pytest.mark.timing
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_rebuild_leaves_one_build_whole_and_no_temporary_file(tmp_path, signum):
    """A --force rebuild of a batch, interrupted at each moment of its run. Before the entry point
    runs, the signal is Python's business: it ends the process, or Python takes it as an exception
    it ignores and the build goes on, so the folder holds one build whole, and that is all there is
    to say. From the entry point on, the exit is one line and 128+N, and the folder holds the old
    build or, once writing began, the new one, whole, with no temporary file."""
    configs, out = tmp_path / "configs", tmp_path / "out"
    formats = ("-f", "mobileconfig,script")  # files enough for a half-way point; every format writes alike
    builds = {}
    for organization in ("Old", "New"):
        batch(configs, organization, count=4)
        made = subprocess.run(command(configs, tmp_path / organization, *formats), capture_output=True)
        assert made.returncode == 0
        builds[organization] = snapshot(tmp_path / organization)
    for moment in [None, *UNWRITTEN, *WRITTEN]:
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(tmp_path / "Old", out)
        build = Held(*rebuild(configs, out, *formats), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if moment is not None:
            build.until(moment)
        build.process.send_signal(signum)
        code, stderr = build.finish()
        assert not list(out.rglob(".profilegen-tmp-*")), f"interrupted at {moment}"
        if moment is None:  # Python may end there, or take the signal as an exception it ignores
            assert snapshot(out) in (builds["Old"], builds["New"])
        else:
            assert snapshot(out) == builds["New" if moment in WRITTEN else "Old"], f"interrupted at {moment}"
            assert (code, stderr) == (128 + signum, f"Error: interrupted by {signal.Signals(signum).name}\n"), moment


@pytest.mark.parametrize("value", ["", "garbage", "7", "998,999"])
def test_checkpoints_that_name_no_open_pipes_hold_nothing(tmp_path, value):
    """PROFILEGEN_CHECKPOINTS left set, mistyped or naming closed descriptors: the build runs through."""
    env = {**os.environ, "PROFILEGEN_CHECKPOINTS": value}
    result = run_process("build", "-p", "manual-updates", "-o", tmp_path / "out", "-f", "mobileconfig", env=env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "manual-updates.mobileconfig").is_file()


def test_a_signal_while_a_build_writes_waits_for_the_writing_to_end():
    """The entry point's handler, in this process: a signal the kernel holds back while a build
    writes, and one Python would run the handler for just as the mask went up (the handler called
    inside the held part), both interrupt once the writing is done, not halfway through it."""
    from profilegen import interrupts

    previous = {signum: signal.getsignal(signum) for signum in interrupts.SIGNALS}
    interrupts.install()
    try:
        for arrives in (signal.raise_signal, lambda signum: interrupts._interrupt(signum, None)):
            done = []
            with pytest.raises(interrupts.Interrupted) as raised:
                with interrupts.held():
                    arrives(signal.SIGTERM)
                    done.append("the rest of the writing")
            assert done and raised.value.signum == signal.SIGTERM
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def waits_for_a_lock(pid: int) -> bool:
    """Whether the process is blocked on a file lock, as the kernel lists it (/proc/locks)."""
    with open("/proc/locks") as locks:
        return any(line.split()[1:2] == ["->"] and line.split()[5] == str(pid) for line in locks)


@pytest.mark.timing
@pytest.mark.skipif(not os.path.exists("/proc/locks"), reason="needs Linux's /proc/locks to see a build wait")
@pytest.mark.parametrize("force", [False, True])
def test_two_builds_into_one_folder_take_turns(tmp_path, force):
    """The second build comes while the first holds the folder halfway through its renames: it
    waits for the lock, then, without --force, finds the first's files and stops; with --force it
    replaces them whole."""
    configs_a, configs_b, out = tmp_path / "a", tmp_path / "b", tmp_path / "out"
    batch(configs_a, "A", count=4)
    batch(configs_b, "B", count=4)
    first = Held(*rebuild(configs_a, out, force=force), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    first.until("half-renamed")
    second = Held(*rebuild(configs_b, out, force=force), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    second.until("locking")
    second.release()
    for _ in range(HUNG * 100):  # a poll of the kernel's state, not a guess at a duration
        if waits_for_a_lock(second.process.pid):
            break
        time.sleep(0.01)
    else:
        raise AssertionError("the second build never waited for the first's lock")
    assert first.finish()[0] == 0
    code, stderr = second.finish()
    organizations = {
        "A" if b"<string>A</string>" in data else "B"
        for name, data in snapshot(out).items()
        if name.endswith(".mobileconfig")
    }
    if force:
        assert code == 0 and organizations == {"B"}, stderr
    else:
        assert code == 1 and b"already exists; use --force" in stderr and organizations == {"A"}


@pytest.mark.timing
def test_a_reader_that_goes_away_is_not_a_failed_build(tmp_path):
    configs = tmp_path / "configs"
    batch(configs, "Piped")
    process = subprocess.Popen(
        command(configs, tmp_path / "out") + ["--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    process.stdout.close()  # the reader is gone before anything was printed
    assert process.wait(timeout=HUNG) == 0
    assert len(list((tmp_path / "out").rglob("*.mobileconfig"))) == 24


# --- names too long, plists that expand without bound ---------------------------------------------


@pytest.mark.parametrize("where", ["folder", "name"])
def test_a_name_longer_than_the_file_system_takes_is_one_line(tmp_path, where):
    long = "a" * 300
    args = ["-o", tmp_path / long] if where == "folder" else ["-o", tmp_path / "out", "--name", long]
    result = run("build", "-p", "manual-updates", *args)
    assert result.returncode == 1 and result.stderr.startswith("Error: can't write to ")
    assert "File name too long" in result.stderr
    assert tree(tmp_path) == []


@pytest.mark.parametrize(
    "objects, top",
    [
        # each array holds the one below twice, 40 deep: 233 bytes that read as 2**40 strings
        ([b"\x51x"] + [bytes([0xA2, i - 1, i - 1]) for i in range(1, 41)], 40),
        ([bytes([0xA1, 0])], 0),  # an array that holds itself
    ],
)
@pytest.mark.parametrize("command", ["inspect", "check", "import"])
def test_a_plist_that_expands_without_bound_is_refused_at_once(tmp_path, objects, top, command):
    path = tmp_path / "bomb.plist"
    path.write_bytes(binary_plist(objects, top))
    with cpu_bound(5):  # refused in milliseconds; a walk of 2**40 values would take days
        result = run(command, path)
    assert result.returncode == 1 and "nests or repeats its values beyond what a profile holds" in result.stderr


def test_check_reports_a_thousand_problems_in_one_pass(tmp_path):
    """Each finding's line used to cost a parse of the whole file: 8 s for 1,000 payloads."""
    import plistlib

    payload = {
        "PayloadType": "com.microsoft.Word",
        "PayloadIdentifier": "com.example.word",
        "PayloadVersion": 1,
        "PayloadUUID": "5F0C6D2E-6D1B-4A8E-9A57-0B5F3C2D7E41",
        "UseOnlineContent": "0",
    }
    profile = {
        "PayloadType": "Configuration",
        "PayloadIdentifier": "com.example",
        "PayloadVersion": 1,
        "PayloadUUID": "5F0C6D2E-6D1B-4A8E-9A57-0B5F3C2D7E40",
        "PayloadContent": [payload] * 1000,
    }
    path = tmp_path / "many.mobileconfig"
    path.write_bytes(plistlib.dumps(profile))
    with cpu_bound(3):  # 0.2 s now; 8 s when each line cost a parse
        result = run("check", path, "--format", "json")
    findings = json.loads(result.stdout)["findings"]
    typed = [f for f in findings if "UseOnlineContent is a string" in f["message"]]
    assert len(typed) == 1000
    lines = path.read_text().splitlines()
    assert all("<key>UseOnlineContent</key>" in lines[f["line"] - 1] for f in typed)
    assert len({f["line"] for f in typed}) == 1000  # each payload's own line


# --- certificates that openssl refuses --------------------------------------------------------------


def signed_build(out, cert, key, chain=None):
    """`build` of a preset's profile, signed, in a real process: what each certificate test runs."""
    chained = ["--sign-chain", chain] if chain else []
    return run_process(
        "build",
        "-p",
        "manual-updates",
        "-o",
        out,
        "-f",
        "mobileconfig",
        "--sign-cert",
        cert,
        "--sign-key",
        key,
        *chained,
    )


def resigned(pki, leaf, folder, damage):
    """The leaf's certificate with its TBS bytes damaged in place, signed again by the intermediate."""
    import base64

    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    cert = asn1_x509.Certificate.load(leaf.cert.public_bytes(serialization.Encoding.DER))
    tbs = damage(cert["tbs_certificate"].dump())
    signature = pki.inter_key.sign(tbs, padding.PKCS1v15(), hashes.SHA256())
    broken = asn1_x509.Certificate(
        {
            "tbs_certificate": asn1_x509.TbsCertificate.load(tbs),
            "signature_algorithm": cert["signature_algorithm"],
            "signature_value": signature,
        }
    )
    path = folder / "damaged.pem"
    path.write_bytes(
        b"-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(broken.dump()) + b"-----END CERTIFICATE-----\n"
    )
    return path


def duplicated_extension(tbs: bytes) -> bytes:
    """The first extension twice: what cryptography's builder won't make, and openssl refuses."""
    from asn1crypto import x509 as asn1_x509

    parsed = asn1_x509.TbsCertificate.load(tbs).copy()
    extensions = parsed["extensions"]
    extensions.append(extensions[0].copy())
    parsed["extensions"] = extensions
    return parsed.dump(force=True)


def test_a_certificate_openssl_refuses_is_refused_to_sign_and_to_trust(tmp_path, pki):
    leaf = pki.leaf("duplicated", kind="ec")
    broken = resigned(pki, leaf, tmp_path, duplicated_extension)
    result = signed_build(tmp_path / "out", broken, leaf.key_pem, pki.inter_pem)
    assert result.returncode == 1 and "is malformed (Duplicate" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()

    # signed by openssl anyway: openssl won't verify it, and profilegen doesn't call it trusted
    assert run("build", "-p", "manual-updates", "-o", tmp_path / "plain", "-f", "mobileconfig").returncode == 0
    signed = tmp_path / "signed.mobileconfig"
    made = subprocess.run(
        [
            "openssl",
            "cms",
            "-sign",
            "-signer",
            broken,
            "-inkey",
            leaf.key_pem,
            "-certfile",
            pki.inter_pem,
            "-in",
            tmp_path / "plain" / "manual-updates.mobileconfig",
            "-outform",
            "der",
            "-nodetach",
            "-binary",
            "-out",
            signed,
        ],
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    refused = subprocess.run(
        ["openssl", "cms", "-verify", "-inform", "der", "-in", signed, "-CAfile", pki.root_pem, "-out", os.devnull],
        capture_output=True,
        text=True,
    )
    assert refused.returncode != 0  # the oracle
    verdict = run_process("verify", signed, "--ca", pki.root_pem)
    assert verdict.returncode == 1 and "UNTRUSTED: the certificate with serial number" in verdict.stdout
    assert "is malformed (Duplicate" in verdict.stdout and "Traceback" not in verdict.stderr


def test_odd_key_types_in_a_profile_are_reported_not_raised(tmp_path):
    """An MCX domain keyed by an integer (a hand-made binary plist), a data-typed PayloadType, an
    array where mcx_preference_settings belongs: inspect, check and import answer, never a traceback."""
    import plistlib

    def text(value):
        data = value.encode()
        return (bytes([0x50 | len(data)]) if len(data) < 15 else bytes([0x5F, 0x10, len(data)])) + data

    integer_domain = binary_plist(
        [
            bytes([0xD2, 1, 3, 2, 4]),
            text("PayloadContent"),
            bytes([0xA1, 5]),
            text("PayloadType"),
            text("Configuration"),
            bytes([0xD2, 3, 1, 6, 7]),
            text("com.apple.ManagedClient.preferences"),
            bytes([0xD1, 8, 9]),
            bytes([0x10, 42]),
            bytes([0xD0]),
        ],
        0,
    )
    assert plistlib.loads(integer_domain)["PayloadContent"][0]["PayloadContent"] == {42: {}}
    mcx = {
        "PayloadType": "com.apple.ManagedClient.preferences",
        "PayloadIdentifier": "a.b.c",
        "PayloadVersion": 1,
        "PayloadUUID": "5F0C6D2E-6D1B-4A8E-9A57-0B5F3C2D7E42",
    }
    top = {
        "PayloadType": "Configuration",
        "PayloadIdentifier": "a.b",
        "PayloadVersion": 1,
        "PayloadUUID": "5F0C6D2E-6D1B-4A8E-9A57-0B5F3C2D7E41",
    }
    files = {
        "integer-domain": integer_domain,
        "data-type": plistlib.dumps(
            {**top, "PayloadContent": [{**mcx, "PayloadType": b"data"}]}, fmt=plistlib.FMT_BINARY
        ),
        "array-settings": plistlib.dumps(
            {
                **top,
                "PayloadContent": [
                    {**mcx, "PayloadContent": {"com.microsoft.Word": {"Forced": [{"mcx_preference_settings": [1, 2]}]}}}
                ],
            }
        ),
    }
    for name, data in files.items():
        path = tmp_path / f"{name}.mobileconfig"
        path.write_bytes(data)
        for command in ("inspect", "check", "import"):
            result = run(command, path)  # an exception let out fails the test here
            assert result.returncode in (0, 1), (name, command, result.stderr)


def test_a_t61string_signer_signs_and_verifies_as_openssl_says(tmp_path, pki):
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.name import _ASN1Type
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "T61 Signer", _type=_ASN1Type.T61String)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(pki.inter.subject)
        .public_key(key.public_key())
        .serial_number(61)
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=9))
        .sign(pki.inter_key, hashes.SHA256())
    )
    (tmp_path / "t61.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "t61.key").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    out = tmp_path / "out"
    built = signed_build(out, tmp_path / "t61.pem", tmp_path / "t61.key", pki.inter_pem)
    assert built.returncode == 0, built.stderr
    signed = out / "manual-updates.signed.mobileconfig"
    oracle = subprocess.run(
        ["openssl", "cms", "-verify", "-inform", "der", "-in", signed, "-CAfile", pki.root_pem, "-out", os.devnull],
        capture_output=True,
        text=True,
    )
    verdict = run_process("verify", signed, "--ca", pki.root_pem)
    assert (verdict.returncode == 0) == (oracle.returncode == 0), (verdict.stdout, oracle.stderr)
    for command in ("inspect", "check"):  # a T61String subject is read, never a traceback
        result = run_process(command, signed)
        assert "Traceback" not in result.stderr and result.returncode in (0, 1), result.stderr
        assert "T61 Signer" in result.stdout or command == "check", result.stdout


def impossible_key_usage_bits(tbs: bytes) -> bytes:
    at = tbs.index(b"\x03\x02", tbs.index(bytes.fromhex("0603551d0f")))  # keyUsage's BIT STRING
    return tbs[:at] + b"\x03\x02\x08" + tbs[at + 3 :]  # 8 unused bits of 8


def ec_point_off_its_curve(tbs: bytes) -> bytes:
    at = tbs.index(bytes.fromhex("034200")) + 3  # the subject's P-256 point: 04 || X || Y
    return tbs[: at + 64] + bytes([tbs[at + 64] ^ 1]) + tbs[at + 65 :]  # the last byte of Y, changed


@pytest.mark.parametrize("damage", [impossible_key_usage_bits, ec_point_off_its_curve])
def test_a_damaged_signing_certificate_is_refused_in_one_line(tmp_path, pki, damage):
    leaf = pki.leaf(f"damaged-{damage.__name__}", kind="ec")
    broken = resigned(pki, leaf, tmp_path, damage)
    result = signed_build(tmp_path / "out", broken, leaf.key_pem)
    assert result.returncode == 1 and "is malformed" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and not (tmp_path / "out").exists()
