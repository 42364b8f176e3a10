"""What a build means: a request, the selection it resolves to, the target it is judged against,
and what it does to each documented endpoint.

- `registry`: the output formats and MDM consoles by name (data only; no renderer imported);
- `request`: what a front end asks for, one typed request the CLI and the wizard both fill;
- `target`: the Office and AutoUpdate versions the Macs run, and the warnings a selection gets;
- `selection`: settings and profile details resolved from a preset, a config file and --set;
- `impact`: the effect of a selection on every endpoint row.

Uses the catalog and the shared modules only. Pure: nothing here writes a file, prints or asks.
"""
