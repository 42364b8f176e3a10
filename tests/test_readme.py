"""The README runs as written: every example of profilegen's own commands, in order, in an empty
folder, as a reader who has just cloned and installed it would type them; the generated
scripts run against stand-ins for the macOS tools. Where the README shows what a command
prints, the output must show it too ("..." stands for what the README leaves out).

A reader brings some files of their own (a signing identity, profiles to check, a config):
FILES makes them. A few words are the reader's to fill in (a password, a proxy); PLACEHOLDERS
fills them. A command that needs what no test has here (a terminal) is in SKIPPED with the
reason; the setup commands before `profilegen` (venv, pip) are the ones that made the suite's
own environment, and the pipeline examples that test_consoles runs whole are left to it."""

import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import HUNG, ROOT, SHARED

README = ROOT / "README.md"
HERE = Path(__file__).parent
PASSWORD = "correct horse"

SKIPPED = {"profilegen wizard": "needs a terminal: test_wizard answers it in a pseudo-terminal"}
# Exit codes other than 0 that an example is expected to give, by the start of its command.
EXPECTED = {
    "profilegen build --set UseOnlineContent=off": {1},
    "profilegen diff ": {1},  # the two selections differ
    "profilegen audit fleet": {1},  # two presets that disagree on DiagnosticDataTypePreference
    "sh build/volume-license-offline-probe.sh": {2},  # the proxy is a closed port: said so, no host tried
}


def blocks(text: str):
    """(first line number, info string, lines) of every fenced block, the example blocks that
    test_consoles runs whole (`<!-- example:NAME -->`) left out."""
    lines = text.splitlines()
    found, start = [], None
    for n, line in enumerate(lines):
        if line.startswith("```"):
            if start is None:
                start, info = n, line[3:].strip()
            else:
                if not (start > 0 and lines[start - 1].startswith("<!-- example:")):
                    found.append((start + 1, info, lines[start + 1 : n]))
                start = None
    return found


def uncommented(line: str) -> str:
    """A shell line without its comment: from a `#` that starts a word, outside quotes."""
    quote = None
    for i, char in enumerate(line):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip()
    return line.rstrip()


def examples(text: str) -> list[tuple[int, str, list[str]]]:
    """(line, command, what the README shows it printing) for each example of profilegen's own
    commands and of the scripts it writes, in the README's order."""
    found = []
    for line, info, body in blocks(text):
        if info in ("sh", "bash"):
            joined = "\n".join(uncommented(row) for row in body).replace("\\\n", " ")
            for part in joined.splitlines():
                for piece in part.split(" && "):
                    piece = " ".join(piece.replace(".venv/bin/profilegen", "profilegen").split())
                    if re.match(r"(sudo )?(\w+=\S+ )?(profilegen|sh build/)|mkdir -p \S+$", piece) is None:
                        continue
                    if piece.startswith("mkdir"):
                        found.append((line, piece, []))  # what the next example writes into
                    else:
                        found.append((line, piece, []))
        elif info == "text":
            for i, row in enumerate(body):
                if row.startswith("$ "):
                    shown = []
                    for after in body[i + 1 :]:
                        if after.startswith("$ "):
                            break
                        shown.append(after)
                    found.append((line, uncommented(row[2:]), shown))
        elif info == "yaml":
            for row in body:
                match = re.match(r"\s*(?:- )?run: (profilegen .*)", row)
                if match:
                    found.append((line, match.group(1), []))
    return found


def test_every_example_is_found():
    found = [command for _, command, _ in examples(README.read_text())]
    assert "profilegen build --preset most-private-current" in found  # the README's first command
    assert any(c.startswith("sudo sh build/volume-license-offline.sh") for c in found)
    assert any(c.startswith("profilegen diff") for c in found)
    assert len(found) > 30


def fake_tools(folder: Path) -> Path:
    """The macOS tools the generated scripts call, as tests/fake_macos.sh stands in for them."""
    bin_dir = folder / "fake-bin"
    bin_dir.mkdir()
    for tool in ("defaults", "id", "scutil", "stat", "dscl", "launchctl", "sudo"):
        (bin_dir / tool).symlink_to(HERE / "fake_macos.sh")
    return bin_dir


def files(folder: Path, pki) -> dict[str, str]:
    """What a reader has beside them, under the names the README gives."""
    text = README.read_text()
    config = re.search(r"```toml\n(# Start from a preset.*?)```", text, re.S)
    assert config, "the README's config example"
    (folder / "site.toml").write_text(config.group(1))  # the README's own example config
    leaf = pki.leaf("reader")
    shutil.copy(leaf.cert_pem, folder / "signer.pem")
    shutil.copy(leaf.key_pem, folder / "signer.key")
    shutil.copy(pki.inter_pem, folder / "intermediates.pem")
    shutil.copy(pki.p12(leaf, PASSWORD.encode()), folder / "signer.p12")
    shutil.copy(pki.root_pem, folder / "root.pem")
    (folder / "certs").mkdir()
    shutil.copy(pki.root_pem, folder / "certs" / "root.pem")
    (folder / "pw.txt").write_text(PASSWORD + "\n")
    real = SHARED / "reference" / "real-profiles" / "rtrouton__DisableOffice2016Telemetry.mobileconfig"
    return {"real": str(real) if real.exists() else ""}


@pytest.mark.slow
def test_the_readme_runs_as_written(tmp_path, pki):
    home, work = tmp_path / "home", tmp_path / "work"
    work.mkdir()
    for folder in (".local/share/bash-completion/completions", ".config/fish/completions"):
        (home / folder).mkdir(parents=True)
    have = files(work, pki)
    fakes = fake_tools(tmp_path)
    with socket.socket() as closed:  # a proxy address where nothing listens
        closed.bind(("127.0.0.1", 0))
        proxy = f"http://127.0.0.1:{closed.getsockname()[1]}"
        placeholders = {
            "PROFILEGEN_P12_PASSWORD=...": f"PROFILEGEN_P12_PASSWORD={shlex.quote(PASSWORD)}",
            " [--json]": "",
            "http://proxy.example.com:3128": proxy,
        }
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("PROFILEGEN_", "https_proxy", "HTTPS_PROXY"))},
            "HOME": str(home),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "COLUMNS": "80",
            "FAKE_DIR": str(tmp_path),
            "FAKE_CONSOLE": "jane",
            "FAKE_USERS": "jane:501:/Users/jane alex:502:/Users/alex",
        }
        ran, skipped, unmade = [], [], []
        for line, command, shown in examples(README.read_text()):
            reason = next(
                (why for start, why in SKIPPED.items() if command.startswith(start) or start in command), None
            )
            if reason:
                skipped.append(command)
                continue
            for word, value in placeholders.items():
                command = command.replace(word, value)
            if any(name in command for name in unmade):
                continue  # made from the public profile this run doesn't have
            if "rtrouton__" in command:
                if not have["real"]:
                    # A public profile of ../shared: the reference tests have it, and what the
                    # example writes from it (-o FILE) isn't here for the examples after it.
                    unmade += re.findall(r"-o (\S+)", command)
                    continue
                shutil.copy(have["real"], work / Path(have["real"]).name)
            if command.startswith("profilegen check 'profiles/") or "'profiles/" in command:
                (work / "profiles").mkdir(exist_ok=True)
                for built in sorted((work / "build").glob("*.mobileconfig")):
                    shutil.copy(built, work / "profiles" / built.name)
            if "some.mobileconfig" in command and not (work / "some.mobileconfig").exists():
                shutil.copy(work / "build" / "site.mobileconfig", work / "some.mobileconfig")
            run_env = dict(env)
            script = re.match(r"(sudo )?sh build/(?!.*probe)", command)
            if script:
                # As root through the stand-in sudo's user (sudo), or as the logged-in user.
                run_env["PATH"] = f"{fakes}{os.pathsep}{env['PATH']}"
                run_env.update(
                    {"FAKE_WHOAMI": "root", "FAKE_UID": "0"}
                    if script.group(1)
                    else {"FAKE_WHOAMI": "jane", "FAKE_UID": "501"}
                )
                command = command.removeprefix("sudo ")
            done = subprocess.run(
                ["sh", "-c", command], cwd=work, env=run_env, capture_output=True, text=True, timeout=HUNG
            )
            expected = next((codes for start, codes in EXPECTED.items() if command.startswith(start)), {0})
            where = f"README line {line}: {command}\n{done.stdout[-1500:]}{done.stderr[-1500:]}"
            assert done.returncode in expected, where
            assert "Traceback" not in done.stderr and "No such option" not in done.stderr, where
            if command.startswith("sh build/volume-license-offline-probe.sh"):
                assert "can't be reached" in done.stderr or "curl is not installed" in done.stderr, where
            printed = (done.stdout + done.stderr).splitlines()
            for row in shown:
                if row.strip() == "...":
                    continue
                pattern = re.compile(".*".join(map(re.escape, row.split("..."))))
                assert any(pattern.fullmatch(p) for p in printed), f"{where}\nnot printed: {row}"
            ran.append(command)
    assert len(ran) > 25 and set(skipped) == {"profilegen wizard"}
    # The scripts ran for real against the stand-ins: as root they wrote the users' preferences
    # through launchctl asuser (--all-users last, for both accounts).
    assert {p.name for p in (tmp_path / "prefs").iterdir()} >= {"jane", "alex"}
    assert "launchctl\troot\tasuser 502" in (tmp_path / "calls.log").read_text()
