"""profilegen's benchmark: start-up, a build, a signed batch of 1,000, and peak memory.

    python benchmarks/run.py [--runs N] [--batch N]

Every figure is the median of several runs on this machine, measured around a
real subprocess (wall time, and peak RSS from wait4), against a floor:
- (a) `profilegen build --preset volume-license-offline` (default outputs, unsigned)
      against `python3 -c "import plistlib, tomllib"`;
- (b) `profilegen --help` against the same floor;
- (c) building and signing N profiles (N configs differing in organization and
      identifier) in one batch call, against a shell loop that signs the same N
      unsigned profiles with `openssl smime -sign -binary -nodetach -outform der`;
- (d) the peak RSS of (a) and of (c).
The signing identity is a throwaway EC P-256 leaf under an intermediate and a root,
made here; both sides sign with the same key and include the same intermediate.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PYTHON = sys.executable
PROFILEGEN = [PYTHON, "-m", "profilegen"]
TARGETS = {"build": 3.0, "help": 3.0, "batch": 15.0, "rss_build": 60.0, "rss_batch": 120.0}


# Measure Python as users run it: with bytecode caches (a wheel install has them).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def measure(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS in MB of one run of command."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{process.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024


def interleaved(runs: int, commands: dict, cwd: Path, prepare=None) -> dict[str, tuple[float, float]]:
    """Median wall time and peak RSS of each command, run in turn so that noise on a
    shared machine falls on all of them alike. One warm-up run first fills caches."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    peaks: dict[str, float] = {name: 0.0 for name in commands}
    for round_ in range(runs + 1):
        for name, command in commands.items():
            if prepare:
                prepare(name)
            elapsed, peak = measure(command, cwd)
            if round_:
                times[name].append(elapsed)
                peaks[name] = max(peaks[name], peak)
    return {name: (statistics.median(times[name]), peaks[name]) for name in commands}


def identity(folder: Path) -> tuple[Path, Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)

    def cert(cn, key, issuer=None, issuer_key=None, ca=False):
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
        return (x509.CertificateBuilder().subject_name(name).issuer_name(issuer or name)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
                .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                             data_encipherment=False, key_agreement=False, key_cert_sign=ca,
                                             crl_sign=ca, encipher_only=False, decipher_only=False), critical=True)
                .sign(issuer_key or key, hashes.SHA256()))

    root_key, inter_key, leaf_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    root = cert("Benchmark Root", root_key, ca=True)
    inter = cert("Benchmark Intermediate", inter_key, root.subject, root_key, ca=True)
    leaf = cert("Benchmark Signer", leaf_key, inter.subject, inter_key)
    pem = serialization.Encoding.PEM
    (folder / "leaf.pem").write_bytes(leaf.public_bytes(pem))
    (folder / "leaf.key").write_bytes(leaf_key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                             serialization.NoEncryption()))
    (folder / "chain.pem").write_bytes(inter.public_bytes(pem))
    return folder / "leaf.pem", folder / "leaf.key", folder / "chain.pem"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="runs per start-up figure (median)")
    parser.add_argument("--batch", type=int, default=1000, help="profiles in the signed batch")
    parser.add_argument("--batch-runs", type=int, default=3, help="runs of the batch figures (median)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="profilegen-bench-"))
    try:
        run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(args, work: Path) -> None:
    out = work / "build"
    quick = interleaved(args.runs, {
        "floor": [PYTHON, "-c", "import plistlib, tomllib"],
        "build": [*PROFILEGEN, "build", "--preset", "volume-license-offline", "-o", str(out)],
        "help": [*PROFILEGEN, "--help"],
    }, work, prepare=lambda name: shutil.rmtree(out, ignore_errors=True))
    (floor, _), (build, rss_build), (help_time, _) = quick["floor"], quick["build"], quick["help"]

    cert, key, chain = identity(work)
    configs = work / "configs"
    configs.mkdir()
    for i in range(args.batch):
        (configs / f"site-{i:04d}.toml").write_text(
            f'preset = "volume-license-offline"\n[profile]\norganization = "Site {i}"\n'
            f'identifier = "com.example.site{i}.office"\n')
    # The unsigned profiles the openssl loop signs: the same ones the batch builds.
    unsigned = work / "unsigned"
    measure([*PROFILEGEN, "build", "--config-dir", str(configs), "-f", "mobileconfig", "-o", str(unsigned)], work)
    loop = work / "loop.sh"
    loop.write_text(
        'set -e\nmkdir -p "$2"\nfor f in "$1"/*/*.mobileconfig; do\n'
        '  openssl smime -sign -binary -nodetach -outform der -signer "$3" -inkey "$4" -certfile "$5" '
        '-in "$f" -out "$2/$(basename "$f" .mobileconfig).signed.mobileconfig"\ndone\n')
    outputs = {"batch": work / "batch", "openssl": work / "openssl"}
    batches = interleaved(args.batch_runs, {
        "batch": [*PROFILEGEN, "build", "--config-dir", str(configs), "-f", "mobileconfig",
                  "-o", str(outputs["batch"]), "--sign-cert", str(cert), "--sign-key", str(key),
                  "--sign-chain", str(chain)],
        "openssl": ["sh", str(loop), str(unsigned), str(outputs["openssl"]), str(cert), str(key), str(chain)],
    }, work, prepare=lambda name: shutil.rmtree(outputs[name], ignore_errors=True))
    (batch, rss_batch), (openssl, _) = batches["batch"], batches["openssl"]
    assert len(list(outputs["batch"].rglob("*.signed.mobileconfig"))) == args.batch
    assert len(list(outputs["openssl"].iterdir())) == args.batch

    figures = [
        ("(a) build vs floor", f"{build * 1000:.0f} ms vs {floor * 1000:.0f} ms", build / floor, "≤", TARGETS["build"]),
        ("(b) --help vs floor", f"{help_time * 1000:.0f} ms vs {floor * 1000:.0f} ms", help_time / floor, "≤",
         TARGETS["help"]),
        (f"(c) signed batch of {args.batch} vs openssl loop", f"{batch:.2f} s vs {openssl:.2f} s", openssl / batch,
         "≥", TARGETS["batch"]),
        ("(d) peak RSS of (a)", f"{rss_build:.1f} MB", rss_build, "≤", TARGETS["rss_build"]),
        ("(d) peak RSS of (c)", f"{rss_batch:.1f} MB", rss_batch, "≤", TARGETS["rss_batch"]),
    ]
    print(f"profilegen benchmark: Python {platform.python_version()}, {platform.machine()}, "
          f"{os.cpu_count()} cores, {platform.platform()}; medians of {args.runs} runs "
          f"({args.batch_runs} for the batch)")
    for label, detail, value, sense, target in figures:
        met = value <= target if sense == "≤" else value >= target
        unit = "" if "RSS" in label else "×"
        shown = f"{value:.1f}{unit}" if unit else f"{value:.1f} MB"
        print(f"{label:<42} {detail:<24} {shown:>9}  target {sense} {target:g}{unit or ' MB'}  "
              f"{'met' if met else 'NOT MET'}")


if __name__ == "__main__":
    main()
