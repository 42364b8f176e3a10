"""profilegen's benchmark: start-up, a build, signed batches of 1,000, and peak memory.

    python benchmarks/run.py [--runs N] [--batch N] [--batch-runs N]

Every figure is a ratio from paired runs: in each round the commands compared run
one after the other, around a real subprocess (wall time, and peak RSS from wait4),
so that noise on a shared machine falls on both; the figure is the median of the
rounds' ratios, with the spread of those ratios (lowest to highest).
- (a) `profilegen build --preset volume-license-offline` (every output, unsigned)
      against the floor, `python3 -c "import plistlib, tomllib"`;
- (b) `profilegen --help` against the same floor;
- (c) building and signing N profiles (N configs differing in organization and
      identifier) in one batch call, against a shell loop that signs the same N
      unsigned profiles with `openssl smime -sign -binary -nodetach -outform der`,
      with an EC P-256 key and with an RSA-2048 key;
- (d) the peak RSS of (a), of (c) and of (e), (e) at N and at 3N profiles: what an audit keeps
      grows with the settings it finds, not with the files it reads;
- (e) `profilegen audit` of the N unsigned profiles of (c), in their folders (the text report;
      --json adds the document, which lists every source), against Python reading the same
      files with plistlib (the floor of any audit).
The signing identities are throwaway leaves under an intermediate and a root, made
here; both sides sign with the same key and include the same intermediate.
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
TARGETS = {
    "build": 3.0,
    "help": 2.5,
    "batch-ec": 8.0,
    "batch-rsa": 5.0,
    "audit": 3.0,
    "rss_build": 60.0,
    "rss_batch": 120.0,
    "rss_audit": 60.0,
}


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


def interleaved(runs: int, commands: dict, cwd: Path, prepare=None) -> tuple[dict[str, list[float]], dict[str, float]]:
    """Each command's wall times, round by round, and its peak RSS: in each round the commands
    run in turn (the order alternating between rounds), so that noise on a shared machine falls
    on all of them alike. One warm-up round first fills caches."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    peaks: dict[str, float] = {name: 0.0 for name in commands}
    for round_ in range(runs + 1):
        order = list(commands) if round_ % 2 else list(reversed(commands))
        measured = {}
        for name in order:
            if prepare:
                prepare(name)
            measured[name] = measure(commands[name], cwd)
        if round_:
            for name, (elapsed, peak) in measured.items():
                times[name].append(elapsed)
                peaks[name] = max(peaks[name], peak)
    return times, peaks


def clear(path: Path, work: Path) -> None:
    """Move an earlier run's output aside (deleted with the work folder at the end) and flush the
    file system: deleting a thousand folders goes on in the background and would be charged to
    whatever runs next."""
    if path.exists():
        trash = work / "trash"
        trash.mkdir(exist_ok=True)
        path.rename(trash / f"{path.name}-{len(list(trash.iterdir()))}")
    os.sync()


def paired(times: dict[str, list[float]], numerator: str, denominator: str) -> tuple[float, float, float]:
    """The median of the rounds' ratios numerator/denominator, and the lowest and highest."""
    ratios = [a / b for a, b in zip(times[numerator], times[denominator], strict=True)]
    return statistics.median(ratios), min(ratios), max(ratios)


def identity(folder: Path, kind: str) -> tuple[Path, Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)

    def cert(cn, key, issuer=None, issuer_key=None, ca=False):
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
        return (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(issuer or name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=ca,
                    crl_sign=ca,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(issuer_key or key, hashes.SHA256())
        )

    from cryptography.hazmat.primitives.asymmetric import rsa

    root_key, inter_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(2))
    leaf_key = (
        ec.generate_private_key(ec.SECP256R1())
        if kind == "ec"
        else rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    root = cert("Benchmark Root", root_key, ca=True)
    inter = cert("Benchmark Intermediate", inter_key, root.subject, root_key, ca=True)
    leaf = cert("Benchmark Signer", leaf_key, inter.subject, inter_key)
    pem = serialization.Encoding.PEM
    (folder / f"{kind}.pem").write_bytes(leaf.public_bytes(pem))
    (folder / f"{kind}.key").write_bytes(
        leaf_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    (folder / f"{kind}-chain.pem").write_bytes(inter.public_bytes(pem))
    return folder / f"{kind}.pem", folder / f"{kind}.key", folder / f"{kind}-chain.pem"


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
    times, peaks = interleaved(
        args.runs,
        {
            "floor": [PYTHON, "-c", "import plistlib, tomllib"],
            "build": [*PROFILEGEN, "build", "--preset", "volume-license-offline", "-o", str(out)],
            "help": [*PROFILEGEN, "--help"],
        },
        work,
        prepare=lambda name: clear(out, work),
    )
    median = {name: statistics.median(values) for name, values in times.items()}
    figures = [
        (
            "(a) build vs floor",
            f"{median['build'] * 1000:.0f} ms vs {median['floor'] * 1000:.0f} ms",
            paired(times, "build", "floor"),
            "≤",
            TARGETS["build"],
        ),
        (
            "(b) --help vs floor",
            f"{median['help'] * 1000:.0f} ms vs {median['floor'] * 1000:.0f} ms",
            paired(times, "help", "floor"),
            "≤",
            TARGETS["help"],
        ),
    ]
    rss = [("(d) peak RSS of (a)", peaks["build"], TARGETS["rss_build"])]

    configs = work / "configs"
    configs.mkdir()
    for i in range(args.batch):
        (configs / f"site-{i:04d}.toml").write_text(
            f'preset = "volume-license-offline"\n[profile]\norganization = "Site {i}"\n'
            f'identifier = "com.example.site{i}.office"\n'
        )
    # The unsigned profiles the openssl loop signs: the same ones the batch builds.
    unsigned = work / "unsigned"
    measure([*PROFILEGEN, "build", "--config-dir", str(configs), "-f", "mobileconfig", "-o", str(unsigned)], work)
    loop = work / "loop.sh"
    loop.write_text(
        'set -e\nmkdir -p "$2"\nfor f in "$1"/*/*.mobileconfig; do\n'
        '  openssl smime -sign -binary -nodetach -outform der -signer "$3" -inkey "$4" -certfile "$5" '
        '-in "$f" -out "$2/$(basename "$f" .mobileconfig).signed.mobileconfig"\ndone\n'
    )
    for kind, label in (("ec", "EC P-256"), ("rsa", "RSA-2048")):
        cert, key, chain = identity(work, kind)
        outputs = {"batch": work / f"batch-{kind}", "openssl": work / f"openssl-{kind}"}
        times, peaks = interleaved(
            args.batch_runs,
            {
                "batch": [
                    *PROFILEGEN,
                    "build",
                    "--config-dir",
                    str(configs),
                    "-f",
                    "mobileconfig",
                    "-o",
                    str(outputs["batch"]),
                    "--sign-cert",
                    str(cert),
                    "--sign-key",
                    str(key),
                    "--sign-chain",
                    str(chain),
                ],
                "openssl": ["sh", str(loop), str(unsigned), str(outputs["openssl"]), str(cert), str(key), str(chain)],
            },
            work,
            prepare=lambda name, outputs=outputs: clear(outputs[name], work),
        )
        assert len(list(outputs["batch"].rglob("*.signed.mobileconfig"))) == args.batch
        assert len(list(outputs["openssl"].iterdir())) == args.batch
        figures.append(
            (
                f"(c) {args.batch} signed, {label}, vs openssl",
                f"{statistics.median(times['batch']):.2f} s vs {statistics.median(times['openssl']):.2f} s",
                paired(times, "openssl", "batch"),
                "≥",
                TARGETS[f"batch-{kind}"],
            )
        )
        rss.append((f"(d) peak RSS of (c), {label}", peaks["batch"], TARGETS["rss_batch"]))

    # (e) An export of N profiles audited, against reading them with plistlib; and 3N, for memory.
    floor = (
        "import pathlib, plistlib, sys\n"
        "for p in pathlib.Path(sys.argv[1]).rglob('*.mobileconfig'): plistlib.loads(p.read_bytes())"
    )
    thrice = work / "thrice"
    for copy in range(3):
        shutil.copytree(unsigned, thrice / f"copy-{copy}")
    times, peaks = interleaved(
        args.batch_runs,
        {
            "audit": [*PROFILEGEN, "audit", str(unsigned)],
            "plistlib": [PYTHON, "-c", floor, str(unsigned)],
            "audit-3n": [*PROFILEGEN, "audit", str(thrice)],
        },
        work,
    )
    figures.append(
        (
            f"(e) audit of {args.batch} vs plistlib",
            f"{statistics.median(times['audit']):.2f} s vs {statistics.median(times['plistlib']):.2f} s",
            paired(times, "audit", "plistlib"),
            "≤",
            TARGETS["audit"],
        )
    )
    rss.append((f"(d) peak RSS of (e), {args.batch} profiles", peaks["audit"], TARGETS["rss_audit"]))
    rss.append((f"(d) peak RSS of (e), {3 * args.batch} profiles", peaks["audit-3n"], TARGETS["rss_audit"]))

    print(
        f"profilegen benchmark: Python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} cores, {platform.platform()}; {args.runs} paired rounds "
        f"({args.batch_runs} for the batches); ratio = median of the rounds' ratios [lowest-highest]"
    )
    for label, detail, (ratio, low, high), sense, target in figures:
        met = ratio <= target if sense == "≤" else ratio >= target
        print(
            f"{label:<36} {detail:<22} {ratio:5.1f}× [{low:.1f}-{high:.1f}]  target {sense} {target:g}×  "
            f"{'met' if met else 'NOT MET'}"
        )
    for label, peak, target in rss:
        print(f"{label:<36} {peak:.1f} MB{'':<29} target ≤ {target:g} MB  {'met' if peak <= target else 'NOT MET'}")


if __name__ == "__main__":
    main()
