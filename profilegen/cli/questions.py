"""Questions at a terminal: asking (Esc or Ctrl-C cancels anywhere), text that reads at 80
columns, and the question for each kind of value, built from what the catalog and the request
declare: a documented value picked from its list, a free value typed and checked by its
preference, a profile detail by its Option (yes or no, one of a few, or text); and the
questions about where the outputs go (the console, the target, the formats, a PAC file).

Validation is the core's own: a question's `validate` calls the check the CLI calls.
"""

from __future__ import annotations

import functools
import shutil
import textwrap
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import questionary
from prompt_toolkit import print_formatted_text
from prompt_toolkit.application import application
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
from prompt_toolkit.key_binding.defaults import load_key_bindings

from profilegen.catalog.model import Catalog, Preference
from profilegen.catalog.values import format_value
from profilegen.core import registry
from profilegen.core.request import PAC_MODES, Option, TargetOptions, check_proxy, check_version
from profilegen.core.target import Target, unread_value
from profilegen.errors import ProfilegenError

UNSET = -1  # the "leave unset" choice; the others are indexes into a preference's values


class Cancelled(Exception):
    """The user pressed Ctrl-C or Esc, or chose to cancel."""


def _escape_cancels() -> KeyBindings:
    bindings = KeyBindings()

    @bindings.add("escape", eager=True)
    def _(event):
        event.app.exit(exception=KeyboardInterrupt, style="class:aborting")

    return bindings


def ask(question: questionary.Question):
    app = question.application
    app.key_bindings = merge_key_bindings([b for b in (app.key_bindings, _escape_cancels()) if b is not None])
    try:
        return question.unsafe_ask()
    except (KeyboardInterrupt, EOFError):
        raise Cancelled from None


def wrap(text: str, indent: str = "") -> str:
    """Text wrapped to the terminal, so it reads at 80 columns."""
    width = max(40, min(shutil.get_terminal_size().columns, 100) - 1)
    lines = textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent + "  ", break_on_hyphens=False)
    return "\n".join(lines)


def show(*parts: tuple[str, str]) -> None:
    """Lines of text, each (style, text), in one print: prompt_toolkit works out its styles anew for
    every print, which made the explanations between questions cost more than the questions."""
    print_formatted_text(FormattedText([(style, text + "\n") for style, text in parts]), end="")


def say(text: str, style: str = "", indent: str = "") -> None:
    show((style, wrap(text, indent)))


def whole(description: str) -> str:
    """A choice's description wrapped under questionary's "  Description: " label: a select
    shows it in one line, cut at the terminal's edge, and a caveat is often in its last words."""
    label = len("  Description: ")
    width = max(40, shutil.get_terminal_size().columns - 1)
    return textwrap.fill(
        description, width, initial_indent=" " * label, subsequent_indent="    ", break_on_hyphens=False
    )[label:]


def valid(check: Callable[[str], Any]) -> Callable[[str], bool | str]:
    """A questionary validator from the core's own check: the same words as the CLI's errors."""

    def validate(text: str) -> bool | str:
        try:
            check(text)
            return True
        except ProfilegenError as e:
            return str(e)

    return validate


def _existing_file(text: str) -> None:
    if not Path(text).expanduser().is_file():
        raise ProfilegenError(f"{text!r} is not a file")


def share_default_key_bindings() -> None:
    """prompt_toolkit makes its 1,400 default key bindings anew for every question, more than half
    of what a question costs before it is drawn; they hold no state, so one set serves them all."""
    if application.load_key_bindings is load_key_bindings:
        application.load_key_bindings = functools.cache(load_key_bindings)


def console(current: str) -> str:
    """The MDM console the outputs are for."""
    return ask(
        questionary.select(
            "Which console deploys the profile?",
            default=current,
            choices=[questionary.Choice(f"{name}: {c.help}", name) for name, c in registry.CONSOLES.items()],
        )
    )


def target(catalog: Catalog, current: TargetOptions) -> TargetOptions:
    """The Office and AutoUpdate versions the Macs run: the catalog's current, or typed."""
    office, mau = catalog.products["office"], catalog.products["autoupdate"]
    which = ask(
        questionary.select(
            "Which Office do the Macs run?",
            default="older" if current.office else "current",
            choices=[
                questionary.Choice(
                    f"Current: Office {office.current} and AutoUpdate {mau.current} (released {office.released})",
                    "current",
                ),
                questionary.Choice("An older version: type it", "older"),
            ],
        )
    )
    if which == "current":
        return TargetOptions()
    version = ask(
        questionary.text(
            "Office version (such as 16.89):",
            default=current.office or "",
            validate=valid(check_version("Office version")),
        )
    )
    updater = ask(
        questionary.text(
            "AutoUpdate version (Enter: the current, as AutoUpdate updates itself):",
            default=current.mau or "",
            validate=lambda t: not t or valid(check_version("AutoUpdate version"))(t),
        )
    )
    return TargetOptions(str(version).strip(), updater.strip() or None)


def outputs(checked: tuple[str, ...]) -> tuple[str, ...]:
    """The formats to write, in the registry's order; `checked` are ticked to start with."""
    chosen = ask(
        questionary.checkbox(
            "Outputs to write:",
            choices=[
                questionary.Choice(f"{key}: {fmt.help}", key, checked=key in checked)
                for key, fmt in registry.FORMATS.items()
            ],
            validate=lambda picked: bool(picked) or "choose at least one output",
        )
    )
    return tuple(k for k in registry.FORMATS if k in chosen)


def pac(proxy: str | None, mode: str) -> tuple[str, str]:
    """The proxy a PAC file sends to (asked, never made up), and what it sends DIRECT."""
    proxy = check_proxy(
        ask(questionary.text("Proxy for the PAC file (HOST:PORT):", default=proxy or "", validate=valid(check_proxy)))
    )
    mode = ask(
        questionary.select(
            "What should the PAC file send DIRECT, besides the local network?",
            default=mode,
            choices=[questionary.Choice(title, m) for m, title in PAC_MODES],
        )
    )
    return proxy, mode


def value(catalog: Catalog, pref: Preference, before: dict, aim: Target, domain: str) -> Any | None:
    """A value of the preference that the target takes, or None to leave it unset: picked from
    its documented values where it has them, else typed as its type (a number, text, a URL, a
    dictionary as JSON) and checked by the preference."""
    question = f"{pref.question} ({pref.key})"
    if pref.values:
        return _picked(catalog, pref, before, aim, domain, question)
    return _typed(pref, next(iter(before.values()), None), question)


def _typed(pref: Preference, current: Any, question: str) -> Any | None:
    text = ask(
        questionary.text(
            question + " Enter: leave unset",
            default=format_value(current or ""),
            validate=lambda t: not t.strip() or valid(pref.parse)(t),
        )
    )
    return pref.parse(text) if text.strip() else None


def _picked(catalog: Catalog, pref: Preference, before: dict, aim: Target, domain: str, question: str) -> Any | None:
    offered = [v for v in pref.values if not unread_value(catalog, pref, domain, v.value, aim)]
    common = Counter(format_value(v) for v in before.values()).most_common(1)
    default = next((i for i, v in enumerate(offered) if common and format_value(v.value) == common[0][0]), UNSET)
    choices = [questionary.Choice(f"{format_value(v.value)}: {v.title}", i) for i, v in enumerate(offered)]
    choices.append(questionary.Choice(f"Leave unset: don't manage {pref.key}", UNSET))
    picked = ask(questionary.select(question, choices=choices, default=next(c for c in choices if c.value == default)))
    return None if picked == UNSET else offered[picked].value


def option(opt: Option, current: Any, suggested: Any = "") -> Any:
    """A value of a request's Option, asked as it declares it: yes or no, one of its choices, or
    text its own check accepts (Enter: none). `suggested` is the default where none is set."""
    question, check = opt.question or opt.help, opt.check or str
    if opt.type is bool:
        return ask(questionary.confirm(question, default=bool(current))) or None
    if opt.choices:
        return ask(
            questionary.select(
                question,
                default=current or suggested or opt.choices[0][0],
                choices=[questionary.Choice(title, v) for v, title in opt.choices],
            )
        )
    return (
        ask(questionary.text(question, default=current or suggested, validate=lambda t: not t or valid(check)(t)))
        or None
    )


def existing_file(text: str) -> None:
    if not Path(text).expanduser().is_file():
        raise ProfilegenError(f"{text!r} is not a file")
