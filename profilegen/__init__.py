"""profilegen: deployable configuration for the network preferences of Office for Mac."""

import sys

__version__ = "0.1.0"

# Kept to syntax every Python 3 reads, so that an old one gets this line and not a SyntaxError.
if sys.version_info < (3, 11):
    sys.stderr.write(
        "Error: profilegen needs Python 3.11 or later; this is Python %d.%d (%s). "
        "On a Mac, install one with python.org, Homebrew, the MacAdmins Python, pipx or uv "
        "(see the README).\n" % (sys.version_info[0], sys.version_info[1], sys.executable)
    )
    raise SystemExit(1)
