"""Generated documentation: the README's reference tables come from the code and the catalog.

`python -m profilegen.docs` rewrites every generated block of README.md (between
`<!-- NAME:start -->` and `<!-- NAME:end -->`); a test fails when one differs.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from profilegen import catalog as catalog_module
from profilegen.catalog import EFFECTS, Catalog, format_value


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def settings_table(catalog: Catalog) -> str:
    lines = [
        "| Key | Domains | Type | Values | Most private | Versions | What it does | Source |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for p in catalog.preferences.values():
        values = "<br>".join(f"`{format_value(v.value)}` {v.title}" for v in p.values) or p.allowed
        domains = "<br>".join(f"`{d}`" for d in p.domains)
        aliases = "".join(f"<br>also read as `{a}`" for a in p.aliases)
        caveats = "".join(f"<br>⚠ {c}" for c in p.caveats)
        private = f"`{format_value(p.private)}`" if p.private is not None else ""
        source = catalog.sources[p.evidence.source]
        lines.append(
            f"| `{p.key}`{aliases} | {domains} | {p.type} | {_cell(values)} | {private} "
            f"| {_cell('<br>'.join(p.versions(catalog)))} | {_cell(p.description)}{_cell(caveats)} "
            f"| [{_cell(source.title)}]({source.url}) ({p.evidence.confidence}) |"
        )
    return "\n".join(lines)


def sources(catalog: Catalog) -> str:
    from profilegen.catalog import CONFIDENCE

    lines = ["| id | source | publisher |", "|---|---|---|"]
    lines += [f"| `{s.id}` | [{_cell(s.title)}]({s.url}){f', {s.date}' if s.date else ''} | {s.publisher} |"
              for s in catalog.sources.values()]
    lines += ["", "| confidence | meaning |", "|---|---|"]
    lines += [f"| {name} | {meaning} |" for name, meaning in CONFIDENCE.items()]
    return "\n".join(lines)


def versions(catalog: Catalog) -> str:
    lines = ["| product | current | released | source |", "|---|---|---|---|"]
    lines += [f"| {p.title} | {p.current} | {p.released} | `{p.evidence.source}` ({p.evidence.confidence}) |"
              for p in catalog.products.values()]
    return "\n".join(lines)


def presets(catalog: Catalog) -> str:
    lines = ["| preset | for | what it does |", "|---|---|---|"]
    lines += [f"| `{p.name}` | {p.for_versions(catalog)} | {_cell(p.description)} |" for p in catalog.presets.values()]
    return "\n".join(lines)


def build_options(catalog: Catalog) -> str:
    """Every option of `profilegen build`, as its --help gives them."""
    import typer

    from profilegen.cli import app

    command = typer.main.get_command(app).commands["build"]
    lines = ["| option | meaning |", "|---|---|"]
    for param in command.params:
        if not isinstance(param, typer.core.click.Option) or param.name == "help":
            continue
        long, *short = sorted(param.opts, key=len, reverse=True)
        flag = long if param.is_flag else f"{long} {param.metavar or param.type.name.upper()}"
        default = f" [default: {param.default}]" if param.show_default and not param.is_flag and param.default is not None else ""
        lines.append(f"| `{_cell(flag)}`{''.join(f', `{s}`' for s in short)} | {_cell((param.help or '') + default)} |")
    return "\n".join(lines)


def apps(catalog: Catalog) -> str:
    lines = ["| APP | preference domain | |", "|---|---|---|"]
    lines += [f"| `{d.alias}` | `{d.domain}` | {d.name} |" for d in catalog.domains.values()]
    return "\n".join(lines)


def formats(catalog: Catalog) -> str:
    from profilegen.render import FORMATS, KINDS

    lines = ["| format | file kinds | what |", "|---|---|---|"]
    lines += [f"| `{name}` | {', '.join(f'`{k}`' for k in f.kinds)} | {f.help} |" for name, f in FORMATS.items()]
    lines += ["", "| file kind | what it is |", "|---|---|"]
    lines += [f"| `{kind}` | {what} |" for kind, what in KINDS.items()]
    return "\n".join(lines)


def effects(catalog: Catalog) -> str:
    return "\n".join(["| effect | meaning |", "|---|---|"]
                     + [f"| `{effect}` | {meaning} |" for effect, meaning in EFFECTS.items()])


def exit_codes(catalog: Catalog) -> str:
    from profilegen.errors import EXIT_CODES

    return "\n".join(["| exit code | meaning |", "|---|---|"]
                     + [f"| {code} | {meaning} |" for code, meaning in EXIT_CODES.items()])


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
        readme = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: block, readme, flags=re.S)
    return readme


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    path.write_text(update(path.read_text(encoding="utf-8"), catalog_module.load()), encoding="utf-8")
