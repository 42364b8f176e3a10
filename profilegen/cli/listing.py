"""The commands that show what the catalog knows: `settings`, `endpoints`, `presets`, `versions`."""

from typing import Annotated

import typer

from profilegen.cli import completion
from profilegen.cli.console import endpoint_tables, host_lines, print_json, wrapped
from profilegen.cli.options import Config, Json, Preset, Sets, load_catalog, with_options
from profilegen.core.request import TargetOptions


def settings(
    json_: Json = False,
    impact: Annotated[bool, typer.Option("--impact", help="What each setting silences, reduces and breaks.")] = False,
    markdown: Annotated[
        bool, typer.Option("--markdown", help="With --impact: print Markdown (also what a pipe gets).")
    ] = False,
) -> None:
    """List the documented preferences: domains, type, values and caveats."""
    catalog = load_catalog()
    if impact:
        import sys

        from profilegen.core import impact as impact_module
        from profilegen.formats import endpoints

        items = impact_module.by_setting(catalog)
        if json_:
            print_json({"settings": [item.as_dict() for item in items]})
        elif markdown or not sys.stdout.isatty():
            typer.echo(endpoints.by_setting_markdown(catalog))
        else:
            for item in items:
                wrapped(item.summary())
                typer.echo()
        return
    if markdown:
        raise typer.BadParameter("--markdown goes with --impact")
    if json_:
        print_json({"settings": [p.as_dict() for p in catalog.preferences.values()]})
        return
    for p in catalog.preferences.values():
        wrapped(p.summary(catalog))
        typer.echo()


@with_options(TargetOptions, "target")
def endpoints_(
    preset: Preset = None,
    config: Config = None,
    set_: Sets = None,
    target: TargetOptions = TargetOptions(),
    json_: Json = False,
    csv_: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="Print Markdown.")] = False,
    effect: Annotated[
        list[str] | None,
        typer.Option(
            "--effect",
            metavar="EFFECT",
            autocompletion=completion.effects,
            help="Only rows with this effect (silenced, 'partly silenced', reduced, unchanged). Repeatable.",
        ),
    ] = None,
    app_: Annotated[
        list[str] | None,
        typer.Option(
            "--app",
            metavar="APP",
            autocompletion=completion.apps,
            help="Only rows this app contacts (Word, Excel, PowerPoint, Outlook, OneNote, or W X P O N), and the rows "
            "the article lists without apps. Repeatable.",
        ),
    ] = None,
    section: Annotated[
        list[str] | None,
        typer.Option("--section", metavar="TEXT", help="Only sections whose name holds TEXT, any case. Repeatable."),
    ] = None,
    by_host: Annotated[
        bool,
        typer.Option("--by-host", help="One row per host with the effects of all its rows, as a proxy rule sees it."),
    ] = False,
) -> None:
    """Show which documented endpoints a selection silences, and which are still contacted.

    With no selection it lists the whole catalog. A setting the target (--office,
    --mau) doesn't read changes nothing.
    """
    from profilegen.core import impact, selection
    from profilegen.formats import endpoints

    if json_ + csv_ + markdown > 1:
        raise typer.BadParameter("choose one of --json, --csv or --markdown")
    from profilegen.core.target import Target

    catalog = load_catalog()
    chosen = (
        selection.resolve(catalog, preset=preset, config=config, sets=set_ or (), target=target)
        if preset or config or set_
        else None
    )
    aimed = Target.of(catalog, target.office, target.mau, bool(target.include_legacy))
    impacts = impact.only(impact.assess(chosen, catalog, aimed), catalog, effect or (), app_ or (), section or ())
    if by_host:
        hosts = impact.by_host(impacts)
        if json_:
            print_json(endpoints.hosts_document(hosts))
        elif csv_:
            typer.echo(endpoints.hosts_csv(hosts), nl=False)
        elif markdown:
            typer.echo(endpoints.hosts_markdown(hosts), nl=False)
        else:
            host_lines(hosts)
        return
    if json_:
        print_json(endpoints.document(impacts, chosen))
    elif csv_:
        typer.echo(endpoints.as_csv(impacts), nl=False)
    elif markdown:
        typer.echo(endpoints.as_markdown(impacts, chosen, catalog), nl=False)
    else:
        endpoint_tables(impacts, catalog)


def presets(json_: Json = False) -> None:
    """List the presets and what each sets."""
    catalog = load_catalog()
    if json_:
        print_json({"presets": [p.as_dict(catalog) for p in catalog.presets.values()]})
        return
    for preset in catalog.presets.values():
        wrapped(preset.summary(catalog))


def versions(json_: Json = False) -> None:
    """Print the Office and AutoUpdate versions profilegen takes as current, and their source.

    A build that names no target (--office, --mau) judges its settings against these.
    """
    catalog = load_catalog()
    if json_:
        print_json(
            {"catalog_revision": catalog.revision, "products": [p.as_dict(catalog) for p in catalog.products.values()]}
        )
        return
    for product in catalog.products.values():
        wrapped(product.summary(catalog))
    wrapped([f"Catalog revision {catalog.revision}: a checksum of its data files, as reports name it."])
