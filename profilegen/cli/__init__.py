"""The front ends, the top layer.

- `app`: the typer app, and the one place errors become an `Error: ...` line and an exit code;
- `building`, `listing`, `profiles`: the commands that write, that show the catalog, and that
  read existing profiles; each fills a request or names files and makes one call below;
- `options`: every option of a request class as typer options, and the options commands share;
- `console`: what commands print (errors, warnings, JSON, text at the terminal's width, tables);
- `wizard`: the questions at a terminal that end in the same build as `profilegen build`;
- `questions`: asking at a terminal, and the question for each kind of value;
- `completion`: shell completion; `docs`: the README's generated reference.

Nothing below imports from here.
"""
