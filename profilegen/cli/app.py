"""The command line: each command parses its options and makes one call into the core.

Domain errors cross into the CLI in one place, `_Group.invoke`, which prints
them as one `Error: ...` line and exits 1.
"""

import functools
import json
import os
import sys
from inspect import Parameter, signature
from pathlib import Path
from typing import Annotated

import typer
from typer import _click as click  # typer's own copy of click: the only one installed
from typer._click.exceptions import UsageError
from typer.core import TyperGroup

from profilegen import __version__, inputs
from profilegen.cli import completion
from profilegen.core.request import PASSWORD_VARIABLES, Request, SigningOptions, TargetOptions, from_options, options
from profilegen.errors import CANCELLED, ProfilegenError


def _catalog():
    from profilegen.catalog import loading

    return loading.load()


def format_value(value) -> str:
    from profilegen.catalog.values import format_value

    return format_value(value)


def _label(label: str, colour: str) -> str:
    """`Error:` or `Warning:`, standing out at a terminal; plain when piped or NO_COLOR is set."""
    if os.environ.get("NO_COLOR") or not sys.stderr.isatty():
        return label
    return typer.style(label, fg=colour, bold=True)


def _error(message: str) -> None:
    typer.echo(f"{_label('Error:', 'red')} {message}", err=True)


class _Failure(click.ClickException):
    """One `Error: ...` line on stderr, and the exit code the error class says."""

    def __init__(self, error: ProfilegenError):
        super().__init__(str(error))
        self.exit_code = error.exit_code

    def show(self, file=None) -> None:
        _error(self.format_message())


class _Usage(UsageError):
    """click's usage error (usage, hint, `Error: ...`), with its Error label standing out."""

    def show(self, file=None) -> None:
        import io

        shown = io.StringIO()
        super().show(shown)
        usage, _, message = shown.getvalue().rpartition("Error: ")
        typer.echo(usage, err=True, nl=False)
        _error(message.rstrip("\n"))


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


# What the options that take a name complete to; options with a few documented values complete those.
_COMPLETERS = {
    "--preset": completion.presets,
    "--set": completion.sets,
    "--format": completion.formats,
    "--target": completion.consoles,
}


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


def _options(cls: type, param: str):
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
            complete = completion.choices(opt.choices) if opt.choices else _COMPLETERS.get(opt.flags[0])
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


def _password(path: Path, kind: str) -> bytes | None:
    """From the environment, or a hidden prompt on a terminal; never from argv."""
    variable = PASSWORD_VARIABLES[kind]
    if variable in os.environ:
        return os.fsencode(os.environ[variable])  # its bytes as they are, UTF-8 or not
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass(f"Password for {path}: ").encode()
    return None


def _stdout(text: str) -> None:
    """Print; a reader that went away (`build --json | true`) isn't a failure of a build that was
    written: the rest goes nowhere, as the documentation of Python's SIGPIPE handling advises."""
    try:
        typer.echo(text)
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _json(document: dict) -> None:
    """Every --json document is an object that names the profilegen that wrote it."""
    from profilegen.catalog.values import json_default, json_value

    document = json_value(document)
    _stdout(
        # ASCII, \u escapes for the rest: a file name that isn't UTF-8 still makes valid JSON.
        json.dumps({"profilegen_version": __version__, **document}, indent=2, allow_nan=False, default=json_default)
    )


def _warn(warnings) -> None:
    for warning in warnings:
        typer.echo(f"{_label('Warning:', 'yellow')} {warning}", err=True)


def parse(argv: list[str]) -> Request:
    """The Request a `profilegen build ...` command line makes, without building anything."""
    args = list(argv[2:] if argv[:2] == ["profilegen", "build"] else argv)
    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup)
    command = group.commands["build"]
    with command.make_context("build", args) as ctx:
        return from_options(Request, ctx.params)


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
Json = Annotated[bool, typer.Option("--json", help="Print JSON to stdout.")]


@app.command()
@_options(Request, "request")
def build(request: Request, json_: Json = False) -> None:
    """Build the outputs for a selection into a folder.

    With several --config files or --config-dir, every config is checked first,
    then each is built into a subfolder named after it; if any is invalid,
    nothing is written. With a signing identity, each profile is also written
    signed, as NAME.signed.mobileconfig.
    """
    from profilegen.build import plan as core

    plan = core.plan(request, _catalog(), _password)
    # Warnings follow a build that was written; with --strict they are why nothing is.
    if request.strict:
        _warn(plan.warnings)
    result = plan.write()
    if not request.strict:
        _warn(plan.warnings)
    _warn(result.warnings)
    if json_:
        _json(result.as_dict())
    else:
        _stdout("\n".join(result.lines()))


@app.command()
def settings(
    json_: Json = False,
    impact: Annotated[bool, typer.Option("--impact", help="What each setting silences, reduces and breaks.")] = False,
    markdown: Annotated[
        bool, typer.Option("--markdown", help="With --impact: print Markdown (also what a pipe gets).")
    ] = False,
) -> None:
    """List the documented preferences: domains, type, values and caveats."""
    catalog = _catalog()
    if impact:
        import sys

        from profilegen.core import impact as impact_module
        from profilegen.formats import endpoints

        items = impact_module.by_setting(catalog)
        if json_:
            _json({"settings": [item.as_dict() for item in items]})
        elif markdown or not sys.stdout.isatty():
            typer.echo(endpoints.by_setting_markdown(catalog))
        else:
            for item in items:
                values = "/".join(sorted({format_value(s.value) for s in item.settings}))
                silenced = [f"{i.endpoint.host} ({i.effect})" for i in item.silenced]
                _wrapped(
                    [
                        f"{item.preference.key} = {values}",
                        "  silences: " + (", ".join(dict.fromkeys(silenced)) or "nothing"),
                        "  reduces: " + (", ".join(dict.fromkeys(i.endpoint.host for i in item.reduced)) or "nothing"),
                        "  breaks: " + (", ".join(item.breaks) or "nothing documented"),
                    ]
                )
                typer.echo()
        return
    if markdown:
        raise typer.BadParameter("--markdown goes with --impact")
    if json_:
        _json({"settings": [p.as_dict() for p in catalog.preferences.values()]})
        return
    for p in catalog.preferences.values():
        _wrapped(p.summary(catalog))
        typer.echo()


def _wrapped(lines: list[str]) -> None:
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


@app.command(name="endpoints")
@_options(TargetOptions, "target")
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

    catalog = _catalog()
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
            _json(endpoints.hosts_document(hosts))
        elif csv_:
            typer.echo(endpoints.hosts_csv(hosts), nl=False)
        elif markdown:
            typer.echo(endpoints.hosts_markdown(hosts), nl=False)
        else:
            _host_lines(hosts)
        return
    if json_:
        _json(endpoints.document(impacts, chosen))
    elif csv_:
        typer.echo(endpoints.as_csv(impacts), nl=False)
    elif markdown:
        typer.echo(endpoints.as_markdown(impacts, chosen, catalog), nl=False)
    else:
        _endpoint_tables(impacts, catalog)


COLOURS = {"silenced": "red", "partly silenced": "yellow", "reduced": "cyan", "unchanged": "dim"}


def _endpoint_tables(impacts, catalog) -> None:
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


def _host_lines(hosts) -> None:
    """One line per host, whole, with its effects; its sections and who still contacts it below."""
    column = max((len(h.host) for h in hosts), default=0)
    for h in hosts:
        row = h.as_dict()
        details = [", ".join(row["sections"])]
        if row["still_contacted_by"] and h.needed:
            details.append("still " + ", ".join(row["still_contacted_by"]))
        if row["settings"]:
            details.append("by " + ", ".join(row["settings"]))
        if row["shared"]:
            details.append("shared with the web")
        details += row["status"]
        _wrapped([f"{h.host:<{column}}  {', '.join(h.effects)}", "  " + "; ".join(details)])
    typer.echo(f"{len(hosts)} hosts, {sum(h.needed for h in hosts)} still needed.")


@app.command()
def presets(json_: Json = False) -> None:
    """List the presets and what each sets."""
    catalog = _catalog()
    if json_:
        _json({"presets": [p.as_dict(catalog) for p in catalog.presets.values()]})
        return
    for preset in catalog.presets.values():
        _wrapped(preset.summary(catalog))


@app.command()
def versions(json_: Json = False) -> None:
    """Print the Office and AutoUpdate versions profilegen takes as current, and their source.

    A build that names no target (--office, --mau) judges its settings against these.
    """
    catalog = _catalog()
    if json_:
        _json(
            {"catalog_revision": catalog.revision, "products": [p.as_dict(catalog) for p in catalog.products.values()]}
        )
        return
    for product in catalog.products.values():
        _wrapped(product.summary(catalog))
    _wrapped([f"Catalog revision {catalog.revision}: a checksum of its data files, as reports name it."])


@app.command()
@_options(SigningOptions, "signing")
def sign(
    source: Annotated[Path, typer.Argument(help="Unsigned .mobileconfig to sign.")],
    target: Annotated[Path, typer.Argument(help="Signed .mobileconfig to write.")],
    signing: SigningOptions,
    force: Annotated[bool, typer.Option("--force", help="Replace TARGET if it exists.")] = False,
) -> None:
    """Sign an existing profile, keeping its bytes exactly as the signed content."""
    from profilegen.build import plan as core

    notes: list[str] = []
    signer = core.sign_file(source, target, signing, _password, force, notes)
    _warn(notes)
    typer.echo(f"wrote {target} (signed by {signer.certificate.subject.rfc4514_string()})")


Files = Annotated[list[Path], typer.Argument(help="Profiles: XML, binary or signed; several, or a quoted glob.")]


def _paths(files: list[Path]) -> list[Path]:
    """The files, a quoted glob expanded here as the shell would have (a pipeline may pass one)."""
    import glob

    found: list[Path] = []
    for file in files:
        matches = sorted(glob.glob(str(file))) if glob.has_magic(str(file)) and not file.exists() else []
        found += [Path(m) for m in matches] or [file]
    return found


def _each(files: list[Path], one) -> None:
    """`one` on every file; a file's error is its own Error line; the exit code is the worst."""
    worst = 0
    for file in _paths(files):
        try:
            worst = max(worst, one(file) or 0)
        except ProfilegenError as e:
            _error(str(e))
            worst = max(worst, e.exit_code)
    if worst:
        raise typer.Exit(worst)


@app.command()
def verify(
    files: Annotated[list[Path], typer.Argument(help="Signed profiles; several, or a quoted glob.")],
    ca: Annotated[Path | None, typer.Option("--ca", help="Trusted root certificates (PEM).")] = None,
    at: Annotated[
        str | None,
        typer.Option(
            "--at", metavar="DATE", help="Check the certificates' dates at this time (ISO 8601) [default: now]."
        ),
    ] = None,
) -> None:
    """Check signed profiles: the signature, the chain of certificates, and their dates, each on its own.

    Exits 0 when every file is valid (and trusted, with --ca), 1 when any isn't.
    """
    import datetime

    from profilegen.errors import SelectionError, VerificationError
    from profilegen.reading.profiles import is_signed, unwrap

    when = None
    if at is not None:
        try:
            when = datetime.datetime.fromisoformat(at)
        except ValueError:
            raise SelectionError(f"--at {at!r} is not a date; expected YYYY-MM-DD or an ISO 8601 time") from None
        when = when if when.tzinfo else when.replace(tzinfo=datetime.UTC)

    def one(file: Path) -> None:
        try:
            data = unwrap(inputs.read(file))
        except OSError as e:
            raise VerificationError(f"{file} can't be read: {e.strerror}") from None
        if not is_signed(data):
            raise VerificationError(f"{file} is not signed")
        from profilegen.reading import cms

        roots = cms.load_roots(ca) if ca else None
        try:
            verdict = cms.verify(data, roots, when)
        except VerificationError as e:
            raise VerificationError(f"{file}: {e}") from None
        typer.echo(f"{file}:")
        typer.echo("\n".join(verdict.lines(str(ca) if ca else None)))
        if not verdict.valid:
            raise VerificationError(f"{file}: {verdict.summary()}")

    _each(files, one)


@app.command()
def inspect(files: Files, json_: Json = False) -> None:
    """Show profiles' metadata, payloads and settings, with what each known setting does.

    With --json, one file's description (file, format, signed, signer, metadata, payloads
    with their settings), or for several files {"profiles": [...]}, one entry each in the
    order given; a file that can't be read is an entry with its "error".
    """
    from profilegen.reading import description, profiles

    described: list[dict] = []
    several = len(_paths(files)) > 1

    def one(file: Path) -> None:
        try:
            info = description.describe(profiles.read(file), _catalog())
        except ProfilegenError as e:
            if json_ and several:
                described.append({"file": str(file), "error": str(e)})
            raise
        if json_:
            described.append(info)
        else:
            typer.echo("\n".join(description.lines(info)))

    try:
        _each(files, one)
    finally:
        if json_ and described:
            _json({"profiles": described} if several else described[0])


@app.command()
@_options(TargetOptions, "target")
def check(
    files: Files,
    format_: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            metavar="text|json|github|sarif",
            autocompletion=completion.reports,
            help="How to report: for people, pipelines, GitHub annotations or code-scanning tools (SARIF 2.1.0).",
        ),
    ] = "text",
    base: Annotated[
        Path | None,
        typer.Option("--base", metavar="DIR", help="The folder SARIF's file URIs are relative to [default: this one]."),
    ] = None,
    target: TargetOptions = TargetOptions(),
) -> None:
    """Check profiles against Apple's rules and the catalog; exit 1 on any error.

    One finding per problem, with a stable code and, where the file is XML, its
    line. Keys the catalog doesn't know are warnings, not errors, as are settings
    the target (--office, --mau; the catalog's current where not given) doesn't read.
    """
    from profilegen import names
    from profilegen.core.target import Target
    from profilegen.reading import checks, findings, profiles

    format_ = names.pick("--format", format_, findings.REPORTS)
    aim = Target.of(_catalog(), target.office, target.mau)
    found_all: list[findings.Finding] = []
    checked: list[str] = []

    def one(file: Path) -> int:
        try:
            found = profiles.read(file)
            problems = checks.check(found, _catalog(), aim)
        except ProfilegenError as e:
            line = getattr(e, "line", None)  # where the file stops being a property list, if known
            found_all.append(findings.Finding(str(file), line, checks.Problem("error", "PG001", str(e))))
            if format_ == "text":
                raise
            return 1
        where = f"{file} (signed content)" if found.signer is not None and format_ == "text" else str(file)
        checked.append(where)
        locate = checks.lines_of(found.content) if found.format == "xml" and problems else None
        for problem in problems:
            line = locate(problem.path) if locate else None
            found_all.append(findings.Finding(where, line, problem))
        return 1 if any(p.level == "error" for p in problems) else 0

    try:
        _each(files, one)
    finally:
        typer.echo(findings.report(checked, found_all, format_, base))


@app.command(name="import")
def import_(
    files: Annotated[
        list[Path],
        typer.Argument(help="Profiles (any form), preference plists, Intune preference files, or `defaults` output."),
    ],
    domain: Annotated[
        str | None,
        typer.Option(
            "--domain",
            metavar="DOMAIN",
            help="The preference domain of plain plists and `defaults` output "
            "[default: from the file name, DOMAIN.plist].",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE.toml", help="Write the config here instead of printing it."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace FILE.toml if it exists.")] = False,
    json_: Json = False,
) -> None:
    """Turn existing profiles and preferences into a profilegen config.

    Every key the catalog knows is imported, typed; conversions and left-out keys
    are listed on stderr (or in --json), never guessed.
    """
    from profilegen.build import output as output_module
    from profilegen.core.registry import Output
    from profilegen.reading import importer

    catalog = _catalog()
    found = importer.load(catalog, _paths(files), domain)
    text = found.config(catalog)
    if output is not None:
        output_module.write([Output(output.name, "config", text.encode())], output.parent, force=force)
    if json_:
        _json(found.as_dict(catalog))
    elif output is None:
        typer.echo(text, nl=False)
    for line in found.lines() + ([f"wrote {output}"] if output else []):
        typer.echo(line, err=True)


@app.command()
@_options(TargetOptions, "target")
def diff(
    a: Annotated[str, typer.Argument(metavar="A", help="A profile (any form), a config (.toml), or preset:NAME.")],
    b: Annotated[str, typer.Argument(metavar="B", help="The same, to compare A with.")],
    target: TargetOptions = TargetOptions(),
    json_: Json = False,
) -> None:
    """Compare two selections in meaning: profile details, settings, and the endpoints whose effect changes.

    Exits 0 when they mean the same, 1 when they differ, 2 on trouble, as diff(1) does.
    """
    from profilegen.reading import comparison

    try:
        found = comparison.compare(_catalog(), a, b, target)
    except ProfilegenError as e:
        e.exit_code = 2  # as diff(1): 1 means "different"
        raise
    _warn(found.warnings)
    if json_:
        _json(found.as_dict())
    else:
        typer.echo("\n".join(found.lines()))
    if not found.same:
        raise typer.Exit(1)


@app.command(name="completion")
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


@app.command()
def wizard() -> None:
    """Answer questions at a terminal and get the same outputs `build` writes, plus their config."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        _error("the wizard needs a terminal; in pipelines use `profilegen build` (see profilegen build --help)")
        raise typer.Exit(2)
    from profilegen.cli import wizard as wizard_module

    try:
        wizard_module.run(_catalog())
    except wizard_module.Cancelled:
        typer.echo("Cancelled: nothing was written.", err=True)
        raise typer.Exit(CANCELLED) from None


def main() -> None:
    """The CLI, as profilegen.__main__ runs it (with interrupts in hand)."""
    import warnings

    # What a library says about an odd certificate is not the user's business: verify reports it.
    warnings.simplefilter("ignore")
    if completion.VARIABLE in os.environ:  # a shell asking for completions, not a person
        completion.init()
    app(prog_name="profilegen")
