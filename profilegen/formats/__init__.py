"""The renderers: each module turns a resolved selection into the bytes of its outputs, as the
registry (profilegen.core.registry) names them. Templates sit beside their renderers.

- `mobileconfig`: the configuration profile; `plist`: the fast XML plist writer it uses;
- `script` (+ script.sh): the `defaults write` script and the Jamf extension attribute;
- `endpoints`: the endpoint impact as Markdown, CSV and JSON tables;
- `proxy` (+ probe.sh): host lists to allow and block, the probe, Squid ACLs, the PAC file;
- `mdm`: Jamf Pro plists and custom schemas, Intune preference files;
- `report`: the shareable HTML page.

Uses the core, the catalog and the shared modules. Renderers never write files or sign;
they don't know the reading side (profilegen.reading), nor it them.
"""
