"""A build, done: a request planned (rendered by profilegen.formats, signed with
profilegen.reading.cms), then written to the output folder, all or nothing.

- `plan`: the one build path, Request -> Plan -> Result, and signing an existing profile;
- `output`: the output folder written atomically, through handles on it, removing only what
  an earlier build can be shown to have written.

Uses everything below it; used by the front ends (profilegen.cli) only.
"""
