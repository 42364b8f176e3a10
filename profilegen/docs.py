"""Generated documentation: the README's settings table comes from the catalog.

`python -m profilegen.docs` rewrites the table in README.md; a test fails when
the README and the catalog differ.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from profilegen import catalog as catalog_module
from profilegen.catalog import Catalog, format_value

START, END = "<!-- settings-table:start -->", "<!-- settings-table:end -->"


def settings_table(catalog: Catalog) -> str:
    lines = [
        "| Key | Domains | Type | Values | Most private | What it does |",
        "|---|---|---|---|---|---|",
    ]
    for p in catalog.preferences.values():
        values = "<br>".join(f"`{format_value(v.value)}` {v.title}" for v in p.values)
        domains = "<br>".join(f"`{d}`" for d in p.domains)
        caveats = "".join(f"<br>⚠ {c}" for c in p.caveats)
        lines.append(
            f"| `{p.key}` | {domains} | {p.type} | {values} | `{format_value(p.private)}` "
            f"| {p.description}{caveats} |"
        )
    return "\n".join(lines)


def update(readme: str, catalog: Catalog) -> str:
    block = f"{START}\n{settings_table(catalog)}\n{END}"
    return re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, readme, flags=re.S)


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    path.write_text(update(path.read_text(encoding="utf-8"), catalog_module.load()), encoding="utf-8")
