"""`profilegen audit`: what a set of profiles adds up to on a Mac.

It reads profiles (any form, direct or MCX style, and folders of them, recursively), what
`profiles show -output stdout-xml` prints, and copies of /Library/Managed Preferences, and
keeps only the Office settings and where each comes from. Then, for each scope (the
computer, and each user the input names; a user's settings are the computer's and their
own): the effective settings, conflicts, what `check` says of them for a target, the endpoint
impact, and the drift from what was meant.

When two sources set one key to different values, macOS doesn't define which wins: the key
is a conflict, and its effect is left out of the endpoint impact rather than guessed.
Memory holds the settings found and where they come from, never a whole profile.
"""

from __future__ import annotations

import datetime
import os
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from profilegen import names
from profilegen.catalog.model import Catalog, Setting
from profilegen.catalog.values import a_or_an, format_value, same_value, type_name
from profilegen.core import impact, target
from profilegen.core.request import Profile
from profilegen.core.selection import Selection
from profilegen.errors import ProfilegenError
from profilegen.reading import profiles
from profilegen.reading.comparison import Side, meaning

COMPUTER = "computer"
KINDS = ("profile", "profiles show", "managed preferences")
# What a folder is searched for; a file named on the command line is read whatever its name.
SUFFIXES = (".mobileconfig", ".plist", ".xml", ".signed")
_DOMAIN = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+")


@dataclass(frozen=True)
class Source:
    """Where a value comes from: a file, and in it a profile and a payload, where it has them."""

    file: str
    kind: str  # one of KINDS
    scope: str  # "computer", "user" (a user profile, whose user the input doesn't name) or "user NAME"
    identifier: str | None = None  # the profile's
    name: str | None = None  # the profile's display name
    payload: str | None = None  # the payload's identifier
    installed: str | None = None  # when, where `profiles show` says

    def label(self, payload: bool = False) -> str:
        """The file, and the profile's identifier where it has one; with payload, the payload's too."""
        inside = ", ".join(x for x in (self.identifier, self.payload if payload else None) if x)
        return f"{self.file} ({inside})" if inside else self.file

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "kind": self.kind,
            "scope": self.scope,
            "profile": self.identifier,
            "display_name": self.name,
            "payload": self.payload,
            "installed": self.installed,
        }


@dataclass(frozen=True)
class Entry:
    """One value, as one source sets it."""

    domain: str
    key: str
    value: Any
    source: Source


@dataclass(frozen=True)
class Finding:
    level: str  # "error", "warning" or "info"
    code: str  # as `check` numbers them (profilegen.reading.findings.CODES)
    scope: str
    message: str
    sources: tuple[Source, ...] = ()

    def as_dict(self) -> dict:
        return {
            "level": self.level,
            "code": self.code,
            "scope": self.scope,
            "message": self.message,
            "files": list(dict.fromkeys(s.file for s in self.sources)),
            "profiles": list(dict.fromkeys(s.identifier for s in self.sources if s.identifier)),
        }


@dataclass
class Inputs:
    """What the paths held: the Office entries, and a count of everything else."""

    entries: list[Entry] = field(default_factory=list)
    read: list[str] = field(default_factory=list)  # the files read, in order
    skipped: int = 0  # files in the folders that aren't named as profiles or plists are
    kinds: Counter = field(default_factory=Counter)  # files by kind; "signed" too
    profiles: int = 0  # profiles, in files and in profiles show documents
    payloads: Counter = field(default_factory=Counter)  # "office" and "other"
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (file, why)
    notes: list[Finding] = field(default_factory=list)  # old names read as current, files left alone


def collect(catalog: Catalog, paths: list[Path]) -> Inputs:
    """Every Office setting the paths hold, with its source; what can't be read is listed."""
    found = Inputs()
    for path in paths:
        if path.is_dir():
            for file in _walk(path):
                if file.suffix.lower() in SUFFIXES:
                    _file(catalog, found, file, path)
                else:
                    found.skipped += 1
        else:
            _file(catalog, found, path, path.parent)
    return found


def _walk(root: Path):
    """The files under root, in order; hidden ones (.DS_Store, .git) and symbolic links to
    folders left out, so that a loop of links can't hold the audit."""
    for folder, folders, files in os.walk(root):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(folder) / name


def _text(value: Any) -> str | None:
    if isinstance(value, datetime.datetime):  # ProfileInstallDate, where a tool wrote it as a date
        return value.strftime("%Y-%m-%d %H:%M:%S +0000")
    return names.shorten(value, 200) if isinstance(value, str) else None


def _file(catalog: Catalog, found: Inputs, path: Path, root: Path) -> None:
    try:
        read = profiles.read(path)
    except ProfilegenError as e:
        found.unreadable.append((str(path), str(e)))
        return
    doc, file = read.profile, str(path)
    found.read.append(file)
    if read.signer is not None:
        found.kinds["signed"] += 1
    if _is_profiles_show(doc):
        found.kinds["profiles show"] += 1
        for user, items in doc.items():
            scope = COMPUTER if user == "_computerlevel" else f"user {names.shorten(str(user), 80)}"
            for item in items:
                if isinstance(item, dict):
                    payloads = [_payload(p) for p in item.get("ProfileItems") or () if isinstance(p, dict)]
                    source = Source(
                        file,
                        "profiles show",
                        scope,
                        _text(item.get("ProfileIdentifier")),
                        _text(item.get("ProfileDisplayName")),
                        installed=_text(item.get("ProfileInstallDate")),
                    )
                    _profile(catalog, found, {"PayloadContent": payloads}, source)
    elif "PayloadContent" in doc or doc.get("PayloadType") == "Configuration":
        found.kinds["profile"] += 1
        scope = "user" if doc.get("PayloadScope") == "User" else COMPUTER
        if "EncryptedPayloadContent" in doc and not profiles.payloads(doc):
            message = f"{file} is encrypted to the Macs it was made for: its payloads can't be audited"
            found.notes.append(Finding("warning", "PG604", scope, message, (Source(file, "profile", scope),)))
        source = Source(
            file, "profile", scope, _text(doc.get("PayloadIdentifier")), _text(doc.get("PayloadDisplayName"))
        )
        _profile(catalog, found, doc, source)
    elif path.suffix == ".plist" and _DOMAIN.fullmatch(path.stem):
        found.kinds["managed preferences"] += 1
        parts = path.relative_to(root).parts if path.is_relative_to(root) else (path.name,)
        scope = COMPUTER if len(parts) == 1 else f"user {parts[0]}"
        source = Source(file, "managed preferences", scope)
        office = path.stem.startswith("com.microsoft.")
        found.payloads["office" if office else "other"] += 1
        if office:
            _add(catalog, found, [(path.stem, k, v) for k, v in doc.items()], source)
    else:
        found.notes.append(
            Finding(
                "info",
                "PG603",
                COMPUTER,
                f"{file} is a property list, but not a profile, a `profiles show` document or a Managed "
                "Preferences file (DOMAIN.plist): left alone",
                (Source(file, "profile", COMPUTER),),
            )
        )


def _is_profiles_show(doc: dict) -> bool:
    """What `profiles show -output stdout-xml` prints: `_computerlevel` and one key per user, each
    an array of installed profiles with their ProfileItems."""
    if "_computerlevel" in doc:
        return all(isinstance(v, list) for v in doc.values())
    return (
        bool(doc)
        and all(
            isinstance(v, list) and all(isinstance(p, dict) and "ProfileItems" in p for p in v) for v in doc.values()
        )
        and any(doc.values())
    )


def _payload(item: dict) -> dict:
    """An installed profile's item as the payload of a profile file, so that one reader takes both:
    `profiles show` gives a payload's keys under its PayloadContent."""
    head = {"PayloadType": item.get("PayloadType"), "PayloadIdentifier": item.get("PayloadIdentifier")}
    content = item.get("PayloadContent")
    if item.get("PayloadType") == profiles.MCX:
        return {**head, "PayloadContent": content}
    return {**(content if isinstance(content, dict) else {}), **head}


def _profile(catalog: Catalog, found: Inputs, doc: dict, source: Source) -> None:
    found.profiles += 1
    by_payload: dict[int, list[tuple[str, str, Any]]] = {}
    for item in profiles.settings(doc):
        s = item.setting
        if isinstance(s.domain, str) and s.domain.startswith("com.microsoft."):
            by_payload.setdefault(item.payload, []).append((s.domain, s.key, s.value))
    for i, payload in enumerate(profiles.payloads(doc)):
        found.payloads["office" if i in by_payload or _mcx_office(payload) else "other"] += 1
    for i, settings in by_payload.items():
        payload = doc["PayloadContent"][i]
        _add(catalog, found, settings, replace(source, payload=_text(payload.get("PayloadIdentifier"))))


def _mcx_office(payload: Any) -> bool:
    if not isinstance(payload, dict):
        return False
    content = payload.get("PayloadContent")
    return (
        payload.get("PayloadType") == profiles.MCX
        and isinstance(content, dict)
        and any(isinstance(d, str) and d.startswith("com.microsoft.") for d in content)
    )


def _add(catalog: Catalog, found: Inputs, settings: list[tuple[str, str, Any]], source: Source) -> None:
    """The settings of one payload, read as the applications read them: an old name of a key or a
    value as the current one, each such reading a note."""
    read, notes = meaning(catalog, settings, source.label())
    found.notes += [
        Finding("info", "PG204", source.scope, note.replace("; compared as ", "; read as "), (source,))
        for note in notes
    ]
    found.entries += [Entry(domain, key, value, source) for (domain, key), value in read.items()]


# --- what it adds up to ---------------------------------------------------------------------------


@dataclass
class Scope:
    """The computer, or a user: the effective settings, each with every entry that sets it."""

    name: str
    settings: dict[tuple[str, str], list[Entry]]
    findings: list[Finding] = field(default_factory=list)
    impacts: list[impact.Impact] = field(default_factory=list)
    conflicted: list[tuple[str, str]] = field(default_factory=list)
    _responsible: dict = field(default_factory=dict, repr=False)

    def as_dict(self, index: dict[Source, int]) -> dict:
        """The scope as data; a source is named by its place in the document's list of sources,
        so that a thousand profiles that set the same keys are listed once, not per row."""
        return {
            "scope": self.name,
            "settings": [
                {
                    "domain": domain,
                    "key": key,
                    "value": None if (domain, key) in self.conflicted else entries[0].value,
                    "conflict": (domain, key) in self.conflicted,
                    "sources": [{"source": index[e.source], "value": e.value} for e in entries],
                }
                for (domain, key), entries in self.settings.items()
            ],
            "findings": [f.as_dict() for f in self.findings],
            "endpoints": {
                "summary": impact.summary(self.impacts),
                "rows": [{**i.as_dict(), "changed_by": [index[s] for s in self.responsible(i)]} for i in self.impacts],
            },
        }

    def responsible(self, row: impact.Impact) -> list[Source]:
        """The sources of the settings that change an endpoint row (rows changed by the same
        settings, as most are, are worked out once)."""
        if row.settings not in self._responsible:
            self._responsible[row.settings] = list(
                dict.fromkeys(e.source for s in row.settings for e in self.settings.get((s.domain, s.key), ()))
            )
        return self._responsible[row.settings]


@dataclass
class Audit:
    inputs: Inputs
    scopes: list[Scope]
    target: target.Target
    against: str | None = None

    @property
    def findings(self) -> list[Finding]:
        unreadable = [
            Finding("error", "PG001", COMPUTER, why, (Source(f, "profile", COMPUTER),))
            for f, why in self.inputs.unreadable
        ]
        return unreadable + [f for s in self.scopes for f in s.findings] + self.inputs.notes

    def count(self, level: str) -> int:
        return sum(f.level == level for f in self.findings)

    def exit_code(self, strict: bool = False) -> int:
        """2 when an input couldn't be read (or none was), 1 on conflicts, drift or another error (with strict, on
        warnings too), else 0."""
        if self.inputs.unreadable or not self.inputs.read:
            return 2
        return 1 if self.count("error") or (strict and self.count("warning")) else 0


def audit(catalog: Catalog, inputs: Inputs, aim: target.Target, against: Side | None = None) -> Audit:
    entries = inputs.entries
    names_ = sorted({e.source.scope for e in entries} - {COMPUTER})
    scopes = [Scope(COMPUTER, _settings(catalog, [e for e in entries if e.source.scope == COMPUTER]))]
    for name in names_:
        mine = [e for e in entries if e.source.scope in (COMPUTER, name)]
        scopes.append(Scope(name, _settings(catalog, mine)))
    for scope in scopes:
        _judge(catalog, scope, aim)
        if against is not None:
            _drift(catalog, scope, against)
    computer = {f.message for f in scopes[0].findings}
    for scope in scopes[1:]:  # a user's own findings: the computer's hold for every user already
        scope.findings = [f for f in scope.findings if f.message not in computer]
    if len(scopes) > 1 and not scopes[0].settings:  # only users' profiles: no computer to speak of
        scopes = scopes[1:]
    return Audit(inputs, scopes, aim, against.label if against else None)


def _settings(catalog: Catalog, entries: list[Entry]) -> dict[tuple[str, str], list[Entry]]:
    """Entries by key, in the catalog's order of domains and keys, unknown ones last."""
    grouped: dict[tuple[str, str], list[Entry]] = {}
    for e in entries:
        grouped.setdefault((e.domain, e.key), []).append(e)
    keys = {key: i for i, key in enumerate(catalog.preferences)}

    def order(item):
        (domain, key), _ = item
        known = domain in catalog.domains and key in keys
        return (
            not known,
            catalog.domain_order(domain) if domain in catalog.domains else 0,
            keys.get(key, 0),
            domain,
            key,
        )

    return dict(sorted(grouped.items(), key=order))


def _shown(value: Any) -> str:
    return names.shorten(format_value(value), 80)


SHOWN = 3  # sources a message names before it counts the rest (--json lists them all)


def some(labels: list[str]) -> str:
    """The first SHOWN labels, and how many more."""
    more = f" and {len(labels) - SHOWN} more" if len(labels) > SHOWN else ""
    return ", ".join(labels[:SHOWN]) + more


def _where(entries: list[Entry], payload: bool = False) -> str:
    return some(list(dict.fromkeys(e.source.label(payload) for e in entries)))


def _judge(catalog: Catalog, scope: Scope, aim: target.Target) -> None:
    found, read = scope.findings, []
    own = scope.name != COMPUTER
    warned: set[str] = set()
    for (domain, key), entries in scope.settings.items():
        values: list[tuple[Any, list[Entry]]] = []
        for e in entries:
            slot = next((v for v in values if same_value(v[0], e.value)), None)
            slot[1].append(e) if slot else values.append((e.value, [e]))
        sources = tuple(e.source for e in entries)
        mine = not (own and all(s.scope == COMPUTER for s in sources))  # else the computer's, judged there
        if len(values) > 1:
            scope.conflicted.append((domain, key))
            # Two payloads of one profile are told apart by their identifiers.
            inside = len({e.source.label() for e in entries}) < len({e.source for e in entries})
            told = "; ".join(f"{_shown(v)} in {_where(es, inside)}" for v, es in values)
            found.append(
                Finding("error", "PG601", scope.name, f"{domain} {key} is set to different values: {told}", sources)
            )
            continue
        if len(entries) > 1 and mine:
            found.append(
                Finding(
                    "info",
                    "PG602",
                    scope.name,
                    f"{domain} {key} = {_shown(values[0][0])} is set by {len(entries)} sources: {_where(entries)}",
                    sources,
                )
            )
        value = values[0][0]
        setting = Setting(domain, key, value)
        problem = _problem(catalog, setting, aim)
        if problem is None:
            read.append(setting)
            structure = catalog.preferences[key].structure
            if structure and mine:  # a dictionary's entries, as check judges them (an LCID as text, ...)
                from profilegen.catalog.facts import findings

                for level, code, message, _ in findings(value, structure):
                    if level == "warning":
                        found.append(Finding("warning", code, scope.name, f"{domain}: {key} = {message}", sources))
        elif mine and (problem[1] != "PG206" or domain not in warned):
            warned.add(domain)
            found.append(Finding(problem[0], problem[1], scope.name, problem[2], sources))
    for key, value, domains, stops in target.stopped(catalog, read):
        where = ", ".join(catalog.domains[d].alias for d in domains)
        involved = tuple(e.source for d in domains for e in scope.settings[(d, key)])
        found.append(
            Finding(
                "warning", "PG610", scope.name, f"{key} = {value} in {where} also stops: {', '.join(stops)}", involved
            )
        )
    for line in target.missing(catalog, read, aim):
        involved = tuple(e.source for (d, _), es in scope.settings.items() if f" {d} " in line for e in es)
        found.append(Finding("warning", "PG611", scope.name, line, tuple(dict.fromkeys(involved))))
    chosen = Selection(scope.name, catalog.ordered(read), Profile(), target=aim)
    scope.impacts = impact.assess(chosen, catalog)


def _problem(catalog: Catalog, s: Setting, aim: target.Target) -> tuple[str, str, str] | None:
    """What `check` would say of one effective setting: (level, code, message), or None when the
    target reads it as it is."""
    if s.domain not in catalog.domains:
        return "warning", "PG206", f"{s.domain} is not in profilegen's catalog; its keys are not checked"
    pref = catalog.preferences.get(s.key)
    if pref is None:
        never = catalog.never(s.key, s.domain)
        if never is not None:
            return "warning", "PG207", never.message()
        return "warning", "PG205", f"{s.domain}: {names.shorten(s.key, 80)} is not in profilegen's catalog; not checked"
    if s.domain not in pref.domains:
        return (
            "error",
            "PG201",
            f"{s.domain}: {s.key} is not documented for this domain; it applies to " + ", ".join(pref.domains),
        )
    if type_name(s.value) != pref.type:
        kind = type_name(s.value)
        return (
            "error",
            "PG202",
            (
                f"{s.domain}: {s.key} is {a_or_an(kind)} {kind} ({_shown(s.value)}); expected {a_or_an(pref.type)} "
                f"{pref.type}, one of {pref.allowed}"
            ),
        )
    if pref.problem(s.value):
        return "error", "PG203", f"{s.domain}: {s.key} = {pref.problem(s.value)}"
    why = target.unread(catalog, s, aim)
    if why:
        return "warning", "PG209", f"{s.domain}: {s.key}: {why}"
    return None


def _drift(catalog: Catalog, scope: Scope, against: Side) -> None:
    """What differs from the intended settings: missing, other values, unintended, and the endpoints
    whose effect is not the intended one."""
    found, label = scope.findings, against.label
    for (domain, key), value in against.settings.items():
        entries = scope.settings.get((domain, key))
        if not entries:
            found.append(
                Finding(
                    "error", "PG620", scope.name, f"{domain} {key} = {_shown(value)} is intended ({label}) but not set"
                )
            )
        elif (domain, key) in scope.conflicted:
            found.append(
                Finding(
                    "error",
                    "PG621",
                    scope.name,
                    f"{domain} {key} is in conflict; {label} intends {_shown(value)}",
                    tuple(e.source for e in entries),
                )
            )
        elif not same_value(entries[0].value, value):
            found.append(
                Finding(
                    "error",
                    "PG621",
                    scope.name,
                    f"{domain} {key} is {_shown(entries[0].value)} "
                    f"({_where(entries)}); {label} intends {_shown(value)}",
                    tuple(e.source for e in entries),
                )
            )
    for (domain, key), entries in scope.settings.items():
        if (domain, key) not in against.settings:
            found.append(
                Finding(
                    "error",
                    "PG622",
                    scope.name,
                    f"{domain} {key} = {_shown(entries[0].value)} is set "
                    f"({_where(entries)}) but {label} doesn't intend it",
                    tuple(e.source for e in entries),
                )
            )
    intended = impact.assess(against.selection, catalog)
    for mine, meant in zip(scope.impacts, intended, strict=True):
        if mine.effect != meant.effect:
            e = mine.endpoint
            found.append(
                Finding(
                    "error",
                    "PG623",
                    scope.name,
                    f"{e.url} ({e.section}) is {mine.effect}; {label} makes it {meant.effect}",
                    tuple(scope.responsible(mine)) or tuple(scope.responsible(meant)),
                )
            )
