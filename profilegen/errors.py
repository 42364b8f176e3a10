"""The few exceptions the core raises; the CLI turns each into one `Error: ...` line and its exit code."""

CANCELLED = 130  # the wizard's exit code when cancelled, as a shell reports Ctrl-C

# What each exit code of the command line means; the README's table is generated from this.
EXIT_CODES = {
    0: "done",
    1: "an error: bad value, config, file or identity, or (for `check`, `verify`) a problem found; "
    "one `Error: ...` line on stderr",
    2: "a usage error: unknown option, missing argument, options that don't go together",
    CANCELLED: "the wizard was cancelled",
}


class ProfilegenError(Exception):
    """Base class: a problem the user can fix, with a message that says how."""

    exit_code = 1


class UsageError(ProfilegenError):
    """Options that don't go together, as a command line gives them."""

    exit_code = 2


class CatalogError(ProfilegenError):
    """A data file in payloads/ is malformed."""


class SelectionError(ProfilegenError):
    """A preset, config file, --set value or profile option is not valid."""


class OutputError(ProfilegenError):
    """An output can't be written where it was asked to go."""


class SigningError(ProfilegenError):
    """The signing identity can't be used, or signing failed.

    `about` names what to give again: a field of SigningOptions, or "password".
    """

    def __init__(self, message: str, about: str | None = None):
        super().__init__(message)
        self.about = about


class VerificationError(ProfilegenError):
    """A signed profile is invalid or untrusted."""
