"""Generated documentation: the README's reference tables come from the code and the catalog.

`python -m profilegen.cli.docs` rewrites every generated block of README.md (between
`<!-- NAME:start -->` and `<!-- NAME:end -->`); a test fails when one differs.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from profilegen.catalog import loading as catalog_module
from profilegen.catalog.model import EFFECTS, Catalog
from profilegen.catalog.sources import cite
from profilegen.catalog.values import format_value

_COMMIT = re.compile(r"[0-9a-f]{40}")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(header: tuple[str, ...], rows) -> str:
    """A Markdown table; cells are given as they should read."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def settings_table(catalog: Catalog) -> str:
    def row(p):
        values = "<br>".join(f"`{format_value(v.value)}` {v.title}" for v in p.values) or p.allowed
        aliases = "".join(f"<br>also read as `{a}`" for a in p.aliases)
        caveats = "".join(
            f"<br>⚠ {c.text}" + ("" if c.evidence == p.evidence else f" ({cite(c.evidence)})") for c in p.caveats
        )
        source = catalog.sources[p.evidence.source]
        section = f', section "{p.section}"' if p.section else ""
        return (
            f"`{p.key}`{aliases}",
            "<br>".join(f"`{d}`" for d in p.domains),
            p.type,
            _cell(values),
            f"`{format_value(p.private)}`" if p.private is not None else "",
            _cell("<br>".join(p.versions(catalog))),
            _cell(p.description) + _cell(caveats),
            f"[{_cell(source.title)}]({source.url}){_cell(section)} ({p.evidence.confidence})",
        )

    return _table(
        ("Key", "Domains", "Type", "Values", "Most private", "Versions", "What it does", "Source"),
        map(row, catalog.preferences.values()),
    )


def sources(catalog: Catalog) -> str:
    from profilegen.catalog.sources import CONFIDENCE

    return "\n\n".join(
        [
            _table(
                ("id", "source", "publisher", "revision read"),
                (
                    (
                        f"`{s.id}`",
                        f"[{_cell(s.title)}]({s.url})" + (f", {s.date}" if s.date else ""),
                        s.publisher,
                        f"`{s.revision[:12]}`" if _COMMIT.fullmatch(s.revision) else _cell(s.revision),
                    )
                    for s in catalog.sources.values()
                ),
            ),
            _table(("confidence", "meaning"), CONFIDENCE.items()),
        ]
    )


def versions(catalog: Catalog) -> str:
    return _table(
        ("product", "current", "released", "source"),
        (
            (p.title, str(p.current), p.released, f"`{p.evidence.source}` ({p.evidence.confidence})")
            for p in catalog.products.values()
        ),
    )


def presets(catalog: Catalog) -> str:
    return _table(
        ("preset", "for", "what it does"),
        ((f"`{p.name}`", p.for_versions(catalog), _cell(p.description)) for p in catalog.presets.values()),
    )


def build_options(catalog: Catalog) -> str:
    """Every option of `profilegen build`, as its --help gives them."""
    import typer

    from profilegen.cli.app import app

    rows = []
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    for param in group.commands["build"].params:
        if not isinstance(param, typer.core.TyperOption) or param.name == "help":
            continue
        long, *short = sorted(param.opts, key=len, reverse=True)
        flag = long if param.is_flag else f"{long} {param.metavar or param.type.name.upper()}"
        shown = param.show_default and not param.is_flag and param.default is not None
        rows.append(
            (
                f"`{_cell(flag)}`" + "".join(f", `{s}`" for s in short),
                _cell((param.help or "") + (f" [default: {param.default}]" if shown else "")),
            )
        )
    return _table(("option", "meaning"), rows)


def apps(catalog: Catalog) -> str:
    return _table(
        ("APP", "preference domain", "application"),
        ((f"`{d.alias}`", f"`{d.domain}`", d.name) for d in catalog.domains.values()),
    )


def formats(catalog: Catalog) -> str:
    from profilegen.core.registry import FORMATS, KINDS

    return "\n\n".join(
        [
            _table(
                ("format", "file kinds", "what"),
                ((f"`{name}`", ", ".join(f"`{k}`" for k in f.kinds), f.help) for name, f in FORMATS.items()),
            ),
            _table(("file kind", "what it is"), ((f"`{kind}`", what) for kind, what in KINDS.items())),
        ]
    )


def effects(catalog: Catalog) -> str:
    return _table(("effect", "meaning"), ((f"`{effect}`", meaning) for effect, meaning in EFFECTS.items()))


def exit_codes(catalog: Catalog) -> str:
    from profilegen.errors import EXIT_CODES

    return _table(("exit code", "meaning"), ((str(code), meaning) for code, meaning in EXIT_CODES.items()))


BLOCKS = {
    "settings-table": settings_table,
    "sources": sources,
    "versions": versions,
    "presets": presets,
    "build-options": build_options,
    "apps": apps,
    "formats": formats,
    "effects": effects,
    "exit-codes": exit_codes,
}


def update(readme: str, catalog: Catalog) -> str:
    for name, make in BLOCKS.items():
        start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
        block = f"{start}\n{make(catalog)}\n{end}"
        if start in readme and end in readme:
            before, _, rest = readme.partition(start)
            readme = before + block + rest.partition(end)[2]
    return readme


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    path.write_text(update(path.read_text(encoding="utf-8"), catalog_module.load()), encoding="utf-8")
