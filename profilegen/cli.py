"""The command line: each command parses its options and makes one call into the core.

Domain errors cross into the CLI in one place, `_Group.invoke`, which prints
them as one `Error: ...` line and exits 1.
"""

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import click
import typer
from typer.core import TyperGroup

from profilegen.errors import ProfilegenError
from profilegen.render import FORMATS


def _catalog():
    from profilegen import catalog

    return catalog.load()


def format_value(value) -> str:
    from profilegen.catalog import format_value

    return format_value(value)


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
SignCert = Annotated[Optional[Path], typer.Option(help="Signing certificate (PEM or DER); needs --sign-key.")]
SignKey = Annotated[Optional[Path], typer.Option(help="Its private key (PEM); password in PROFILEGEN_KEY_PASSWORD or --key-password-file if encrypted.")]
SignChain = Annotated[Optional[Path], typer.Option(help="Intermediate certificates to include (PEM); a root in it is left out.")]
SignP12 = Annotated[Optional[Path], typer.Option(help="Signing identity as .p12; password in PROFILEGEN_P12_PASSWORD, --p12-password-file, or asked for on a terminal.")]
P12PasswordFile = Annotated[Optional[Path], typer.Option(help="File whose first line is the .p12 password.")]
KeyPasswordFile = Annotated[Optional[Path], typer.Option(help="File whose first line is the PEM key's password.")]


@app.command()
def build(
    preset: Preset = None,
    config: Annotated[
        Optional[list[Path]],
        typer.Option("--config", "-c", help="TOML config file (format in the README); repeat for a batch."),
    ] = None,
    config_dir: Annotated[
        Optional[Path], typer.Option(help="Build every *.toml in this folder, each into its own subfolder.")
    ] = None,
    set_: Sets = None,
    identifier: Annotated[Optional[str], typer.Option(help="Profile PayloadIdentifier, reverse-DNS.")] = None,
    organization: Annotated[Optional[str], typer.Option(help="PayloadOrganization.")] = None,
    display_name: Annotated[Optional[str], typer.Option(help="PayloadDisplayName.")] = None,
    description: Annotated[Optional[str], typer.Option(help="PayloadDescription.")] = None,
    scope: Annotated[Optional[str], typer.Option(metavar="system|user", help="PayloadScope [default: system].")] = None,
    removal_disallowed: Annotated[bool, typer.Option("--removal-disallowed", help="Set PayloadRemovalDisallowed.")] = False,
    payload_style: Annotated[
        Optional[str],
        typer.Option(metavar="direct|mcx", help="Payloads typed by domain, or com.apple.ManagedClient.preferences [default: direct]."),
    ] = None,
    output_dir: Annotated[Path, typer.Option("--output-dir", "-o", help="Folder to write into.")] = Path("build"),
    format_: Annotated[
        Optional[list[str]],
        typer.Option("--format", "-f", metavar="FORMAT",
                     help=f"Outputs to write, repeatable or comma-separated: {', '.join(FORMATS)} [default: all]."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace files that already exist.")] = False,
    json_: Json = False,
    sign_cert: SignCert = None,
    sign_key: SignKey = None,
    sign_chain: SignChain = None,
    sign_p12: SignP12 = None,
    p12_password_file: P12PasswordFile = None,
    key_password_file: KeyPasswordFile = None,
) -> None:
    """Build the outputs for a selection into a folder.

    With several --config files or --config-dir, every config is checked first,
    then each is built into a subfolder named after it; if any is invalid,
    nothing is written. With a signing identity, each profile is also written
    signed, as NAME.signed.mobileconfig.
    """
    from profilegen import build as build_module
    from profilegen import output, render

    catalog = _catalog()
    formats = render.check_formats(format_)
    configs = list(config or [])
    if config_dir is not None:
        configs += build_module.configs_in(config_dir)
    signer = _signer(sign_cert, sign_key, sign_chain, sign_p12, p12_password_file, key_password_file)
    builds = build_module.plan(
        catalog, preset=preset, configs=configs, sets=tuple(set_ or ()), formats=formats, signer=signer,
        profile={
            "identifier": identifier,
            "organization": organization,
            "display_name": display_name,
            "description": description,
            "scope": scope,
            "removal_disallowed": removal_disallowed or None,
            "payload_style": payload_style,
        },
    )
    outputs = [o for b in builds for o in b.outputs]
    paths = dict(zip((id(o) for o in outputs), output.write(outputs, output_dir, force=force)))
    if json_:
        summaries = [
            {
                "name": b.selection.name,
                "config": b.selection.config,
                "profile": vars(b.selection.profile),
                "settings": [
                    {"domain": s.domain, "key": s.key, "type": catalog.preferences[s.key].type, "value": s.value}
                    for s in b.selection.settings
                ],
                "files": [{"kind": o.kind, "path": str(paths[id(o)])} for o in b.outputs],
            }
            for b in builds
        ]
        result = summaries[0] if len(configs) <= 1 else {
            "builds": summaries, "files": [f for s in summaries for f in s["files"]]}
        typer.echo(json.dumps(result, indent=2))
        return
    if len(builds) > 1:
        for b in builds:
            typer.echo(f"{b.selection.config}: {len(b.selection.settings)} settings, "
                       f"{len(b.outputs)} files in {output_dir / b.selection.name}")
        return
    for s in builds[0].selection.settings:
        typer.echo(f"{s.domain} {s.key} = {format_value(s.value)}")
    for o in builds[0].outputs:
        typer.echo(f"wrote {paths[id(o)]} ({o.kind})")


@app.command()
def settings(
    json_: Json = False,
    impact: Annotated[bool, typer.Option("--impact", help="What each setting silences, reduces and breaks.")] = False,
) -> None:
    """List the documented preferences: domains, type, values and caveats."""
    catalog = _catalog()
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
    catalog = _catalog()
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

    catalog = _catalog()
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


def _password(path: Optional[Path], variable: str, prompt: str) -> Optional[bytes]:
    """From a file, the environment, or a hidden prompt on a terminal; never from argv."""
    import os

    if path is not None:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as e:
            raise click.ClickException(f"password file {str(path)!r} can't be read: {e.strerror}") from None
        return (lines[0] if lines else "").encode()
    if variable in os.environ:
        return os.environ[variable].encode()
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass(prompt).encode()
    return None


def _signer(cert, key, chain, p12, p12_password_file, key_password_file):
    """The signing identity the options name, checked, or None when not signing."""
    if p12 and (cert or key):
        raise typer.BadParameter("use either --sign-p12 or --sign-cert with --sign-key, not both")
    if bool(cert) != bool(key):
        raise typer.BadParameter("--sign-cert and --sign-key go together")
    if (chain and not cert) or (p12_password_file and not p12) or (key_password_file and not key):
        raise typer.BadParameter("--sign-chain, --p12-password-file and --key-password-file need the identity they belong to")
    if not (p12 or cert):
        return None
    from profilegen import cms

    if p12:
        password = _password(p12_password_file, "PROFILEGEN_P12_PASSWORD", f"Password for {p12}: ")
        if password is None:
            raise click.ClickException(
                f"no password for {p12}: set PROFILEGEN_P12_PASSWORD, use --p12-password-file, "
                "or run in a terminal to be asked")
        return cms.load_p12(p12, password)
    password = None
    try:
        if b"ENCRYPTED" in key.read_bytes():
            password = _password(key_password_file, "PROFILEGEN_KEY_PASSWORD", f"Password for {key}: ")
    except OSError:
        pass  # load_pem reports the unreadable file
    return cms.load_pem(cert, key, chain, password)


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


@app.command()
def sign(
    source: Annotated[Path, typer.Argument(help="Unsigned .mobileconfig to sign.")],
    target: Annotated[Path, typer.Argument(help="Signed .mobileconfig to write.")],
    sign_cert: SignCert = None,
    sign_key: SignKey = None,
    sign_chain: SignChain = None,
    sign_p12: SignP12 = None,
    p12_password_file: P12PasswordFile = None,
    key_password_file: KeyPasswordFile = None,
    force: Annotated[bool, typer.Option("--force", help="Replace TARGET if it exists.")] = False,
) -> None:
    """Sign an existing profile, keeping its bytes exactly as the signed content."""
    from profilegen import cms, inspection, output
    from profilegen.render import Output

    signer = _signer(sign_cert, sign_key, sign_chain, sign_p12, p12_password_file, key_password_file)
    if signer is None:
        raise typer.BadParameter("give --sign-p12, or --sign-cert with --sign-key")
    profile = inspection.read(source)
    if profile.signer is not None:
        raise click.ClickException(f"{source} is already signed")
    signed = cms.sign(source.read_bytes(), signer)
    output.write([Output(target.name, "mobileconfig-signed", signed)], target.parent, force=force)
    typer.echo(f"wrote {target} (signed by {signer.certificate.subject.rfc4514_string()})")


@app.command()
def verify(
    file: Annotated[Path, typer.Argument(help="Signed .mobileconfig.")],
    ca: Annotated[Optional[Path], typer.Option("--ca", help="Trusted root certificates (PEM).")] = None,
) -> None:
    """Check a signed profile: signature, message digest, certificate chain and dates.

    Exits 0 when valid (and trusted, with --ca), 1 when invalid or untrusted.
    """
    from profilegen import cms
    from profilegen.errors import VerificationError

    try:
        data = file.read_bytes()
    except OSError as e:
        raise click.ClickException(f"{file} can't be read: {e.strerror}") from None
    if not cms.is_signed(data):
        raise VerificationError(f"{file} is not signed")
    found = cms.extract(data)
    cert = found.signer
    typer.echo(f"Signer:   {cert.subject.rfc4514_string()}")
    typer.echo(f"Issuer:   {cert.issuer.rfc4514_string()}")
    typer.echo(f"Valid:    {cert.not_valid_before_utc:%Y-%m-%d %H:%M} to {cert.not_valid_after_utc:%Y-%m-%d %H:%M} UTC")
    typer.echo(f"SHA-256:  {cms.fingerprint(cert)}")
    result = cms.verify(data, cms.load_roots(ca) if ca else None)
    typer.echo("Chain:    " + " <- ".join(c.subject.rfc4514_string() for c in result.chain))
    if result.trusted:
        typer.echo(f"Valid and trusted: the chain ends in a root of {ca}.")
    else:
        typer.echo("Valid signature; embedded certificates only, not checked against trusted roots (use --ca).")


@app.command()
def inspect(
    file: Annotated[Path, typer.Argument(help="Any .mobileconfig: XML, binary or signed.")],
    json_: Json = False,
) -> None:
    """Show a profile's metadata, payloads and settings, with what each known setting does."""
    from profilegen import inspection

    info = inspection.describe(inspection.read(file), _catalog())
    if json_:
        typer.echo(json.dumps(info, indent=2))
        return
    signed = f", signed by {info['signer']} (not verified; see profilegen verify)" if info["signed"] else ""
    typer.echo(f"{info['file']}: {info['format']} property list{signed}")
    for key, value in info["metadata"].items():
        typer.echo(f"  {key}: {value}")
    for i, payload in enumerate(info["payloads"], 1):
        typer.echo(f"Payload {i}: {payload['type']} ({payload['identifier']})")
        for s in payload["settings"]:
            words = (f"{s['title']}: {s['meaning'] or 'value not documented'}" if s["known"]
                     else "not in profilegen's catalog")
            domain = f"{s['domain']} " if s["domain"] != payload["type"] else ""
            typer.echo(f"  {domain}{s['key']} = {format_value(s['value'])}  [{words}]")


@app.command()
def check(file: Annotated[Path, typer.Argument(help="Any .mobileconfig: XML, binary or signed.")]) -> None:
    """Check a profile against Apple's rules and the catalog; exit 1 on any error.

    One line per problem, with the line number where the file is XML. Keys the
    catalog doesn't know are warnings, not errors.
    """
    from profilegen import inspection

    found = inspection.read(file)
    problems = inspection.check(found, _catalog())
    where = f"{file} (signed content)" if found.signer is not None else str(file)
    for problem in problems:
        line = inspection.line_of(found.content, problem.path) if found.format == "xml" else None
        typer.echo(f"{where}{f':{line}' if line else ''}: {problem.level}: {problem.message}")
    errors = sum(p.level == "error" for p in problems)
    if not problems:
        typer.echo(f"{where}: no problems found")
    if errors:
        raise typer.Exit(1)


@app.command()
def wizard() -> None:
    """Answer questions at a terminal and get the same outputs `build` writes, plus their config."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        typer.echo("Error: the wizard needs a terminal; in pipelines use `profilegen build` "
                   "(see profilegen build --help)", err=True)
        raise typer.Exit(2)
    from profilegen import wizard as wizard_module

    try:
        wizard_module.run(_catalog())
    except wizard_module.Cancelled:
        typer.echo("Cancelled: nothing was written.", err=True)
        raise typer.Exit(130) from None


def main() -> None:
    app()


if __name__ == "__main__":
    sys.exit(main())
