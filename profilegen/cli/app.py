"""The command line: the typer app and its commands, each of which parses its options and makes
one call below (building, listing and profiles hold them, by what they do).

Domain errors cross into the CLI in one place, `_Group.invoke`, which prints
them as one `Error: ...` line and exits with the error's code.
"""

import os
from typing import Annotated

import typer
from typer import _click as click  # typer's own copy of click: the only one installed
from typer._click.exceptions import UsageError
from typer.core import TyperGroup

from profilegen import __version__
from profilegen.cli import building, completion, listing, profiles
from profilegen.cli.console import error
from profilegen.core.request import Request, from_options
from profilegen.errors import ProfilegenError


class _Failure(click.ClickException):
    """One `Error: ...` line on stderr, and the exit code the error class says."""

    def __init__(self, error: ProfilegenError):
        super().__init__(str(error))
        self.exit_code = error.exit_code

    def show(self, file=None) -> None:
        error(self.format_message())


class _Usage(UsageError):
    """click's usage error (usage, hint, `Error: ...`), with its Error label standing out."""

    def show(self, file=None) -> None:
        import io

        shown = io.StringIO()
        super().show(shown)
        usage, _, message = shown.getvalue().rpartition("Error: ")
        typer.echo(usage, err=True, nl=False)
        error(message.rstrip("\n"))


class _Group(TyperGroup):
    def make_context(self, *args, **kwargs) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except UsageError as e:
            raise _Usage(e.format_message(), e.ctx) from None

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ProfilegenError as e:
            raise _Failure(e) from None
        except UsageError as e:
            if isinstance(e, _Usage):
                raise
            raise _Usage(e.format_message(), e.ctx) from None


app = typer.Typer(
    cls=_Group,
    help="Configuration profiles, scripts and endpoint tables for Office for Mac's network preferences.",
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"profilegen {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print profilegen's version and exit.")
    ] = False,
) -> None:
    pass


def completion_(
    shell: Annotated[
        str, typer.Argument(metavar="bash|zsh|fish", autocompletion=completion.shells, help="The shell to complete in.")
    ],
) -> None:
    """Print the script that completes profilegen's commands, options, presets, formats, apps and keys.

    Install it once, where the shell looks for completions (the README has bash's too):

    \b
      profilegen completion zsh > ~/.zfunc/_profilegen
      profilegen completion fish > ~/.config/fish/completions/profilegen.fish
    """
    typer.echo(completion.script(shell), nl=False)


def parse(argv: list[str]) -> Request:
    """The Request a `profilegen build ...` command line makes, without building anything."""
    args = list(argv[2:] if argv[:2] == ["profilegen", "build"] else argv)
    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup)
    command = group.commands["build"]
    with command.make_context("build", args) as ctx:
        return from_options(Request, ctx.params)


# In the order --help lists them.
COMMANDS = {
    "build": building.build,
    "settings": listing.settings,
    "endpoints": listing.endpoints_,
    "presets": listing.presets,
    "versions": listing.versions,
    "sign": building.sign,
    "verify": profiles.verify,
    "inspect": profiles.inspect,
    "check": profiles.check,
    "import": profiles.import_,
    "diff": profiles.diff,
    "audit": profiles.audit,
    "completion": completion_,
    "wizard": building.wizard,
}
for name, command in COMMANDS.items():
    app.command(name=name)(command)


def main() -> None:
    """The CLI, as profilegen.__main__ runs it (with interrupts in hand)."""
    import warnings

    # What a library says about an odd certificate is not the user's business: verify reports it.
    warnings.simplefilter("ignore")
    if completion.VARIABLE in os.environ:  # a shell asking for completions, not a person
        completion.init()
    app(prog_name="profilegen")
