"""What a rebuild may remove from the output folder: only files its earlier build can be shown
to have written (listed in its manifest, with the same size and SHA-256), never a file the user
put there or changed, never another build's, never through a link; and never silently."""

import hashlib
import json
import os
import signal
import subprocess

import pytest

from conftest import Held, run

ID = ("--identifier", "com.example.office")
PAC = ("--pac-proxy", "proxy.example.com:3128")


def files(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() or p.is_symlink())


def full_build(out, *extra):
    result = run("build", "-p", "manual-updates", "-o", out, *ID, *PAC, *extra)
    assert result.returncode == 0, result.stderr
    return result


def test_fewer_formats_remove_the_others_and_say_so(tmp_path):
    out = tmp_path / "out"
    full_build(out)
    before = set(files(out))
    result = run("build", "-p", "manual-updates", "-o", out, *ID, *PAC, "-f", "pac", "--force", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    after = set(files(out))
    assert after == {"manual-updates.pac", "manual-updates.manifest.json"}
    gone = before - after
    assert sorted(data["removed"]) == sorted(gone) and gone
    text = run("build", "-p", "manual-updates", "-o", out, *ID, *PAC, "--force").stdout.splitlines()
    assert not [line for line in text if line.startswith("removed ")]  # nothing stale after a full build
    text = run("build", "-p", "manual-updates", "-o", out, *ID, *PAC, "-f", "pac", "--force").stdout.splitlines()
    assert sorted(line.removeprefix("removed ") for line in text if line.startswith("removed ")) == sorted(gone)


def test_a_file_the_user_put_or_changed_survives_every_rebuild(tmp_path):
    out = tmp_path / "out"
    full_build(out)
    (out / "notes.txt").write_text("mine")
    (out / "manual-updates-intune" / "mine.plist").write_text("mine too")
    changed = out / "manual-updates.sh"
    changed.write_text(changed.read_text() + "# my change\n")
    result = run("build", "-p", "manual-updates", "-o", out, *ID, *PAC, "-f", "pac", "--force")
    assert result.returncode == 0, result.stderr
    assert (out / "notes.txt").read_text() == "mine" and (out / "manual-updates-intune" / "mine.plist").exists()
    assert changed.read_text().endswith("# my change\n")
    assert "Warning: manual-updates.sh was changed since profilegen wrote it: left in place" in result.stderr
    assert "removed manual-updates.sh" not in result.stdout
    # The intune folder keeps the user's file, so it stays; profilegen's files in it are gone.
    assert files(out / "manual-updates-intune") == ["mine.plist"]


def test_a_batch_reads_each_manifest_from_its_own_subfolder(tmp_path):
    configs, out = tmp_path / "configs", tmp_path / "out"
    configs.mkdir()
    for name in ("a", "b"):
        (configs / f"{name}.toml").write_text('preset = "manual-updates"\n[profile]\nidentifier = "com.example.o"\n')
    assert run("build", "--config-dir", configs, "-o", out).returncode == 0
    # The user's files in the parent, under the names the subfolders' files have.
    for name in ("a.sh", "a.mobileconfig", "b.sh"):
        (out / name).write_text("the user's")
    (out / "a" / "notes.txt").write_text("mine")
    again = run("build", "--config-dir", configs, "-o", out, "-f", "mobileconfig", "--force", "--json")
    assert again.returncode == 0, again.stderr
    assert all((out / name).read_text() == "the user's" for name in ("a.sh", "a.mobileconfig", "b.sh"))
    assert (out / "a" / "notes.txt").exists() and not (out / "a" / "a.sh").exists()
    removed = json.loads(again.stdout)["removed"]
    assert "a/a.sh" in removed and "b/b.sh" in removed and not any("/" not in r for r in removed)


def test_builds_whose_names_overlap_never_claim_each_others_files(tmp_path):
    out = tmp_path / "out"
    full_build(out, "--name", "a")  # writes a-probe.sh, the name build a-probe gives its script
    before = (out / "a-probe.sh").read_bytes()
    for force in ((), ("--force",)):
        other = run("build", "-p", "manual-updates", "-o", out, *ID, *PAC, "--name", "a-probe", *force)
        assert other.returncode == 1 and len(other.stderr.splitlines()) == 1
        assert "a-probe.sh" in other.stderr
    assert "belongs to another build (a.manifest.json lists it)" in other.stderr
    assert (out / "a-probe.sh").read_bytes() == before
    # And a rebuild of a, with fewer formats, removes only a's own files.
    full_build(out, "--name", "a", "-f", "mobileconfig", "--force")
    assert not (out / "a-probe.sh").exists()


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        json.dumps({"generator": "profilegen", "files": ["manual-updates.sh"]}),  # no checksums: an old one
        json.dumps({"generator": "someone else", "format": 2, "files": []}),
        "[" * 100_000 + "]" * 100_000,
        json.dumps({"generator": "profilegen", "files": [{"path": "x", "size": 1, "sha256": "no"}]}),
    ],
    ids=["garbage", "old", "foreign", "deep", "bad-entry"],
)
def test_a_manifest_it_can_not_trust_is_one_warning_and_removes_nothing(tmp_path, text):
    out = tmp_path / "out"
    full_build(out)
    (out / "manual-updates.manifest.json").write_text(text)
    before = set(files(out))
    result = run("build", "-p", "manual-updates", "-o", out, *ID, *PAC, "-f", "pac", "--force")
    assert result.returncode == 0, result.stderr
    assert [line for line in result.stderr.splitlines() if "manifest.json" in line] == [
        line for line in result.stderr.splitlines() if "nothing is removed on its word" in line
    ]
    assert len([line for line in result.stderr.splitlines() if "nothing is removed" in line]) == 1
    assert set(files(out)) == before and "removed " not in result.stdout


def test_a_manifest_larger_than_any_input_is_not_read(tmp_path):
    out = tmp_path / "out"
    full_build(out)
    manifest = out / "manual-updates.manifest.json"
    with manifest.open("w") as f:
        f.truncate(17 * 1024 * 1024)
    result = run("build", "-p", "manual-updates", "-o", out, *ID, *PAC, "-f", "pac", "--force")
    assert result.returncode == 0 and "larger than 16 MB" in result.stderr
    assert (out / "manual-updates.sh").exists()


@pytest.mark.timing
def test_temporary_files_of_a_killed_build_are_removed_by_the_next(tmp_path):
    out = tmp_path / "out"
    build = Held("build", "-p", "manual-updates", "-o", out, *ID, *PAC, stdout=subprocess.DEVNULL)
    build.until("staged")
    left = [name for name in os.listdir(out) if name.startswith(".profilegen-tmp-")]
    assert left  # what SIGKILL leaves: no handler runs
    build.process.send_signal(signal.SIGKILL)
    build.release()
    build.process.wait()
    result = run("build", "-p", "manual-updates", "-o", out, *ID, *PAC)
    assert result.returncode == 0, result.stderr
    assert not [p for p in out.rglob(".profilegen-tmp-*")]
    assert {f"removed {name}" for name in left} <= set(result.stdout.splitlines())


@pytest.mark.timing
def test_a_subfolder_swapped_for_a_link_mid_build_redirects_nothing(tmp_path):
    out, outside = tmp_path / "out", tmp_path / "outside"
    outside.mkdir()
    full_build(out)
    intune = out / "manual-updates-intune"
    build = Held(
        "build", "-p", "manual-updates", "-o", out, *ID, *PAC, "-f", "intune-plist", "--force",
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    build.until("staged")  # its files are written beside their targets, through a handle on the folder
    intune.rename(out / "moved")
    intune.symlink_to(outside)
    code, stderr = build.finish()
    assert code == 0, stderr
    assert os.listdir(outside) == []  # neither written nor removed through the link
    assert sorted(os.listdir(out / "moved")) == sorted(
        f"{d}.plist"
        for d in ("com.microsoft.autoupdate2",)  # manual-updates sets AutoUpdate alone
    )


def test_wrote_lines_fit_80_columns_from_the_output_folder(tmp_path):
    out = tmp_path / ("a-rather-long-folder-name-" * 3)
    result = full_build(out)
    wrote = [line for line in result.stdout.splitlines() if line.startswith("wrote ")]
    assert wrote and all(len(line) <= 80 for line in wrote)
    assert all(not line.split()[1].startswith("/") for line in wrote)
    assert f"in {out}/:" in result.stdout.splitlines()


def test_the_manifest_lists_each_file_with_its_size_and_checksum(tmp_path):
    out = tmp_path / "out"
    full_build(out)
    listed = json.loads((out / "manual-updates.manifest.json").read_text())["files"]
    assert {f["path"] for f in listed} == set(files(out)) - {"manual-updates.manifest.json"}
    for f in listed:
        body = (out / f["path"]).read_bytes()
        assert (f["size"], f["sha256"]) == (len(body), hashlib.sha256(body).hexdigest())
