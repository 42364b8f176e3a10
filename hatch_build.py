"""Builds the catalog cache into the package (profilegen.catalog.loading.CACHE): start-up then reads
each data file's table from it instead of parsing the TOML again, where the file is unchanged."""

import sys
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CatalogCache(BuildHookInterface):
    def initialize(self, version, build_data):
        sys.path.insert(0, self.root)
        try:
            from profilegen.catalog import loading
        finally:
            sys.path.remove(self.root)
        payloads = Path(self.root) / "payloads"
        target = payloads / loading.CACHE
        temporary = target.with_suffix(".tmp")
        temporary.write_bytes(loading.cache(payloads))
        temporary.replace(target)  # the wheel takes it with payloads/ (force-include in pyproject.toml)
