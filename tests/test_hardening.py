"""Reproductions from a fault and fuzz campaign: nothing written outside the output folder, no
symlink followed out of it, nothing left behind by a failed build, a batch a batch at any size."""

import json
import os
import resource
import subprocess
import sys

import pytest

from conftest import run


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
