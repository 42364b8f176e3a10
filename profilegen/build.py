"""A build: one or many selections resolved and rendered, before anything is written."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from profilegen import render
from profilegen.catalog import Catalog
from profilegen.errors import SelectionError
from profilegen.render import Output
from profilegen.selection import Selection, resolve


@dataclass(frozen=True)
class Build:
    selection: Selection
    outputs: list[Output]  # paths relative to the output folder


def configs_in(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise SelectionError(f"config folder {str(folder)!r} is not a folder")
    found = sorted(folder.glob("*.toml"))
    if not found:
        raise SelectionError(f"config folder {str(folder)!r} holds no .toml files")
    return found


def plan(catalog: Catalog, *, preset: str | None = None, configs: list[Path] = (),
         sets: tuple[str, ...] = (), profile: dict | None = None,
         formats: tuple[str, ...] = (), signer=None) -> list[Build]:
    """Every build, validated and rendered. With several configs, each goes into a subfolder
    named after its config file; an invalid config fails the whole batch, naming the file."""
    if len(configs) <= 1:
        chosen = resolve(catalog, preset=preset, config=configs[0] if configs else None, sets=sets, profile=profile)
        return [Build(chosen, render.render(chosen, catalog, formats, signer))]
    stems = [c.stem for c in configs]
    duplicate = next((s for s in stems if stems.count(s) > 1), None)
    if duplicate:
        raise SelectionError(f"two configs are named {duplicate}.toml; each build needs its own subfolder")
    selections = []
    for config in configs:
        try:
            selections.append(resolve(catalog, preset=preset, config=config, sets=sets, profile=profile))
        except SelectionError as e:
            message = str(e)
            raise SelectionError(message if message.startswith(str(config)) else f"{config}: {message}") from None
    return [
        Build(chosen, [replace(o, path=f"{chosen.name}/{o.path}")
                       for o in render.render(chosen, catalog, formats, signer)])
        for chosen in selections
    ]
