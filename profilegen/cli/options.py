"""What the commands take: the catalog they read, every option of a request class as typer
options, the options several commands share, and passwords (from the environment or a hidden
prompt, never argv)."""

import functools
import os
import sys
from inspect import Parameter, signature
from pathlib import Path
from typing import Annotated

import typer

from profilegen.cli import completion
from profilegen.core.request import PASSWORD_VARIABLES, from_options, options


def load_catalog():
    from profilegen.catalog import loading

    return loading.load()


# What the options that take a name complete to; options with a few documented values complete those.
COMPLETERS = {
    "--preset": completion.presets,
    "--set": completion.sets,
    "--format": completion.formats,
    "--target": completion.consoles,
}


def with_options(cls: type, param: str):
    """Give a command every option of a request class, and hand it them as one object in `param`."""
    declared = options(cls)

    def decorate(command):
        extra = []
        for name, opt, default in declared:
            if opt.many:
                annotation, default = list[opt.type] | None, None
            elif opt.type is bool:
                annotation, default = bool, False
            else:
                annotation = opt.type | None
            complete = completion.choices(opt.choices) if opt.choices else COMPLETERS.get(opt.flags[0])
            info = typer.Option(
                *opt.flags,
                help=opt.help,
                metavar=opt.metavar,
                show_default=default is not None and opt.type is not bool,
                autocompletion=complete,
            )
            extra.append(
                Parameter(name, Parameter.KEYWORD_ONLY, default=default, annotation=Annotated[annotation, info])
            )
        declared_signature = signature(command)
        own = list(declared_signature.parameters.values())
        at = next(i for i, p in enumerate(own) if p.name == param)
        # The others after them must be keyword-only too, for a valid signature.
        rest = [p.replace(kind=Parameter.KEYWORD_ONLY) for p in own[at + 1 :]]

        @functools.wraps(command)
        def wrapper(**kwargs):
            values = {name: kwargs.pop(name) for name, _, _ in declared}
            return command(**kwargs, **{param: from_options(cls, values)})

        wrapper.__signature__ = declared_signature.replace(parameters=own[:at] + extra + rest)
        return wrapper

    return decorate


def password(path: Path, kind: str) -> bytes | None:
    """From the environment, or a hidden prompt on a terminal; never from argv."""
    variable = PASSWORD_VARIABLES[kind]
    if variable in os.environ:
        return os.fsencode(os.environ[variable])  # its bytes as they are, UTF-8 or not
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass(f"Password for {path}: ").encode()
    return None


Preset = Annotated[
    str | None,
    typer.Option(
        "--preset", "-p", help="Start from this preset (see `profilegen presets`).", autocompletion=completion.presets
    ),
]
Config = Annotated[Path | None, typer.Option("--config", "-c", help="TOML config file (format in the README).")]
Sets = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        "-s",
        metavar="[APP:]KEY=VALUE",
        autocompletion=completion.sets,
        help="Set a preference in every documented domain, or in one app's domain. Repeatable.",
    ),
]
Base = Annotated[
    Path | None,
    typer.Option("--base", metavar="DIR", help="The folder SARIF's file URIs are relative to [default: this one]."),
]
Json = Annotated[bool, typer.Option("--json", help="Print JSON to stdout.")]


Files = Annotated[list[Path], typer.Argument(help="Profiles: XML, binary or signed; several, or a quoted glob.")]
