"""What a front end asks for: one typed request that the CLI and the wizard both fill.

Every field says how it is given on the command line (an `Option`), so the CLI's
options and their --help, the README's option table, the wizard's questions about
the profile and `Request.argv()` (the command that makes the same request again)
all come from these declarations. Adding an option is adding a field here.

This module is on the start-up path: it imports nothing heavy.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from profilegen import names
from profilegen.core.registry import CONSOLES, FORMATS, check_formats
from profilegen.errors import SelectionError, UsageError

# Where the CLI looks for passwords before asking on a terminal; never in argv.
PASSWORD_VARIABLES = {"p12": "PROFILEGEN_P12_PASSWORD", "key": "PROFILEGEN_KEY_PASSWORD"}
_IDENTIFIER = re.compile(r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$")
# What XML 1.0 can't carry (control characters, lone surrogates, U+FFFE and U+FFFF), and CR,
# which a property list reads back as LF: text that wouldn't come back as it was typed.
_UNCARRIED = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Option:
    """How one field is given on the command line, and asked by the wizard."""

    flags: tuple[str, ...]
    help: str
    type: type = str  # of one value: str, Path, or bool for a flag
    many: bool = False  # repeatable; the field holds a tuple
    metavar: str | None = None
    check: Callable[[Any], Any] | None = None  # validates and normalises the value
    question: str | None = None  # the wizard's words, where the wizard asks it
    choices: tuple[tuple[str, str], ...] = ()  # (value, title), where the value is one of a few


def option(*flags: str, help: str, default: Any = None, **kwargs: Any) -> Any:
    return field(default=default, metadata={"option": Option(flags, help, **kwargs)})


def check_identifier(text: str) -> str:
    """The one check for identifiers, shared by the CLI, config files and the wizard."""
    if not _IDENTIFIER.fullmatch(text):
        raise SelectionError(
            f"identifier {text!r} is not valid; expected reverse-DNS such as com.example.office, "
            "with letters, digits, '-' or '_' between dots and no spaces"
        )
    return text


def check_name(text: str) -> str:
    """A build's name is the base of its file names: one safe path component."""
    if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", text):
        raise SelectionError(
            f"name {text!r} is not valid; expected letters, digits, '.', '-' or '_', not starting with '.' or '-'"
        )
    return text


def _character(char: str) -> str:
    if char == "\r":
        return "a carriage return (a profile reads it back as a line feed)"
    if "\ud800" <= char <= "\udfff":
        return "a byte that isn't UTF-8 or a lone surrogate"
    return f"the character U+{ord(char):04X}" + (" (a control character)" if char < " " else "")


def check_text(what: str) -> Callable[[str], str]:
    def check(text: str) -> str:
        found = _UNCARRIED.search(text)
        if found:
            raise SelectionError(
                f"{what} {text!r} holds {_character(found.group())}, which a profile can't carry as it is"
            )
        return text

    return check


def one_of(what: str, choices: tuple[tuple[str, str], ...]) -> Callable[[str], str]:
    """Any case in, the documented spelling out."""

    def check(text: str) -> str:
        return names.pick(what, text, (value for value, _ in choices))

    return check


def check_proxy(text: str) -> str:
    """HOST:PORT, as a PAC file's PROXY takes it."""
    match = re.fullmatch(
        r"([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*"
        r"|\[[0-9A-Fa-f:.]+\]):(?P<port>\d{1,5})",
        text.strip(),
    )
    if not match or not 0 < int(match["port"]) < 65536:
        raise SelectionError(f"--pac-proxy {text!r} is not valid; expected HOST:PORT such as proxy.example.com:8080")
    return text.strip().lower()


SCOPES = (
    ("System", "System: every user of the Mac"),
    ("User", "User: the user the profile is installed for"),
    ("None", "None: PayloadScope left out, as in a profile made without one"),
)
PAC_MODES = (
    ("direct", "direct: the hosts Office needs go DIRECT, everything else to the proxy"),
    ("proxy", "proxy: everything through the proxy, which enforces the lists (no direct egress)"),
)
PAYLOAD_STYLES = (
    ("direct", "Direct: one payload per domain, typed by the domain (recommended)"),
    ("mcx", "MCX: com.apple.ManagedClient.preferences, the form Jamf Pro keeps editable"),
)


def _check_all(obj: Any) -> Any:
    """The object with every given value checked and normalised by its field's Option."""
    changes = {}
    for f in fields(obj):
        opt = f.metadata.get("option")
        value = getattr(obj, f.name)
        if opt and opt.check and value not in (None, ()):
            changes[f.name] = opt.check(value)
    return replace(obj, **changes)


@dataclass(frozen=True)
class Profile:
    """The profile's own details. Given as options, None means "not given"; resolved, defaults are filled in."""

    organization: str | None = option(
        "--organization",
        metavar="TEXT",
        help="PayloadOrganization, shown in System Settings.",
        check=check_text("organization"),
        question="Organization (shown in System Settings, may be empty):",
    )
    identifier: str | None = option(
        "--identifier",
        metavar="ID",
        help="Profile PayloadIdentifier, reverse-DNS; payload identifiers and UUIDs derive from "
        "it, so keep it stable and macOS updates the installed profile in place "
        "[default: com.ORGANIZATION.office.NAME, or org.profilegen.office.NAME].",
        check=check_identifier,
        question="Profile identifier (reverse-DNS; keep it stable across updates):",
    )
    display_name: str | None = option(
        "--display-name",
        metavar="TEXT",
        help="PayloadDisplayName [default: from the preset].",
        check=check_text("display name"),
        question="Display name:",
    )
    description: str | None = option(
        "--description",
        metavar="TEXT",
        help="PayloadDescription [default: what each setting does].",
        check=check_text("description"),
        question="Description (Enter: say what each setting does):",
    )
    scope: str | None = option(
        "--scope",
        metavar="system|user|none",
        help="PayloadScope [default: system]; none leaves it out.",
        check=one_of("scope", SCOPES),
        choices=SCOPES,
        question="Install for:",
    )
    removal_disallowed: bool | None = option(
        "--removal-disallowed",
        type=bool,
        help="Set PayloadRemovalDisallowed: users can't remove the profile.",
        question="Stop users removing the profile (PayloadRemovalDisallowed)?",
    )
    payload_style: str | None = option(
        "--payload-style",
        metavar="direct|mcx",
        help="Payloads typed by domain, or com.apple.ManagedClient.preferences [default: direct].",
        check=one_of("payload style", PAYLOAD_STYLES),
        choices=PAYLOAD_STYLES,
        question="Payload style:",
    )

    def checked(self) -> Profile:
        return _check_all(self)

    def given(self) -> dict[str, Any]:
        """The fields that were given, as a config file's [profile] table holds them."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}

    def over(self, base: Profile) -> Profile:
        """These details where given, base's elsewhere."""
        return replace(base, **self.given())


def check_version(flag: str) -> Callable[[str], str]:
    def check(text: str) -> str:
        from profilegen.catalog.values import Version

        return str(Version.parse(text, flag))

    return check


@dataclass(frozen=True)
class TargetOptions:
    """What the Macs run; where not given, the catalog's current versions."""

    office: str | None = option(
        "--office",
        metavar="VERSION",
        check=check_version("--office"),
        help="The Office version the Macs run, such as 16.89; warns of settings it doesn't read "
        "[default: the catalog's current].",
    )
    mau: str | None = option(
        "--mau",
        metavar="VERSION",
        check=check_version("--mau"),
        help="The AutoUpdate version the Macs run [default: the catalog's current, as AutoUpdate updates itself].",
    )
    include_legacy: bool | None = option(
        "--include-legacy",
        type=bool,
        help="Keep in allow-lists, PAC and Squid files the endpoints the target no longer contacts "
        "(legacy for its versions, or retired by Microsoft).",
    )

    def given(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}

    def over(self, base: TargetOptions) -> TargetOptions:
        return replace(base, **self.given())


@dataclass(frozen=True)
class SigningOptions:
    """Where the signing identity comes from; passwords never come from here, only their files."""

    sign_cert: Path | None = option(
        "--sign-cert", type=Path, metavar="FILE", help="Signing certificate (PEM or DER); needs --sign-key."
    )
    sign_key: Path | None = option(
        "--sign-key",
        type=Path,
        metavar="FILE",
        help=f"Its private key (PEM); if encrypted, password in {PASSWORD_VARIABLES['key']} or --key-password-file.",
    )
    sign_chain: Path | None = option(
        "--sign-chain",
        type=Path,
        metavar="FILE",
        help="Intermediate certificates to include (PEM); a root in it is left out.",
    )
    sign_p12: Path | None = option(
        "--sign-p12",
        type=Path,
        metavar="FILE.p12",
        help=f"Signing identity as .p12; password in {PASSWORD_VARIABLES['p12']}, --p12-password-file, "
        "or asked for on a terminal.",
    )
    p12_password_file: Path | None = option(
        "--p12-password-file", type=Path, metavar="FILE", help="File whose first line is the .p12 password."
    )
    key_password_file: Path | None = option(
        "--key-password-file", type=Path, metavar="FILE", help="File whose first line is the PEM key's password."
    )

    @property
    def wanted(self) -> bool:
        return bool(self.sign_p12 or self.sign_cert or self.sign_key)

    def check(self) -> None:
        """Options that don't go together are a usage error, as an unknown option is."""
        if self.sign_p12 and (self.sign_cert or self.sign_key):
            raise UsageError("use either --sign-p12 or --sign-cert with --sign-key, not both")
        if bool(self.sign_cert) != bool(self.sign_key):
            raise UsageError("--sign-cert and --sign-key go together")
        if (
            (self.sign_chain and not self.sign_cert)
            or (self.p12_password_file and not self.sign_p12)
            or (self.key_password_file and not self.sign_key)
        ):
            raise UsageError(
                "--sign-chain, --p12-password-file and --key-password-file need the identity they belong to"
            )


@dataclass(frozen=True)
class Request:
    """One `profilegen build`: what to build, how the profile looks, where it goes, how it is signed."""

    preset: str | None = option(
        "--preset", "-p", metavar="NAME", help="Start from this preset (see `profilegen presets`)."
    )
    configs: tuple[Path, ...] = option(
        "--config",
        "-c",
        type=Path,
        many=True,
        default=(),
        metavar="FILE.toml",
        help="TOML config file (format in the README); repeat for a batch.",
    )
    config_dir: Path | None = option(
        "--config-dir", type=Path, metavar="DIR", help="Build every *.toml in this folder, each into its own subfolder."
    )
    sets: tuple[str, ...] = option(
        "--set",
        "-s",
        many=True,
        default=(),
        metavar="[APP:]KEY=VALUE",
        help="Set a preference in every documented domain, or in one app's domain. Repeatable.",
    )
    name: str | None = option(
        "--name",
        metavar="NAME",
        check=check_name,
        help="Base name of the files [default: the config's or preset's name, or office-network].",
    )
    profile: Profile = field(default_factory=Profile, metadata={"options": Profile})
    target: TargetOptions = field(default_factory=TargetOptions, metadata={"options": TargetOptions})
    strict: bool = option(
        "--strict", type=bool, default=False, help="Make every warning an error: exit 1 and write nothing."
    )
    formats: tuple[str, ...] = option(
        "--format",
        "-f",
        many=True,
        default=(),
        metavar="FORMAT",
        check=check_formats,
        help=f"Outputs to write, repeatable or comma-separated: {', '.join(FORMATS)} [default: all].",
    )
    console: str = option(
        "--target",
        metavar="CONSOLE",
        default="generic",
        check=one_of("--target", tuple((name, c.help) for name, c in CONSOLES.items())),
        help=f"The console the outputs are for: {', '.join(CONSOLES)} (see the README). "
        "--format, where given, picks the outputs instead.",
    )
    pac_proxy: str | None = option(
        "--pac-proxy",
        metavar="HOST:PORT",
        check=check_proxy,
        help="The proxy the PAC file (--format pac) sends every host to that Office doesn't need directly; "
        "the pac format is written only with it.",
    )
    pac_mode: str = option(
        "--pac-mode",
        metavar="direct|proxy",
        default="direct",
        check=one_of("--pac-mode", PAC_MODES),
        help="What the PAC file sends DIRECT besides the local network: the hosts Office needs (direct), "
        "or nothing (proxy: everything else goes through the proxy, which enforces the lists).",
    )
    output_dir: Path = option(
        "--output-dir", "-o", type=Path, default=Path("build"), metavar="DIR", help="Folder to write into."
    )
    force: bool = option("--force", type=bool, default=False, help="Replace files that already exist.")
    signing: SigningOptions = field(default_factory=SigningOptions, metadata={"options": SigningOptions})

    def argv(self) -> list[str]:
        """The command line that makes this request again: every value that isn't the default."""
        args = ["profilegen", "build"]
        for _name, opt, value, default in _flatten(self):
            if value == default:
                continue
            flag = opt.flags[0]
            if opt.type is bool:
                args.append(flag)
            elif opt.many:
                for item in value:
                    args += [flag, str(item)]
            else:
                args += [flag, str(value)]
        return args

    def command(self) -> str:
        return shlex.join(self.argv())


def options(cls: type) -> list[tuple[str, Option, Any]]:
    """(name, Option, default) of every option of a request class, nested ones flattened, in order."""
    found = []
    for f in fields(cls):
        if "options" in f.metadata:
            found += options(f.metadata["options"])
        else:
            found.append((f.name, f.metadata["option"], f.default))
    return found


def _flatten(obj: Any):
    for f in fields(obj):
        value = getattr(obj, f.name)
        if "options" in f.metadata:
            yield from _flatten(value)
        else:
            yield f.name, f.metadata["option"], value, f.default


def from_options(cls: type, values: dict[str, Any]) -> Any:
    """A request from option values by name, as a command line gives them: an absent flag is the
    default, a repeated option a list; each value checked by its Option."""
    kwargs = {}
    for f in fields(cls):
        if "options" in f.metadata:
            kwargs[f.name] = from_options(f.metadata["options"], values)
            continue
        opt, value = f.metadata["option"], values.get(f.name)
        if opt.many:
            value = tuple(opt.type(v) for v in value or ())
        elif opt.type is bool:
            value = value or f.default
        elif value is not None:
            value = opt.type(value)
        kwargs[f.name] = value
    return _check_all(cls(**kwargs))
