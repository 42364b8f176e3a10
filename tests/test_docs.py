"""Documentation that can't drift from the code."""

from conftest import ROOT
from profilegen import docs


def test_readme_settings_table_matches_the_catalog(catalog):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert docs.settings_table(catalog) in readme, "run: python -m profilegen.docs"
    assert docs.update(readme, catalog) == readme


def test_ci_runs_the_readmes_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert ci in readme
    assert "pytest" in ci


def test_readme_starts_with_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = readme.split("```sh\n")[1:3]
    assert "profilegen build --preset volume-license-offline" in blocks[0]
    assert "pytest" in blocks[1]


def test_every_command_is_documented():
    from profilegen.cli import app

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert len(names) >= 9
    for name in names:
        assert f"profilegen {name}" in readme, name
