"""Profiles that exist already: read, described, checked, verified, imported and compared.

- `inspection`: any .mobileconfig read (XML, binary, signed), described and checked;
- `cms`: CMS SignedData, signed and verified;
- `importer`: profiles, plists, Intune files and `defaults` output brought in as settings;
- `comparison`: two selections compared in meaning (`profilegen diff`).

Uses the core, the catalog and the shared modules; independent of the renderers
(profilegen.formats).
"""
