"""What the Macs run, and what a selection means for it: the warnings a build gives.

A target is an Office version and an AutoUpdate version, the catalog's current
ones unless a build names others. Against it, each setting is read or not (a
preference's `since`, the statuses of a domain, a key or a value), and each
read setting may break something its impact rules name. Every warning says
what to do instead, where the catalog knows.
"""

from __future__ import annotations

from dataclasses import dataclass

from profilegen.catalog.model import Catalog, Preference, Setting, Status
from profilegen.catalog.values import Version, format_value


@dataclass(frozen=True)
class Target:
    office: Version
    autoupdate: Version
    given: tuple[str, ...] = ()  # the products the build named; the others are the catalog's current
    include_legacy: bool = False  # allow-lists keep the endpoints these versions no longer contact

    @classmethod
    def of(
        cls, catalog: Catalog, office: str | None = None, mau: str | None = None, include_legacy: bool = False
    ) -> Target:
        current = catalog.current()
        return cls(
            Version.parse(office, "--office") if office else current["office"],
            Version.parse(mau, "--mau") if mau else current["autoupdate"],
            tuple(name for name, given in (("office", office), ("autoupdate", mau)) if given),
            include_legacy,
        )

    def version(self, product: str) -> Version:
        return self.office if product == "office" else self.autoupdate

    def versions(self) -> dict[str, Version]:
        return {"office": self.office, "autoupdate": self.autoupdate}

    def describe(self, catalog: Catalog) -> str:
        return ", ".join(
            f"{catalog.products[p].title} {self.version(p)}" + ("" if p in self.given else " (current)")
            for p in ("office", "autoupdate")
        )


def _unread_status(statuses: tuple[Status, ...], domain: str, version: Version) -> Status | None:
    return next((s for s in statuses if s.covers(domain) and version >= s.version), None)


def unread_key(catalog: Catalog, pref: Preference, domain_name: str, target: Target) -> str | None:
    """Why the target doesn't read this preference in this domain, whatever its value, or None."""
    domain = catalog.domains[domain_name]
    title = catalog.products[domain.product].title
    version = target.version(domain.product)
    status = _unread_status(domain.statuses, domain_name, version)
    if status:
        return f"{domain_name} is {status.word} from {title} {status.version} ({_cite(status)})"
    # `since` counts in the product of the preference's first domain (Office for SendCriticalTelemetryEnabled,
    # whose AutoUpdate domain it doesn't constrain).
    if pref.since and domain.product == catalog.domains[pref.domains[0]].product and version < pref.since:
        return f"{title} reads it from {pref.since}; the target is {title} {version}"
    status = _unread_status(pref.statuses, domain_name, version)
    if status:
        return f"{status.word} from {title} {status.version} ({_cite(status)})" + _instead(status)
    return None


def unread_value(catalog: Catalog, pref: Preference, domain_name: str, value, target: Target) -> str | None:
    """Why the target doesn't take this value there (RequiredAndOptionalData from AutoUpdate 4.70), or None."""
    product = catalog.domains[domain_name].product
    found = pref.value(value)
    status = _unread_status(found.statuses, domain_name, target.version(product)) if found else None
    if status:
        title = catalog.products[product].title
        return f"{format_value(value)} is {status.word} from {title} {status.version} ({_cite(status)})" + _instead(
            status
        )
    return None


def unread(catalog: Catalog, setting: Setting, target: Target) -> str | None:
    """Why the target doesn't read this setting, or None when it does."""
    pref = catalog.preferences[setting.key]
    return unread_key(catalog, pref, setting.domain, target) or unread_value(
        catalog, pref, setting.domain, setting.value, target
    )


def _cite(status: Status) -> str:
    return f"{status.evidence.source}, {status.evidence.confidence}"


def _instead(status: Status) -> str:
    if not status.instead:
        return ""
    e = status.instead_evidence
    why = f" ({e.source}, {e.confidence}{', inferred' if e.inferred else ''})" if e else ""
    return f"; set {' or '.join(status.instead)} instead{why}"


def _apps(catalog: Catalog, domains: list[str]) -> str:
    return ", ".join(catalog.domains[d].alias for d in domains)


def warnings(
    catalog: Catalog,
    settings: tuple[Setting, ...],
    target: Target,
    formats: tuple[str, ...] = (),
    preset: str | None = None,
) -> list[str]:
    """Everything about these settings the admin should know before deploying them to the target."""
    found: list[str] = []
    reasons: dict[tuple[str, str], list[str]] = {}
    read = []
    for s in settings:
        why = unread(catalog, s, target)
        if why:
            reasons.setdefault((s.key, why), []).append(s.domain)
        else:
            read.append(s)
    for (key, why), domains in reasons.items():
        found.append(f"{key} in {_apps(catalog, domains)}: {why}")

    for key, value, domains, breaks in stopped(catalog, read):
        found.append(f"{key} = {value} in {_apps(catalog, domains)} also stops: {', '.join(breaks)}")

    keys = {s.key for s in read}
    for pref in catalog.preferences.values():
        found += _expected(catalog, pref, read, keys, target)
        if pref.profile_only and pref.key in keys and (not formats or "script" in formats):
            domain = catalog.domains[pref.domains[0]]
            if target.version(domain.product) >= pref.profile_only:
                title = catalog.products[domain.product].title
                found.append(
                    f"{pref.key}: {title} {pref.profile_only} and later read it only from a configuration "
                    "profile, so the script's defaults write of it does nothing there"
                )
    if not formats or "script" in formats:
        for s in read:
            if catalog.preferences[s.key].type == "dictionary":
                found.append(
                    f"{s.key} in {catalog.domains[s.domain].alias}: the script doesn't write a dictionary; "
                    "deploy it with the profile, or the Jamf or Intune files"
                )
    if preset:
        chosen = catalog.presets[preset]
        if not chosen.fits(target.versions()):
            found.append(
                f"preset {preset} is for {chosen.for_versions(catalog)}; the target is "
                f"{target.describe(catalog)} (--office and --mau name yours)"
            )
    return found


def stopped(catalog: Catalog, read: list[Setting]) -> list[tuple[str, str, list[str], list[str]]]:
    """What the settings also stop, besides endpoints (activation, add-ins, ...), by the catalog's
    impact rules: (key, value in words, domains, what it stops), for each value that stops any."""
    broken: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
    for s, rule in catalog.active(read):
        if rule.breaks:
            domains, breaks = broken.setdefault((s.key, format_value(s.value)), ([], []))
            domains.append(s.domain) if s.domain not in domains else None
            breaks.extend(b for b in rule.breaks if b not in breaks)
    return [(key, value, domains, breaks) for (key, value), (domains, breaks) in broken.items()]


def missing(catalog: Catalog, read: list[Setting], target: Target) -> list[str]:
    """The preferences settings of a domain should come with (AutoUpdate's
    AcknowledgedDataCollectionPolicy), where they don't: one sentence each."""
    keys = {s.key for s in read}
    return [line for pref in catalog.preferences.values() for line in _expected(catalog, pref, read, keys, target)]


def _expected(catalog: Catalog, pref: Preference, read: list[Setting], keys: set[str], target: Target) -> list[str]:
    """A preference that a profile managing its domain should set (AcknowledgedDataCollectionPolicy)."""
    if not pref.expected or pref.key in keys:
        return []
    found = []
    for domain in pref.domains:
        product = catalog.domains[domain].product
        if any(s.domain == domain for s in read) and not (pref.since and target.version(product) < pref.since):
            found.append(
                f"the profile manages {domain} without {pref.key}: {pref.expected} "
                f"Set {pref.key} = {format_value(pref.private)}."
            )
    return found
