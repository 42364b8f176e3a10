"""`profilegen wizard`: questions at a terminal that end in the same build as the CLI's.

The wizard only gathers answers into config data; the selection is resolved
from that data by the same function `profilegen build --config` uses, and the
data is saved as that config, so rebuilding from it gives the same bytes.
Every question has a default: pressing Enter throughout builds a complete
result into build/. Ctrl-C or Esc anywhere leaves nothing behind.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import questionary
import tomli_w
from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings

from profilegen import impact, output, render
from profilegen.catalog import Catalog, format_value
from profilegen.errors import ProfilegenError, SelectionError
from profilegen.selection import check_identifier, parse_config, resolve

DEFAULT_PRESET = "no-usage-telemetry"
APPS = ("com.microsoft.Word", "com.microsoft.Excel", "com.microsoft.Powerpoint")


class Cancelled(Exception):
    """The user pressed Ctrl-C or Esc."""


def _escape_cancels() -> KeyBindings:
    bindings = KeyBindings()

    @bindings.add("escape", eager=True)
    def _(event):
        event.app.exit(exception=KeyboardInterrupt, style="class:aborting")

    return bindings


def ask(question: questionary.Question):
    app = question.application
    app.key_bindings = merge_key_bindings([app.key_bindings, _escape_cancels()])
    try:
        return question.unsafe_ask()
    except (KeyboardInterrupt, EOFError):
        raise Cancelled from None


def explain(catalog: Catalog, key: str) -> None:
    pref = catalog.preferences[key]
    questionary.print(f"\n{pref.title} ({key})", style="bold")
    questionary.print(f"  {pref.description}")
    for caveat in pref.caveats:
        questionary.print(f"  ! {caveat}", style="fg:ansiyellow")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _existing_file(text: str) -> bool | str:
    return True if Path(text).expanduser().is_file() else f"{text!r} is not a file"


def _identifier(text: str) -> bool | str:
    try:
        check_identifier(text)
        return True
    except SelectionError as e:
        return str(e)


def gather(catalog: Catalog) -> dict:
    """Ask every question; return the answers as config data plus output choices."""
    presets = catalog.presets
    start = ask(questionary.select(
        "Start from:",
        choices=[questionary.Choice(f"{p.name}: {p.title}", p.name, description=p.description)
                 for p in presets.values()]
        + [questionary.Choice("From scratch: nothing set yet", "")],
        default=DEFAULT_PRESET,
    ))
    base = resolve(catalog, preset=start).settings if start else ()
    current = {(s.domain, s.key): s.value for s in base}
    settings: dict[str, dict] = {}

    def put(domain: str, key: str, value) -> None:
        settings.setdefault(catalog.domains[domain].alias, {})[key] = value

    explain(catalog, "UseOnlineContent")
    for domain in ask(questionary.checkbox(
        "Turn off online content, sign-in and add-ins (UseOnlineContent = 0) in:",
        choices=[questionary.Choice(catalog.domains[d].name, d, checked=current.get((d, "UseOnlineContent")) == 0)
                 for d in APPS],
    )):
        put(domain, "UseOnlineContent", 0)

    explain(catalog, "SendAllTelemetryEnabled")
    telemetry = catalog.preferences["SendAllTelemetryEnabled"]
    for domain in ask(questionary.checkbox(
        "Stop usage telemetry (SendAllTelemetryEnabled = false) in:",
        choices=[questionary.Choice(catalog.domains[d].name, d,
                                    checked=current.get((d, telemetry.key)) is False)
                 for d in telemetry.domains],
    )):
        put(domain, telemetry.key, False)

    errors = "com.microsoft.errorreporting"
    explain(catalog, "IsMerpEnabled")
    merp = ask(questionary.select(
        "Crash reports where usage telemetry is off:",
        choices=[questionary.Choice("Stop with telemetry (IsMerpEnabled not set)", "unset"),
                 questionary.Choice("Keep sending crash reports (IsMerpEnabled = true)", "on")],
        default="on" if current.get((errors, "IsMerpEnabled")) is True else "unset",
    ))
    if merp == "on":
        put(errors, "IsMerpEnabled", True)
    explain(catalog, "IsAttachFilesEnabled")
    if ask(questionary.confirm(
        "Never attach documents to crash reports (IsAttachFilesEnabled = false)?",
        default=current.get((errors, "IsAttachFilesEnabled")) is False,
    )):
        put(errors, "IsAttachFilesEnabled", False)

    explain(catalog, "HowToCheck")
    how = catalog.preferences["HowToCheck"]
    updates = ask(questionary.select(
        "How should AutoUpdate check for updates?",
        choices=[questionary.Choice("Leave AutoUpdate's own setting (HowToCheck not set)", "")]
        + [questionary.Choice(f"{v.value}: {v.title}", v.value) for v in how.values],
        default=current.get(("com.microsoft.autoupdate2", how.key), ""),
    ))
    if updates:
        put("com.microsoft.autoupdate2", how.key, updates)

    questionary.print("\nProfile details", style="bold")
    name = start or "office-network"
    organization = ask(questionary.text("Organization (shown in System Settings, may be empty):"))
    suggested = f"com.{_slug(organization)}.office.{name}" if _slug(organization) else f"org.profilegen.office.{name}"
    identifier = ask(questionary.text("Profile identifier (reverse-DNS; keep it stable across updates):",
                                      default=suggested, validate=_identifier))
    display = presets[start].title if start else "network preferences"
    display_name = ask(questionary.text("Display name:", default=f"Office for Mac: {display}"))
    scope = ask(questionary.select("Install for:", choices=[
        questionary.Choice("System: every user of the Mac", "system"),
        questionary.Choice("User: the user the profile is installed for", "user")]))

    questionary.print("\nOutputs", style="bold")
    folder = ask(questionary.text("Output folder:", default="build"))
    name = ask(questionary.text("Name of the files:", default=name,
                                validate=lambda t: bool(re.fullmatch(r"[A-Za-z0-9_.-]+", t))
                                or "letters, digits, '.', '-' and '_' only"))
    formats = ask(questionary.checkbox(
        "Outputs to write:",
        choices=[questionary.Choice(f"{key}: {fmt.help}", key, checked=True) for key, fmt in render.FORMATS.items()],
        validate=lambda chosen: bool(chosen) or "choose at least one output",
    ))
    profile = {"identifier": identifier, "display_name": display_name, "scope": scope}
    if organization:
        profile["organization"] = organization
    return {
        "config": {"profile": profile, "settings": _tidy(catalog, settings)},
        "folder": Path(folder).expanduser(),
        "name": name,
        "formats": tuple(formats),
    }


def _tidy(catalog: Catalog, settings: dict[str, dict]) -> dict:
    """KEY = VALUE where every documented domain has the same value, [settings.APP] otherwise."""
    result: dict = {}
    for pref in catalog.preferences.values():
        values = [settings.get(catalog.domains[d].alias, {}).get(pref.key) for d in pref.domains]
        if all(v is not None for v in values) and len({format_value(v) for v in values}) == 1:
            result[pref.key] = values[0]
            for d in pref.domains:
                del settings[catalog.domains[d].alias][pref.key]
    result.update({app: keys for app, keys in settings.items() if keys})
    return result


def signing() -> tuple[object | None, list[str]]:
    """Ask how to sign; return the identity and the options that repeat it on the command line."""
    from profilegen import cms

    while True:
        how = ask(questionary.select("Sign the profile?", choices=[
            questionary.Choice("No, unsigned", "none"),
            questionary.Choice("With a certificate and key (PEM files)", "pem"),
            questionary.Choice("With a .p12 identity", "p12")]))
        try:
            if how == "none":
                return None, []
            if how == "p12":
                path = Path(ask(questionary.path("The .p12 file:", validate=_existing_file))).expanduser()
                password = ask(questionary.password(f"Password for {path.name}:"))
                return cms.load_p12(path, password.encode()), ["--sign-p12", str(path)]
            cert = Path(ask(questionary.path("Certificate (PEM):", validate=_existing_file))).expanduser()
            key = Path(ask(questionary.path("Private key (PEM):", validate=_existing_file))).expanduser()
            chain = ask(questionary.path("Intermediate certificates (PEM, Enter for none):",
                                         validate=lambda t: not t or _existing_file(t)))
            password = None
            if b"ENCRYPTED" in key.read_bytes():
                password = ask(questionary.password(f"Password for {key.name}:")).encode()
            options = ["--sign-cert", str(cert), "--sign-key", str(key)] + (["--sign-chain", chain] if chain else [])
            return cms.load_pem(cert, key, Path(chain).expanduser() if chain else None, password), options
        except ProfilegenError as e:
            questionary.print(f"  {e}", style="fg:ansired")


def run(catalog: Catalog) -> list[Path]:
    """The whole conversation; returns the files written. Raises Cancelled or ProfilegenError."""
    questionary.print("profilegen: Office for Mac network preferences, as Microsoft documents them.\n"
                      "Enter accepts the default; Ctrl-C or Esc cancels without writing anything.", style="bold")
    answers = gather(catalog)
    signer, sign_options = signing()
    folder, name = answers["folder"], answers["name"]
    config_path = folder / f"{name}.toml"
    text = tomli_w.dumps(answers["config"])
    chosen = resolve(catalog, config=parse_config(catalog, answers["config"], config_path, text))
    outputs = render.render(chosen, catalog, answers["formats"], signer)
    outputs.append(render.Output(config_path.name, "config", text.encode()))

    questionary.print("\nReview", style="bold")
    for s in chosen.settings:
        pref = catalog.preferences[s.key]
        questionary.print(f"  {s.domain} {s.key} = {format_value(s.value)}: {pref.title_of(s.value)}")
    if not chosen.settings:
        questionary.print("  (no preferences set)")
    questionary.print(f"  Endpoints: {impact.summary_line(impact.assess(chosen, catalog))}")
    questionary.print(f"  Profile: {chosen.profile.identifier}, scope {chosen.profile.scope}")
    if not ask(questionary.confirm(f"Write {len(outputs)} files to {folder}/?", default=True)):
        raise Cancelled
    existing = [o.path for o in outputs if (folder / o.path).exists()]
    force = bool(existing) and ask(questionary.confirm(
        f"{len(existing)} of them exist already ({existing[0]}, ...). Replace them?", default=False))
    paths = output.write(outputs, folder, force=force)
    command = ["profilegen", "build", "--config", str(config_path), "--output-dir", str(folder), "--force"]
    if set(answers["formats"]) != set(render.FORMATS):
        command += ["--format", ",".join(answers["formats"])]
    command += sign_options
    questionary.print("\nWrote:", style="bold")
    for path in paths:
        questionary.print(f"  {path}")
    questionary.print("\nTo build the same again in a pipeline:", style="bold")
    questionary.print("  " + shlex.join(command))
    if "--sign-p12" in sign_options:
        questionary.print("  (with the .p12 password in PROFILEGEN_P12_PASSWORD)")
    return paths
