"""What the commands print: one-line errors and warnings, JSON documents, text wrapped to the
terminal, and the endpoint tables drawn with colour (rich, imported only then)."""

import json
import os
import sys

import typer

from profilegen import __version__


def labelled(label: str, colour: str) -> str:
    """`Error:` or `Warning:`, standing out at a terminal; plain when piped or NO_COLOR is set."""
    if os.environ.get("NO_COLOR") or not sys.stderr.isatty():
        return label
    return typer.style(label, fg=colour, bold=True)


def error(message: str) -> None:
    typer.echo(f"{labelled('Error:', 'red')} {message}", err=True)


def stdout(text: str) -> None:
    """Print; a reader that went away (`build --json | true`) isn't a failure of a build that was
    written: the rest goes nowhere, as the documentation of Python's SIGPIPE handling advises."""
    try:
        typer.echo(text)
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def print_json(document: dict) -> None:
    """Every --json document is an object that names the profilegen that wrote it."""
    from profilegen.catalog.values import json_default, json_value

    document = json_value(document)
    stdout(
        # ASCII, \u escapes for the rest: a file name that isn't UTF-8 still makes valid JSON.
        json.dumps({"profilegen_version": __version__, **document}, indent=2, allow_nan=False, default=json_default)
    )


def warn(warnings) -> None:
    for warning in warnings:
        typer.echo(f"{labelled('Warning:', 'yellow')} {warning}", err=True)


def wrapped(lines: list[str]) -> None:
    """Lines wrapped to the terminal, continuations indented under their line's own indent."""
    import shutil
    import textwrap

    width = max(40, shutil.get_terminal_size().columns)
    for line in lines:
        indent = " " * (len(line) - len(line.lstrip()))
        typer.echo(
            textwrap.fill(
                line, width, subsequent_indent=indent + "    ", break_on_hyphens=False, break_long_words=False
            )
            or line
        )


COLOURS = {"silenced": "red", "partly silenced": "yellow", "reduced": "cyan", "unchanged": "dim"}


def endpoint_tables(impacts, catalog) -> None:
    """One line per endpoint, hostname whole so it can be copied into a proxy rule; details wrap below."""
    import textwrap

    from rich.console import Console
    from rich.markup import escape

    from profilegen.core.impact import summary_line

    letters = {name: letter for letter, name in catalog.apps.items()}
    console = Console(highlight=False)
    width = console.width  # the terminal's, or COLUMNS, or 80 when piped
    hosts = max(len(e.host) for e in catalog.endpoints)

    def wrapped(text: str, indent: str) -> None:
        for line in textwrap.wrap(
            text,
            max(width, 40),
            initial_indent=indent,
            subsequent_indent=indent + "  ",
            break_on_hyphens=False,
            break_long_words=False,
        ):
            console.print(escape(line), soft_wrap=True)

    for section in catalog.sections:
        rows = [i for i in impacts if i.endpoint.section == section.name]
        if not rows:  # a filter left none of it
            continue
        console.print()
        console.print(f"[bold]{escape(section.name)}[/bold]", soft_wrap=True)
        if section.who:
            wrapped(f"contacted by {section.who}", "  ")
        for i in rows:
            colour = COLOURS[i.effect]
            apps = "".join(letters[a] for a in i.endpoint.apps) or "-"
            console.print(
                f"  {escape(i.endpoint.host):<{hosts}}  {i.endpoint.type or '-':<2}  {apps:<{len(letters)}}  "
                f"[{colour}]{i.effect}[/{colour}]",
                soft_wrap=True,
            )
            details = []
            if i.endpoint.callers and i.effect == "partly silenced":
                details.append("still " + "".join(letters[a] for a in i.still_contacted_by))
            if i.settings:
                details.append("by " + ", ".join(dict.fromkeys(s.key for s in i.settings)))
            if i.endpoint.shared:
                details.append("shared with the web")
            if i.status:
                details.append(i.status_text)
            elif i.endpoint.scope != "office":
                details.append("Microsoft 365-wide")
            if details:
                wrapped("; ".join(details), "      ")
    legend = ", ".join(f"{letter} {name}" for letter, name in catalog.apps.items())
    console.print()
    wrapped(
        f"Columns: host, type, apps, effect. Apps: {legend}. "
        "Type: ST static, SS semi-static, CS configuration service.",
        "",
    )
    wrapped(summary_line(impacts), "")


def host_lines(hosts) -> None:
    """One line per host, whole, with its effects; its sections and who still contacts it below."""
    column = max((len(h.host) for h in hosts), default=0)
    for h in hosts:
        wrapped(h.summary(column))
    typer.echo(f"{len(hosts)} hosts, {sum(h.needed for h in hosts)} still needed.")
