"""The few exceptions the core raises; the CLI turns each into one `Error: ...` line."""


class ProfilegenError(Exception):
    """Base class: a problem the user can fix, with a message that says how."""


class CatalogError(ProfilegenError):
    """A data file in payloads/ is malformed."""


class SelectionError(ProfilegenError):
    """A preset, config file, --set value or profile option is not valid."""


class OutputError(ProfilegenError):
    """An output can't be written where it was asked to go."""


class SigningError(ProfilegenError):
    """The signing identity can't be used, or signing failed."""


class VerificationError(ProfilegenError):
    """A signed profile is invalid or untrusted."""
