"""The commands on profiles that exist: `verify`, `inspect`, `check`, `import` and `diff`."""

from pathlib import Path
from typing import Annotated

import typer

from profilegen import inputs
from profilegen.cli import completion
from profilegen.cli.console import error, print_json, warn
from profilegen.cli.options import Base, Files, Json, load_catalog, with_options
from profilegen.core.request import TargetOptions
from profilegen.errors import ProfilegenError


def paths(files: list[Path]) -> list[Path]:
    """The files, a quoted glob expanded here as the shell would have (a pipeline may pass one)."""
    import glob

    found: list[Path] = []
    for file in files:
        matches = sorted(glob.glob(str(file))) if glob.has_magic(str(file)) and not file.exists() else []
        found += [Path(m) for m in matches] or [file]
    return found


def each(files: list[Path], one) -> None:
    """`one` on every file; a file's error is its own Error line; the exit code is the worst."""
    worst = 0
    for file in paths(files):
        try:
            worst = max(worst, one(file) or 0)
        except ProfilegenError as e:
            error(str(e))
            worst = max(worst, e.exit_code)
    if worst:
        raise typer.Exit(worst)


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

    each(files, one)


def inspect(files: Files, json_: Json = False) -> None:
    """Show profiles' metadata, payloads and settings, with what each known setting does.

    With --json, one file's description (file, format, signed, signer, metadata, payloads
    with their settings), or for several files {"profiles": [...]}, one entry each in the
    order given; a file that can't be read is an entry with its "error".
    """
    from profilegen.reading import description, profiles

    described: list[dict] = []
    several = len(paths(files)) > 1

    def one(file: Path) -> None:
        try:
            info = description.describe(profiles.read(file), load_catalog())
        except ProfilegenError as e:
            if json_ and several:
                described.append({"file": str(file), "error": str(e)})
            raise
        if json_:
            described.append(info)
        else:
            typer.echo("\n".join(description.lines(info)))

    try:
        each(files, one)
    finally:
        if json_ and described:
            print_json({"profiles": described} if several else described[0])


@with_options(TargetOptions, "target")
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
    base: Base = None,
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
    aim = Target.of(load_catalog(), target.office, target.mau)
    found_all: list[findings.Finding] = []
    checked: list[str] = []

    def one(file: Path) -> int:
        try:
            found = profiles.read(file)
            problems = checks.check(found, load_catalog(), aim)
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
        each(files, one)
    finally:
        typer.echo(findings.report(checked, found_all, format_, base))


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

    catalog = load_catalog()
    found = importer.load(catalog, paths(files), domain)
    text = found.config(catalog)
    if output is not None:
        output_module.write([Output(output.name, "config", text.encode())], output.parent, force=force)
    if json_:
        print_json(found.as_dict(catalog))
    elif output is None:
        typer.echo(text, nl=False)
    for line in found.lines() + ([f"wrote {output}"] if output else []):
        typer.echo(line, err=True)


@with_options(TargetOptions, "target")
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
        found = comparison.compare(load_catalog(), a, b, target)
    except ProfilegenError as e:
        e.exit_code = 2  # as diff(1): 1 means "different"
        raise
    warn(found.warnings)
    if json_:
        print_json(found.as_dict())
    else:
        typer.echo("\n".join(found.lines()))
    if not found.same:
        raise typer.Exit(1)


@with_options(TargetOptions, "target")
def audit(
    sources: Annotated[
        list[Path],
        typer.Argument(
            help="Profiles (any form) and folders of them, what `profiles show -output stdout-xml` prints, "
            "or a copy of /Library/Managed Preferences.",
        ),
    ],
    against: Annotated[
        str | None,
        typer.Option(
            "--against",
            metavar="CONFIG.toml|preset:NAME|PROFILE",
            help="What was meant: intended settings that are missing or other, settings nobody intended, "
            "and endpoints whose effect differs.",
        ),
    ] = None,
    format_: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            metavar="text|json|html|sarif|github",
            autocompletion=completion.audits,
            help="How to report: for people, as one JSON document, as a page to share, or for code scanning.",
        ),
    ] = "text",
    json_: Json = False,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 on warnings too.")] = False,
    base: Base = None,
    target: TargetOptions = TargetOptions(),
) -> None:
    """Show what a set of profiles adds up to: the effective Office settings and where each comes
    from, conflicts, what the target doesn't read, and the endpoints the whole set silences.

    Exits 0 when clean, 1 on conflicts, drift or other errors (with --strict, on warnings too),
    2 when an input can't be read.
    """
    from profilegen import names
    from profilegen.cli.console import stdout
    from profilegen.core.target import Target
    from profilegen.errors import SelectionError
    from profilegen.reading import audit as auditing
    from profilegen.reading import audit_report, comparison

    try:
        fmt = names.pick("--format", format_, audit_report.FORMATS)
        if json_ and fmt not in ("text", "json"):
            raise SelectionError(f"--json and --format {fmt}: choose one")
        fmt = "json" if json_ else fmt
        catalog = load_catalog()
        aim = Target.of(catalog, target.office, target.mau, bool(target.include_legacy))
        intended = comparison.side(catalog, against, aim) if against else None
        result = auditing.audit(catalog, auditing.collect(catalog, paths(sources)), aim, intended)
    except ProfilegenError as e:
        e.exit_code = 2  # trouble: 1 means the audit found something
        raise
    if fmt == "json":
        print_json(audit_report.document(result, catalog))
    elif fmt == "html":
        stdout(audit_report.html(result, catalog))
    elif fmt == "text":
        stdout(audit_report.text(result, catalog))
    else:
        stdout(audit_report.annotated(result, fmt, base))
    if not result.inputs.read:
        error(f"nothing to audit: no file in {', '.join(str(f) for f in sources)} could be read")
    code = result.exit_code(strict)
    if code:
        raise typer.Exit(code)
