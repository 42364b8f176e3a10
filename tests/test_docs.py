"""Documentation that can't drift from the code."""

import pytest

from profilegen.cli import docs

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", list(docs.BLOCKS))
def test_every_generated_block_of_the_readme_matches_the_code(catalog, name):
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    assert start in README and end in README, f"README lacks the {name} block"
    written = README.split(start, 1)[1].split(end, 1)[0].strip()
    assert written == docs.BLOCKS[name](catalog), "run: python -m profilegen.cli.docs"
    assert docs.update(README, catalog) == README


def test_the_generated_tables_name_what_the_code_has(catalog):
    from profilegen.core.registry import FORMATS, KINDS
    from profilegen.errors import EXIT_CODES

    for needle in [*FORMATS, *KINDS, *(d.alias for d in catalog.domains.values()), *catalog.preferences]:
        assert f"`{needle}`" in README, needle
    for code in EXIT_CODES:
        assert f"\n| {code} | " in README


def test_ci_runs_the_readmes_test_command():
    command = README.split("```sh\n")[2].splitlines()[0]
    assert "pytest" in command
    assert command in (ROOT / ".ci" / "run").read_text().splitlines()


def test_readme_starts_with_the_two_commands():
    blocks = README.split("```sh\n")[1:3]
    assert "profilegen build --preset most-private-current" in blocks[0]
    assert "pytest" in blocks[1]


def test_every_command_and_build_option_is_documented():
    import typer

    from profilegen.cli.app import app

    group = typer.main.get_command(app)
    assert len(group.commands) >= 9
    for name in group.commands:
        assert f"profilegen {name}" in README, name
    for param in group.commands["build"].params:
        for flag in param.opts:
            if flag != "--help":
                assert f"`{flag}" in README, flag
