"""Shell completion: the script `profilegen completion SHELL` prints, and what each option
completes to, from the catalog and the registries.

It uses the completion protocol of typer's own copy of click: the shell script runs
`profilegen` with _PROFILEGEN_COMPLETE set, and `init()` registers the shells before the
command line is read. On the start-up path (the CLI names these completers): the catalog
and typer's completion classes are imported only when a shell asks.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from profilegen import names

SHELLS = ("bash", "zsh", "fish")
VARIABLE = "_PROFILEGEN_COMPLETE"

# typer's bash script hands the words as bash split them, and bash splits at ':' and '='
# (COMP_WORDBREAKS), so `--set word:Use` would arrive as three words. This one hands the
# line instead, and takes off each answer the part of the word bash doesn't replace.
# `compopt` (bash 4 and later) keeps the cursor after `KEY=` and `APP:`.
BASH = r"""
_profilegen_completion() {
    local IFS=$'\n'
    local line=${COMP_LINE:0:COMP_POINT}
    local cur=${COMP_WORDS[COMP_CWORD]}
    local word=${line##*[[:space:]]}
    local prefix=${word%"$cur"}
    COMPREPLY=( $(env _PROFILEGEN_COMPLETE=complete_bash _PROFILEGEN_COMPLETE_LINE="$line" "$1" 2>/dev/null) )
    COMPREPLY=( "${COMPREPLY[@]#"$prefix"}" )
    if [ ${#COMPREPLY[@]} -eq 1 ] && [[ ${COMPREPLY[0]} == *[=:] ]]; then
        compopt -o nospace 2>/dev/null || true
    fi
    return 0
}

complete -o default -F _profilegen_completion profilegen
""".lstrip()


def script(shell: str) -> str:
    """The script a shell sources to complete `profilegen`."""
    shell = names.pick("shell", shell, SHELLS)
    if shell == "bash":
        return BASH
    from typer.completion import get_completion_script

    return get_completion_script(prog_name="profilegen", complete_var=VARIABLE, shell=shell) + "\n"


def init() -> None:
    """Register the shells, with bash reading the line as `BASH` hands it. Files and folders are
    left to each shell's own completion: an answer would replace it."""
    from typer._click.shell_completion import add_completion_class, split_arg_string
    from typer._completion_classes import BashComplete, FishComplete, ZshComplete

    class Names:
        def get_completions(self, args, incomplete):
            return [item for item in super().get_completions(args, incomplete) if item.type == "plain"]

    class Bash(Names, BashComplete):
        def get_completion_args(self) -> tuple[list[str], str]:
            line = os.environ.get("_PROFILEGEN_COMPLETE_LINE", "")
            words = split_arg_string(line)[1:]
            if words and not line[-1:].isspace():
                return words[:-1], words[-1]
            return words, ""

    class Zsh(Names, ZshComplete):
        pass

    class Fish(Names, FishComplete):
        pass

    for cls in (Bash, Zsh, Fish):
        add_completion_class(cls, cls.name)


def _matching(incomplete: str, items: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(value, help) pairs whose value starts with what was typed, in any case, '-' or '_'."""
    typed = names.fold(incomplete)
    return [(value, help) for value, help in items if names.fold(value).startswith(typed)]


def _catalog():
    from profilegen.catalog import loading

    return loading.load()


def presets(incomplete: str) -> list[tuple[str, str]]:
    return _matching(incomplete, ((p.name, p.title) for p in _catalog().presets.values()))


def formats(incomplete: str) -> list[tuple[str, str]]:
    """Format names, also after a comma: `-f script,end` completes the last one."""
    from profilegen.core.registry import FORMATS

    done, comma, last = incomplete.rpartition(",")
    return _matching(incomplete, ((done + comma + name, f.help) for name, f in FORMATS.items()))


def consoles(incomplete: str) -> list[tuple[str, str]]:
    from profilegen.core.registry import CONSOLES

    return _matching(incomplete, ((name, c.help) for name, c in CONSOLES.items()))


def apps(incomplete: str) -> list[tuple[str, str]]:
    return _matching(
        incomplete, ((name, f"{letter}, an app of the article's tables") for letter, name in _catalog().apps.items())
    )


def effects(incomplete: str) -> list[tuple[str, str]]:
    from profilegen.catalog.model import EFFECTS

    return _matching(incomplete, ((effect, "") for effect in EFFECTS))


def reports(incomplete: str) -> list[tuple[str, str]]:
    from profilegen.reading.findings import REPORTS

    return _matching(incomplete, ((name, "") for name in REPORTS))


def audits(incomplete: str) -> list[tuple[str, str]]:
    from profilegen.reading.audit_report import FORMATS

    return _matching(incomplete, ((name, "") for name in FORMATS))


def shells(incomplete: str) -> list[tuple[str, str]]:
    return _matching(incomplete, ((name, "") for name in SHELLS))


def choices(pairs: tuple[tuple[str, str], ...]):
    """A completer for an option of a few documented values (scope, payload style)."""
    return lambda incomplete: _matching(incomplete, pairs)


def sets(incomplete: str) -> list[tuple[str, str]]:
    """--set: `KEY=` and `APP:` first, then the keys of that app, then the values of that key."""
    from profilegen.catalog.values import format_value
    from profilegen.errors import SelectionError

    catalog = _catalog()
    spec, equals, _ = incomplete.partition("=")
    app, colon, key = spec.rpartition(":")
    try:
        if equals:
            pref = catalog.preference(key)
            return _matching(incomplete, ((f"{spec}={format_value(v.value)}", v.title) for v in pref.values))
        if colon:
            domain = catalog.domain(app).domain
            return _matching(
                incomplete, ((f"{app}:{p.key}=", p.title) for p in catalog.preferences.values() if domain in p.domains)
            )
    except SelectionError:
        return []
    return _matching(
        incomplete,
        [(f"{p.key}=", p.title) for p in catalog.preferences.values()]
        + [(f"{d.alias}:", d.name) for d in catalog.domains.values()],
    )
