"""The command line: each command parses its options and makes one call into the core.

Domain errors cross into the CLI in one place, `_Group.invoke`, which prints
them as one `Error: ...` line and exits 1.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import click
import typer
from typer.core import TyperGroup

from profilegen import catalog as catalog_module
from profilegen.catalog import format_value
from profilegen.errors import ProfilegenError


class _Group(TyperGroup):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ProfilegenError as e:
            raise click.ClickException(str(e)) from None


app = typer.Typer(
    cls=_Group,
    help="Configuration profiles, scripts and endpoint tables for Office for Mac's network preferences.",
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

Preset = Annotated[Optional[str], typer.Option("--preset", "-p", help="Start from this preset (see `profilegen presets`).")]
Config = Annotated[Optional[Path], typer.Option("--config", "-c", help="TOML config file (format in the README).")]
Sets = Annotated[
    Optional[list[str]],
    typer.Option("--set", "-s", metavar="[APP:]KEY=VALUE",
                 help="Set a preference in every documented domain, or in one app's domain. Repeatable."),
]
Json = Annotated[bool, typer.Option("--json", help="Print JSON to stdout.")]


@app.command()
def build(
    preset: Preset = None,
    config: Config = None,
    set_: Sets = None,
    identifier: Annotated[Optional[str], typer.Option(help="Profile PayloadIdentifier, reverse-DNS.")] = None,
    organization: Annotated[Optional[str], typer.Option(help="PayloadOrganization.")] = None,
    display_name: Annotated[Optional[str], typer.Option(help="PayloadDisplayName.")] = None,
    description: Annotated[Optional[str], typer.Option(help="PayloadDescription.")] = None,
    scope: Annotated[Optional[str], typer.Option(metavar="system|user", help="PayloadScope [default: system].")] = None,
    removal_disallowed: Annotated[bool, typer.Option("--removal-disallowed", help="Set PayloadRemovalDisallowed.")] = False,
    output_dir: Annotated[Path, typer.Option("--output-dir", "-o", help="Folder to write into.")] = Path("build"),
    format_: Annotated[
        Optional[list[str]],
        typer.Option("--format", "-f", metavar="FORMAT", help="Output format, repeatable or comma-separated [default: all]."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace files that already exist.")] = False,
    json_: Json = False,
) -> None:
    """Build the outputs for a selection into a folder."""
    from profilegen import output, render, selection

    catalog = catalog_module.load()
    formats = render.check_formats(format_)
    chosen = selection.resolve(
        catalog,
        preset=preset,
        config=config,
        sets=set_ or (),
        profile={
            "identifier": identifier,
            "organization": organization,
            "display_name": display_name,
            "description": description,
            "scope": scope,
            "removal_disallowed": removal_disallowed or None,
        },
    )
    outputs = render.render(chosen, catalog, formats)
    paths = output.write(outputs, output_dir, force=force)
    if json_:
        summary = {
            "name": chosen.name,
            "profile": vars(chosen.profile),
            "settings": [
                {"domain": s.domain, "key": s.key, "type": catalog.preferences[s.key].type, "value": s.value}
                for s in chosen.settings
            ],
            "files": [{"kind": o.kind, "path": str(p)} for o, p in zip(outputs, paths)],
        }
        typer.echo(json.dumps(summary, indent=2))
        return
    for s in chosen.settings:
        typer.echo(f"{s.domain} {s.key} = {format_value(s.value)}")
    for o, p in zip(outputs, paths):
        typer.echo(f"wrote {p} ({o.kind})")


@app.command()
def settings(
    json_: Json = False,
    impact: Annotated[bool, typer.Option("--impact", help="What each setting silences, reduces and breaks.")] = False,
) -> None:
    """List the documented preferences: domains, type, values and caveats."""
    catalog = catalog_module.load()
    if impact:
        from profilegen import endpoints, impact as impact_module

        if json_:
            typer.echo(json.dumps([
                {
                    "key": item.preference.key,
                    "settings": [{"domain": s.domain, "value": s.value} for s in item.settings],
                    "silenced": [i.as_dict() for i in item.silenced],
                    "reduced": [i.as_dict() for i in item.reduced],
                    "breaks": list(item.breaks),
                }
                for item in impact_module.by_setting(catalog)
            ], indent=2))
        else:
            typer.echo(endpoints.by_setting_markdown(catalog))
        return
    if json_:
        typer.echo(json.dumps([_preference_json(p) for p in catalog.preferences.values()], indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=True)
    for column in ("Key", "Domains", "Type", "Values", "Private", "Caveats"):
        table.add_column(column)
    for p in catalog.preferences.values():
        table.add_row(
            f"{p.key}\n{p.title}",
            "\n".join(p.domains),
            p.type,
            "\n".join(f"{format_value(v.value)}: {v.title}" for v in p.values),
            format_value(p.private),
            "\n".join(f"- {c}" for c in p.caveats),
        )
    Console().print(table)


@app.command(name="endpoints")
def endpoints_(
    preset: Preset = None,
    config: Config = None,
    set_: Sets = None,
    json_: Json = False,
    csv_: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="Print Markdown.")] = False,
) -> None:
    """Show which documented endpoints a selection silences, and which are still contacted.

    With no selection it lists the whole catalog.
    """
    from profilegen import endpoints, impact, selection

    if json_ + csv_ + markdown > 1:
        raise typer.BadParameter("choose one of --json, --csv or --markdown")
    catalog = catalog_module.load()
    chosen = (selection.resolve(catalog, preset=preset, config=config, sets=set_ or ())
              if preset or config or set_ else None)
    impacts = impact.assess(chosen, catalog)
    if json_:
        typer.echo(endpoints.as_json(impacts, chosen), nl=False)
    elif csv_:
        typer.echo(endpoints.as_csv(impacts), nl=False)
    elif markdown:
        typer.echo(endpoints.as_markdown(impacts, chosen, catalog), nl=False)
    else:
        _endpoint_tables(impacts, catalog)


COLOURS = {"silenced": "red", "partly silenced": "yellow", "reduced": "cyan", "unchanged": "dim"}


def _endpoint_tables(impacts, catalog) -> None:
    from rich.console import Console
    from rich.table import Table

    from profilegen.impact import summary_line

    letters = {name: letter for letter, name in catalog.apps.items()}

    def short(apps) -> str:
        return "".join(letters[a] for a in apps)

    console = Console()
    for section in catalog.sections:
        table = Table(title=section.name, title_justify="left", title_style="bold")
        table.add_column("Host", overflow="fold")
        for column in ("Apps", "Type", "Effect", "Still by", "Settings"):
            table.add_column(column)
        for i in (i for i in impacts if i.endpoint.section == section.name):
            colour = COLOURS[i.effect]
            keys = dict.fromkeys(s.split(" ", 1)[1].split("=")[0] for s in i.settings)
            table.add_row(i.endpoint.host, short(i.endpoint.apps) or "all", i.endpoint.type,
                          f"[{colour}]{i.effect}[/{colour}]", short(i.still_contacted_by), "\n".join(keys))
        console.print(table)
    legend = ", ".join(f"{letter} {name}" for letter, name in catalog.apps.items())
    console.print(f"Apps: {legend}. Type: ST static, SS semi-static, CS configuration service.")
    console.print(summary_line(impacts))


@app.command()
def presets(json_: Json = False) -> None:
    """List the presets and what each sets."""
    from profilegen.selection import settings_from_table

    catalog = catalog_module.load()
    rows = []
    for preset in catalog.presets.values():
        values = settings_from_table(catalog, preset.settings)
        rows.append({
            "name": preset.name,
            "title": preset.title,
            "description": preset.description,
            "settings": [{"domain": d, "key": k, "value": v} for (d, k), v in values.items()],
        })
    if json_:
        typer.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        typer.echo(f"{row['name']}: {row['title']}\n  {row['description']}")
        for s in row["settings"]:
            typer.echo(f"    {s['domain']} {s['key']} = {format_value(s['value'])}")


def _preference_json(p) -> dict:
    return {
        "key": p.key,
        "title": p.title,
        "description": p.description,
        "type": p.type,
        "domains": list(p.domains),
        "values": [{"value": v.value, "title": v.title} for v in p.values],
        "default": p.default,
        "private": p.private,
        "min_version": p.min_version,
        "caveats": list(p.caveats),
        "source": p.source,
    }


def main() -> None:
    app()


if __name__ == "__main__":
    sys.exit(main())
