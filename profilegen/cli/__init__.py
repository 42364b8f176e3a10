"""The front ends: the typer app and its commands (`app`), the wizard (`wizard`), shell
completion (`completion`) and the README's generated reference (`docs`).

The top layer: each command fills a request or names files and makes one call below; errors
cross into the CLI in one place (app._Group.invoke). Nothing below imports from here.
"""
