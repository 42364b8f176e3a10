"""The commands that write: `build`, `sign` and `wizard`."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from profilegen.cli.console import error, print_json, stdout, warn
from profilegen.cli.options import Json, load_catalog, password, with_options
from profilegen.core.request import Request, SigningOptions
from profilegen.errors import CANCELLED


@with_options(Request, "request")
def build(request: Request, json_: Json = False) -> None:
    """Build the outputs for a selection into a folder.

    With several --config files or --config-dir, every config is checked first,
    then each is built into a subfolder named after it; if any is invalid,
    nothing is written. With a signing identity, each profile is also written
    signed, as NAME.signed.mobileconfig.
    """
    from profilegen.build import plan as build_plan

    plan = build_plan.plan(request, load_catalog(), password)
    # Warnings follow a build that was written; with --strict they are why nothing is.
    if request.strict:
        warn(plan.warnings)
    result = plan.write()
    if not request.strict:
        warn(plan.warnings)
    warn(result.warnings)
    if json_:
        print_json(result.as_dict())
    else:
        stdout("\n".join(result.lines()))


@with_options(SigningOptions, "signing")
def sign(
    source: Annotated[Path, typer.Argument(help="Unsigned .mobileconfig to sign.")],
    target: Annotated[Path, typer.Argument(help="Signed .mobileconfig to write.")],
    signing: SigningOptions,
    force: Annotated[bool, typer.Option("--force", help="Replace TARGET if it exists.")] = False,
) -> None:
    """Sign an existing profile, keeping its bytes exactly as the signed content."""
    from profilegen.build import plan as build_plan

    notes: list[str] = []
    signer = build_plan.sign_file(source, target, signing, password, force, notes)
    warn(notes)
    typer.echo(f"wrote {target} (signed by {signer.certificate.subject.rfc4514_string()})")


def wizard() -> None:
    """Answer questions at a terminal and get the same outputs `build` writes, plus their config."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        error("the wizard needs a terminal; in pipelines use `profilegen build` (see profilegen build --help)")
        raise typer.Exit(2)
    from profilegen.cli import wizard as wizard_module

    try:
        wizard_module.run(load_catalog())
    except wizard_module.Cancelled:
        typer.echo("Cancelled: nothing was written.", err=True)
        raise typer.Exit(CANCELLED) from None
