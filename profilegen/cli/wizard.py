"""`profilegen wizard`: questions at a terminal that end in the same build as the CLI's.

The questions come from data: one per preference of the catalog, under the
catalog's groups; one per profile detail the Request declares; then the outputs
and the signing identity. The answers become a config file and a Request, handed
to the same `build.plan` that `profilegen build` calls, so rebuilding from the
saved config gives the same bytes. The review lets the admin change any one
answer; nothing is written before it. Ctrl-C or Esc anywhere leaves nothing behind.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import questionary

from profilegen.build import plan as build
from profilegen.catalog.model import Catalog, Preference, Setting
from profilegen.catalog.values import format_value, same_value
from profilegen.cli import questions
from profilegen.cli.questions import (
    Cancelled,
    ask,
    existing_file,
    say,
    share_default_key_bindings,
    show,
    valid,
    whole,
    wrap,
)
from profilegen.core import impact, registry
from profilegen.core.request import (
    PASSWORD_VARIABLES,
    Profile,
    Request,
    SigningOptions,
    TargetOptions,
)
from profilegen.core.selection import config_text, default_display_name, default_identifier
from profilegen.core.target import Target, unread_key
from profilegen.errors import ProfilegenError, SigningError

DEFAULT_PRESETS = ("required-data-only", "no-usage-telemetry")  # the first that suits the target
SIGNING_PATHS = {
    "sign_p12": "The .p12 file:",
    "sign_cert": "Certificate (PEM or DER):",
    "sign_key": "Private key (PEM):",
    "sign_chain": "Intermediate certificates (PEM, Enter for none):",
}


@dataclass(frozen=True)
class Step:
    label: str
    ask: Callable[[], None]
    answer: Callable[[], str]  # the current answer, in words, for the review


def asked(catalog: Catalog, pref: Preference, target: Target) -> tuple[str, ...]:
    """The domains of a preference that the target reads: the wizard asks about these alone."""
    return tuple(d for d in pref.domains if unread_key(catalog, pref, d, target) is None)


def presets_for(catalog: Catalog, target: Target) -> list[str]:
    """The presets that suit the target, in catalog order."""
    return [name for name, preset in catalog.presets.items() if preset.fits(target.versions())]


def default_preset(catalog: Catalog, target: Target) -> str:
    offered = presets_for(catalog, target)
    return next((name for name in DEFAULT_PRESETS if name in offered), offered[0] if offered else "")


class Wizard:
    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.target = TargetOptions()
        self.start = default_preset(catalog, self.aim())
        self.values: dict[tuple[str, str], Any] = self._preset_values(self.start)
        self.profile = Profile()
        self.folder = Path("build")
        self.name = ""
        self.console = "generic"
        self.formats: tuple[str, ...] = ()  # (): the console's own
        self.pac_proxy: str | None = None
        self.pac_mode = "direct"
        self.signing = SigningOptions()
        self.password: bytes | None = None  # in memory only, never saved

    # --- the questions ---------------------------------------------------------------

    def _preset_values(self, name: str) -> dict[tuple[str, str], Any]:
        return {(s.domain, s.key): s.value for s in self.catalog.presets[name].values} if name else {}

    def aim(self) -> Target:
        return Target.of(self.catalog, self.target.office, self.target.mau)

    def ask_console(self) -> None:
        """Where the outputs go decides their defaults: the formats, and the payload style."""
        console = questions.console(self.console)
        if console != self.console:
            self.console, self.formats = console, ()
            self.profile = replace(self.profile, payload_style=None)

    def ask_target(self) -> None:
        self.target = questions.target(self.catalog, self.target)
        aim = self.aim()
        if self.start not in presets_for(self.catalog, aim):
            self.start = default_preset(self.catalog, aim)
            self.values = self._preset_values(self.start)
        dropped = [
            key for key in self.values if unread_key(self.catalog, self.catalog.preferences[key[1]], key[0], aim)
        ]
        for key in dropped:
            del self.values[key]

    def ask_start(self) -> None:
        choices = [
            questionary.Choice(f"{p.name}: {p.title}", p.name, description=whole(p.description))
            for name, p in self.catalog.presets.items()
            if name in presets_for(self.catalog, self.aim())
        ]
        choices.append(questionary.Choice("From scratch: nothing set yet", ""))
        self.start = ask(questionary.select("Start from:", choices=choices, default=self.start))
        self.values = self._preset_values(self.start)

    def explain(self, pref: Preference) -> None:
        show(
            ("bold", f"\n{pref.title} ({pref.key})"),
            ("", wrap(pref.description, indent="  ")),
            *(("fg:ansiyellow", wrap(f"! {caveat.text}", indent="  ")) for caveat in pref.caveats),
        )

    def ask_preference(self, pref: Preference) -> None:
        """One preference, in the domains the target reads it in; nothing where it reads it in none."""
        aim = self.aim()
        domains = asked(self.catalog, pref, aim)
        if not domains:
            return
        self.explain(pref)
        before = {d: self.values.pop((d, pref.key)) for d in domains if (d, pref.key) in self.values}
        value = questions.value(self.catalog, pref, before, aim, domains[0])
        if value is None:
            return
        if len(domains) > 1:
            had = [d for d, v in before.items() if same_value(v, value)] or domains
            domains = ask(
                questionary.checkbox(
                    f"{pref.key} = {format_value(value)} in (none: leave it unset):",
                    choices=[questionary.Choice(self.catalog.domains[d].name, d, checked=d in had) for d in domains],
                )
            )
        for domain in domains:
            self.values[(domain, pref.key)] = value

    def ask_settings(self) -> None:
        """The start and every preference, group by group; again until something is set."""
        while True:
            self.ask_start()
            for group in self.catalog.groups.values():
                prefs = [
                    p
                    for p in self.catalog.preferences.values()
                    if p.group == group.name and asked(self.catalog, p, self.aim())
                ]
                if prefs:
                    questionary.print(f"\n{group.title}", style="bold underline")
                    say(group.about)
                for pref in prefs:
                    self.ask_preference(pref)
            if self.values:
                return
            self._nothing_set()

    def _nothing_set(self) -> None:
        say("Nothing is set yet: choose a value for at least one setting, or start from a preset.", style="fg:ansired")

    def ask_detail(self, name: str) -> None:
        """One profile detail, asked as its Option declares it."""
        field = next(f for f in fields(Profile) if f.name == name)
        opt, current = field.metadata["option"], getattr(self.profile, name)
        if name == "payload_style":
            suggested = registry.CONSOLES[self.console].payload_style or ""
        elif name == "identifier":
            suggested = default_identifier(self.file_name(), self.profile.organization)
        elif name == "display_name":
            suggested = self.default_display_name()
        else:
            suggested = ""
        value = questions.option(opt, current, suggested)
        if name == "identifier" and not current and value == suggested:
            value = None  # the default, which follows the name and organization if they change
        self.profile = replace(self.profile, **{name: value})

    def default_display_name(self) -> str:
        settings = [Setting(d, k, v) for (d, k), v in self.values.items()]
        return default_display_name(self.catalog.presets.get(self.start), settings)

    def file_name(self) -> str:
        return self.name or self.start or "office-network"

    def ask_folder(self) -> None:
        self.folder = Path(ask(questionary.text("Output folder:", default=str(self.folder)))).expanduser()

    def ask_name(self) -> None:
        self.name = ask(
            questionary.text(
                "Name of the files:",
                default=self.file_name(),
                validate=lambda t: (
                    bool(re.fullmatch(r"[A-Za-z0-9_.-]+", t)) or "letters, digits, '.', '-' and '_' only"
                ),
            )
        )

    def console_formats(self) -> tuple[str, ...]:
        """What the console takes by default; a PAC file only when asked for, as it needs a proxy."""
        formats = registry.CONSOLES[self.console].formats or tuple(registry.FORMATS)
        return tuple(f for f in formats if f != "pac")

    def ask_formats(self) -> None:
        default = self.console_formats()
        chosen = questions.outputs(self.formats or default)
        self.formats = () if set(chosen) == set(default) else chosen
        if "pac" in self.formats:
            self.ask_pac()
        else:
            self.pac_proxy = None

    def ask_pac(self) -> None:
        """A PAC file names its proxy: asked, never made up."""
        self.pac_proxy, self.pac_mode = questions.pac(self.pac_proxy, self.pac_mode)

    def password_source(self, path: Path, kind: str) -> bytes:
        if self.password is None:
            self.password = ask(questionary.password(f"Password for {path.name}:")).encode()
        return self.password

    def ask_path(self, about: str) -> Path | None:
        current = getattr(self.signing, about)
        optional = about == "sign_chain"
        text = ask(
            questionary.path(
                SIGNING_PATHS[about],
                default=str(current or ""),
                validate=lambda t: (optional and not t) or valid(existing_file)(t),
            )
        )
        return Path(text).expanduser() if text else None

    def ask_signing(self) -> None:
        how = ask(
            questionary.select(
                "Sign the profile?",
                default=("p12" if self.signing.sign_p12 else "pem" if self.signing.sign_cert else "none"),
                choices=[
                    questionary.Choice("No, unsigned", "none"),
                    questionary.Choice("With a certificate and key (PEM files)", "pem"),
                    questionary.Choice("With a .p12 identity", "p12"),
                ],
            )
        )
        self.password = None
        if how == "none":
            self.signing = SigningOptions()
            return
        wanted = ("sign_p12",) if how == "p12" else ("sign_cert", "sign_key", "sign_chain")
        if how == "p12" and not self.signing.sign_p12 or how == "pem" and not self.signing.sign_cert:
            self.signing = SigningOptions()
        for about in wanted:
            self.signing = replace(self.signing, **{about: self.ask_path(about)})
        while True:
            try:
                build.load_identity(self.signing, self.password_source)
                return
            except SigningError as e:
                questionary.print(f"  {e}", style="fg:ansired")
                if e.about == "password":
                    self.password = None  # asked again, the paths kept
                elif e.about in SIGNING_PATHS:
                    self.signing = replace(self.signing, **{e.about: self.ask_path(e.about)})
                else:
                    return self.ask_signing()

    # --- the whole conversation ------------------------------------------------------

    def steps(self) -> list[Step]:
        steps = [
            Step("Console", self.ask_console, lambda: self.console),
            Step("Target", self.ask_target, lambda: self.aim().describe(self.catalog)),
            Step("Start from", self.ask_start, lambda: self.start or "from scratch"),
        ]
        for pref in self.catalog.preferences.values():
            if asked(self.catalog, pref, self.aim()):
                steps.append(
                    Step(pref.key, functools.partial(self.ask_preference, pref), functools.partial(self._shown, pref))
                )
        steps.append(Step("Name of the files", self.ask_name, self.file_name))
        for field in fields(Profile):
            steps.append(
                Step(
                    field.name.replace("_", " "),
                    functools.partial(self.ask_detail, field.name),
                    functools.partial(self._detail, field.name),
                )
            )
        steps += [
            Step("Output folder", self.ask_folder, lambda: str(self.folder)),
            Step("Outputs", self.ask_formats, lambda: ", ".join(self.formats) or f"the {self.console} console's"),
        ]
        if "pac" in self.formats:
            steps.append(Step("PAC proxy", self.ask_pac, lambda: f"{self.pac_proxy} ({self.pac_mode} mode)"))
        steps += [
            Step(
                "Signing",
                self.ask_signing,
                lambda: next((str(v) for v in (self.signing.sign_p12, self.signing.sign_cert) if v), "unsigned"),
            ),
        ]
        return steps

    def _detail(self, name: str) -> str:
        value = getattr(self.profile, name)
        return "not set" if value is None or value is False else format_value(value)

    def _shown(self, pref: Preference) -> str:
        apps: dict[str, list[str]] = {}
        for domain in pref.domains:
            if (domain, pref.key) in self.values:
                apps.setdefault(format_value(self.values[(domain, pref.key)]), []).append(
                    self.catalog.domains[domain].alias
                )
        return (
            "; ".join(
                value if len(where) == len(pref.domains) else f"{value} in {', '.join(where)}"
                for value, where in apps.items()
            )
            or "unset"
        )

    def request(self, force: bool = False) -> Request:
        return Request(
            configs=(self.folder / f"{self.file_name()}.toml",),
            formats=self.formats,
            console=self.console,
            pac_proxy=self.pac_proxy,
            pac_mode=self.pac_mode,
            output_dir=self.folder,
            force=force,
            signing=self.signing,
        )

    def plan(self, force: bool = False) -> build.Plan:
        request = self.request(force)
        settings = [Setting(domain, key, value) for (domain, key), value in self.values.items()]
        text = config_text(self.catalog, settings, self.profile, self.target)
        return build.plan(request, self.catalog, self.password_source, unsaved={request.configs[0]: text})

    def review(self, plan: build.Plan) -> None:
        chosen = plan.products[0].selection
        questionary.print("\nReview", style="bold")
        where: dict[tuple[str, str], list[str]] = {}
        for s in chosen.settings:
            where.setdefault((s.key, format_value(s.value)), []).append(self.catalog.domains[s.domain].alias)
        for s in dict.fromkeys(chosen.settings):
            apps = where.pop((s.key, format_value(s.value)), None)
            if apps:
                say(
                    f"{s.key} = {format_value(s.value)} in {', '.join(apps)}: "
                    f"{self.catalog.preferences[s.key].title_of(s.value)}",
                    indent="  ",
                )
        for warning in plan.warnings:
            say(f"! {warning}", style="fg:ansiyellow", indent="  ")
        say(f"Endpoints: {impact.summary_line(impact.assess(chosen, self.catalog))}", indent="  ")
        say(f"Profile: {chosen.profile.identifier}, scope {chosen.profile.scope}", indent="  ")

    def change(self) -> None:
        steps = self.steps()
        picked = ask(
            questionary.select(
                "Change which answer?",
                choices=[questionary.Choice(f"{s.label}: {s.answer()}", i) for i, s in enumerate(steps)],
            )
        )
        steps[picked].ask()
        if not self.values:
            self._nothing_set()
            self.ask_settings()

    def run(self) -> list[Path]:
        """The whole conversation; returns the files written. Raises Cancelled or ProfilegenError."""
        questionary.print(
            "profilegen: Office for Mac network preferences, as Microsoft documents them.\n"
            "Enter accepts the default; Ctrl-C or Esc cancels without writing anything.",
            style="bold",
        )
        self.ask_console()
        self.ask_target()
        self.ask_settings()
        questionary.print("\nProfile details", style="bold")
        self.ask_name()  # first: the identifier's default is made from it
        for field in fields(Profile):
            self.ask_detail(field.name)
        questionary.print("\nOutputs", style="bold")
        for step in (self.ask_folder, self.ask_formats, self.ask_signing):
            step()
        while True:
            try:
                plan = self.plan()
            except ProfilegenError as e:
                say(str(e), style="fg:ansired")
                self.change()
                continue
            self.review(plan)
            action = ask(
                questionary.select(
                    f"Write {len(plan.outputs)} files to {self.folder}/?",
                    choices=[
                        questionary.Choice("Write them", "write"),
                        questionary.Choice("Change an answer", "change"),
                        questionary.Choice("Cancel: write nothing", "cancel"),
                    ],
                )
            )
            if action == "cancel":
                raise Cancelled
            if action == "change":
                self.change()
                continue
            existing = plan.existing()
            if existing and not ask(
                questionary.confirm(
                    f"{len(existing)} of them exist already ({existing[0]}, ...). Replace them?", default=False
                )
            ):
                say("Nothing written: change the output folder or the name, or replace the files.")
                self.change()
                continue
            return self.finish(self.plan(force=bool(existing)).write())

    def finish(self, result: build.Result) -> list[Path]:
        paths = [result.path(o) for o in result.plan.outputs]
        questionary.print("\nWrote:", style="bold")
        for path in paths:
            questionary.print(f"  {path}")
        for name in result.removed:
            questionary.print(f"  removed {name}")
        for warning in result.warnings:
            questionary.print(f"  ! {warning}", style="fg:ansiyellow")
        questionary.print("\nTo build the same again in a pipeline:", style="bold")
        questionary.print("  " + replace(result.plan.request, force=True).command())
        if self.signing.sign_p12 or self.password is not None:
            kind = "p12" if self.signing.sign_p12 else "key"
            questionary.print(f"  (with the password in {PASSWORD_VARIABLES[kind]})")
        return paths


def run(catalog: Catalog) -> list[Path]:
    share_default_key_bindings()
    return Wizard(catalog).run()
