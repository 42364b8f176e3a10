"""The one build path: a Request in, its outputs rendered (a Plan), then written (a Result).

The CLI and the wizard both fill a Request and call `plan` and `Plan.write`;
neither knows how a profile, a script or a signature is made. Nothing is
written until `write`, and then everything or nothing.
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import importlib

from profilegen import inputs
from profilegen.build import output
from profilegen.core import target
from profilegen.core.registry import CONSOLES, FORMATS
from profilegen.catalog.model import Catalog
from profilegen.catalog.values import type_name
from profilegen.errors import SelectionError, SigningError, UsageError
from profilegen.core.registry import Output
from profilegen.core.request import Request, SigningOptions
from profilegen.core.selection import Selection, identifier_warnings, load_config, name_of, resolve

# Asked for a password when an identity file needs one: (the file, "p12" or "key") -> password or None.
PasswordSource = Callable[[Path, str], "bytes | None"]


@dataclass(frozen=True)
class Product:
    """One selection and its outputs, paths relative to the output folder."""

    selection: Selection
    outputs: tuple[Output, ...]
    warnings: tuple[str, ...] = ()  # the selection's, and what its target makes of it


@dataclass(frozen=True)
class Plan:
    request: Request
    products: tuple[Product, ...]
    extra: tuple[Output, ...] = ()  # written with the outputs: the wizard's config

    @property
    def batch(self) -> bool:
        """Several configs, or a folder of them: each build in its subfolder, whatever the count."""
        return is_batch(self.request)

    @property
    def outputs(self) -> list[Output]:
        return [o for p in self.products for o in p.outputs] + list(self.extra)

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(w for p in self.products for w in p.warnings))

    def existing(self) -> list[Path]:
        folder = self.request.output_dir
        return [folder / o.path for o in self.outputs if (folder / o.path).exists()]

    def write(self) -> Result:
        if self.request.strict and self.warnings:
            count = len(self.warnings)
            raise SelectionError(
                f"{count} warning{'s' * (count > 1)}, and --strict makes them errors: nothing was written"
            )
        done = output.write(self.outputs, self.request.output_dir, force=self.request.force)
        return Result(self, tuple(done.removed), tuple(done.warnings))


@dataclass(frozen=True)
class Result:
    """What a build wrote, with its own summaries: `as_dict` is `build --json`, `lines` the text."""

    plan: Plan
    removed: tuple[str, ...] = ()  # what the earlier build wrote and this one removed, from the output folder
    warnings: tuple[str, ...] = ()  # what writing found and left alone

    def path(self, out: Output) -> Path:
        return self.plan.request.output_dir / out.path

    def _summary(self, product: Product, extra: tuple[Output, ...] = ()) -> dict:
        s = product.selection
        aim = s.target
        assert aim is not None  # resolve() always aims what a build renders
        return {
            "name": s.name,
            "config": s.config,
            "profile": asdict(s.profile),
            "settings": [
                {"domain": x.domain, "key": x.key, "type": type_name(x.value), "value": x.value} for x in s.settings
            ],
            "target": {
                "office": str(aim.office),
                "autoupdate": str(aim.autoupdate),
                "given": list(aim.given),
            },
            "files": [{"kind": o.kind, "path": str(self.path(o))} for o in (*product.outputs, *extra)],
            "warnings": list(product.warnings),
        }

    def as_dict(self) -> dict:
        plan = self.plan
        if not plan.batch:
            summary = self._summary(plan.products[0], plan.extra)
            return {**summary, "removed": list(self.removed), "warnings": [*summary["warnings"], *self.warnings]}
        builds = [self._summary(p) for p in plan.products]
        return {
            "builds": builds,
            "files": [f for b in builds for f in b["files"]],
            "removed": list(self.removed),
            "warnings": [*plan.warnings, *self.warnings],
        }

    def lines(self) -> list[str]:
        """What was written and removed, paths from the output folder, one line each."""
        plan = self.plan
        folder = plan.request.output_dir
        removed = [f"removed {name}" for name in self.removed]
        if plan.batch:
            return [
                f"{p.selection.config}: {len(p.selection.settings)} settings, {len(p.outputs)} files in "
                f"{folder / p.selection.name}"
                for p in plan.products
            ] + removed
        product = plan.products[0]
        return (
            [str(s) for s in product.selection.settings]
            + [f"in {folder}/:"]
            + [f"wrote {o.path} ({o.kind})" for o in (*product.outputs, *plan.extra)]
            + removed
        )


def manifest(name: str, outputs: list[Output], prefix: str = "") -> Output:
    """NAME.manifest.json: the files this build of NAME writes, from the manifest's own folder, each
    with its size and SHA-256, so that its next build removes only what it can show it wrote.
    Deterministic, like every output."""
    files = [(o.path.removeprefix(prefix), o.data) for o in outputs]
    return Output(f"{prefix}{name}{output.MANIFEST}", "manifest", output.manifest_data(name, files))


def is_batch(request: Request) -> bool:
    return request.config_dir is not None or len(request.configs) > 1


def configs_in(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise SelectionError(f"config folder {str(folder)!r} is not a folder")
    found = sorted(folder.glob("*.toml"))
    if not found:
        raise SelectionError(f"config folder {str(folder)!r} holds no .toml files")
    return found


def load_identity(options: SigningOptions, password: PasswordSource | None = None, notes: list[str] | None = None):
    """The signing identity the options name, checked (profilegen.reading.cms.Identity), or None when not signing.

    A password comes from its file option where one is given, else from `password`.
    """
    options.check()
    if not options.wanted:
        return None
    from profilegen.reading import cms

    def secret(path: Path, kind: str, file: Path | None) -> Callable[[], bytes | None]:
        def get() -> bytes | None:
            if file is not None:
                try:
                    mode = os.stat(file).st_mode
                except OSError:
                    mode = 0
                if mode & 0o077 and notes is not None:
                    notes.append(
                        f"password file {str(file)!r} can be read by other users (mode {mode & 0o777:o}); chmod 600 it"
                    )
                try:
                    lines = inputs.read(file).decode("utf-8").splitlines()
                except (OSError, UnicodeDecodeError) as e:
                    raise SigningError(
                        f"password file {str(file)!r} can't be read: {getattr(e, 'strerror', None) or e}",
                        f"{kind}_password_file",
                    ) from None
                return (lines[0] if lines else "").encode()
            return password(path, kind) if password else None

        return get

    if options.sign_p12:
        return cms.load_p12(options.sign_p12, secret(options.sign_p12, "p12", options.p12_password_file))
    assert options.sign_cert and options.sign_key  # options.check(): a certificate goes with its key
    return cms.load_pem(
        options.sign_cert,
        options.sign_key,
        options.sign_chain,
        secret(options.sign_key, "key", options.key_password_file),
    )


def signing_time(environ=os.environ) -> datetime.datetime | None:
    """SOURCE_DATE_EPOCH (reproducible-builds.org), as the signing time of signed profiles."""
    text = environ.get("SOURCE_DATE_EPOCH")
    if text is None:
        return None
    try:
        when = datetime.datetime.fromtimestamp(int(text), datetime.UTC) if re.fullmatch(r"[0-9]+", text) else None
    except (ValueError, OverflowError, OSError):
        when = None
    if when is None or not 1950 <= when.year < 2050:  # CMS writes signing times in UTCTime
        raise SelectionError(
            f"SOURCE_DATE_EPOCH {text!r} is not valid; expected whole seconds since 1970-01-01 UTC, before 2050"
        )
    return when


def render(
    selection: Selection, catalog: Catalog, formats: tuple[str, ...] = (), signer=None, signing_time=None
) -> list[Output]:
    """Every output of the formats (none: all), each rendered by the module the registry names,
    imported only now; with a signer (profilegen.reading.cms.Identity), each profile signed too,
    at signing_time (a datetime) where one is given."""
    outputs: list[Output] = []
    for name in formats or FORMATS:
        chosen = FORMATS[name]
        outputs.extend(getattr(importlib.import_module(chosen.module), chosen.function)(selection, catalog))
    if signer is not None:
        from profilegen.reading import cms

        outputs.extend(
            Output(
                out.path.removesuffix(".mobileconfig") + ".signed.mobileconfig",
                "mobileconfig-signed",
                cms.sign(out.data, signer, signing_time),
            )
            for out in list(outputs)
            if out.kind == "mobileconfig"
        )
    return outputs


def plan(
    request: Request, catalog: Catalog, password: PasswordSource | None = None, unsaved: dict[Path, str] | None = None
) -> Plan:
    """Every build of the request, validated and rendered; nothing written yet.

    With several configs each build goes into a subfolder named after its config,
    and an invalid config fails the whole batch, naming the file. `unsaved` holds
    config files not yet on disk (the wizard's answers): they are read from there
    and written with the outputs.
    """
    request.signing.check()
    unsaved = unsaved or {}
    configs = list(request.configs) + (configs_in(request.config_dir) if request.config_dir else [])
    batch = is_batch(request)
    if request.name and batch:
        raise UsageError("--name names one build; in a batch each build takes its config's name")
    names = [name_of(c) for c in configs]
    duplicate = next((c for c, n in zip(configs, names, strict=True) if names.count(n) > 1), None)
    if duplicate:
        raise SelectionError(
            f"two configs make the build name {name_of(duplicate)} ({duplicate.name} and another); "
            "each build needs its own subfolder"
        )
    console = CONSOLES[request.console]
    formats = request.formats or console.formats
    if "pac" in formats and not request.pac_proxy:
        raise UsageError(
            "--format pac needs --pac-proxy HOST:PORT: the proxy for the hosts Office doesn't need directly"
        )
    profile = request.profile
    if console.payload_style and not request.signing.wanted and not profile.payload_style:
        profile = replace(profile, payload_style=console.payload_style)
    selections = []
    candidates: list[Path | None] = [*configs] or [None]  # no config: one build of the options alone
    for config in candidates:
        try:
            loaded = load_config(catalog, config, unsaved.get(config)) if config else None
            chosen = resolve(
                catalog,
                preset=request.preset,
                config=loaded,
                sets=request.sets,
                profile=profile,
                target=request.target,
                name=request.name,
            )
            selections.append(replace(chosen, pac_proxy=request.pac_proxy, pac_mode=request.pac_mode))
        except SelectionError as e:
            message = str(e)
            if batch and not message.startswith(str(config)):
                message = f"{config}: {message}"
            raise SelectionError(message) from None
    when = signing_time() if request.signing.wanted else None
    notes: list[str] = []
    signer = load_identity(request.signing, password, notes)
    products = []
    # A batch's configs mostly share a preset and differ in profile details: what the settings
    # mean for the target is worked out once per distinct selection (the value types included,
    # as True and 1 are different plist values).
    advised: dict[tuple, list[str]] = {}
    for chosen in selections:
        prefix = f"{chosen.name}/" if batch else ""
        outputs = [o._replace(path=prefix + o.path) for o in render(chosen, catalog, formats, signer, when)]
        for out in outputs:
            if console.max_profile and out.kind.startswith("mobileconfig") and len(out.data) > console.max_profile:
                raise SelectionError(
                    f"{out.path} is {len(out.data):,} bytes; {request.console} takes profiles "
                    f"of at most {console.max_profile:,} bytes"
                )
        outputs.append(manifest(chosen.name, outputs, prefix))
        assert chosen.target is not None and chosen.profile.identifier is not None  # resolved, as above
        key = (tuple((s, type(s.value)) for s in chosen.settings), chosen.target, chosen.preset)
        if key not in advised:
            advised[key] = target.warnings(catalog, chosen.settings, chosen.target, formats, chosen.preset)
        advice = advised[key] + identifier_warnings(chosen.profile.identifier) + notes
        products.append(Product(chosen, tuple(outputs), tuple(dict.fromkeys((*chosen.warnings, *advice)))))
    extra = tuple(
        Output(path.relative_to(request.output_dir).as_posix(), "config", text.encode())
        for path, text in unsaved.items()
    )
    return Plan(request, tuple(products), extra)


def sign_file(
    source: Path,
    target: Path,
    signing: SigningOptions,
    password: PasswordSource | None = None,
    force: bool = False,
    notes: list[str] | None = None,
):
    """Sign an existing profile, its bytes kept exactly as the signed content; returns the identity."""
    from profilegen.reading import cms, profiles

    signer = load_identity(signing, password, notes)
    if signer is None:
        raise UsageError("give --sign-p12, or --sign-cert with --sign-key")
    profile = profiles.read(source)
    if profile.signer is not None:
        raise SelectionError(f"{source} is already signed")
    signed = cms.sign(source.read_bytes(), signer, signing_time())
    output.write([Output(target.name, "mobileconfig-signed", signed)], target.parent, force=force)
    return signer
