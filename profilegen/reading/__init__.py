"""Profiles that exist already: read, described, checked, verified, imported and compared.

- `profiles`: any .mobileconfig read (XML, binary, signed; direct or MCX style);
- `description`: a profile described (`inspect`), and plist values as people read them;
- `checks`: a profile checked against Apple's rules and the catalog's (`check`);
- `findings`: what `check` found, as text, JSON, GitHub annotations or SARIF;
- `cms`: CMS SignedData, signed and verified;
- `importer`: profiles, plists, Intune files and `defaults` output brought in as settings;
- `comparison`: two selections compared in meaning (`profilegen diff`);
- `audit`: what a set of profiles adds up to (`profilegen audit`), and `audit_report`: it as
  text, JSON, HTML, SARIF or GitHub annotations.

Uses the core, the catalog and the shared modules; independent of the renderers
(profilegen.formats).
"""
