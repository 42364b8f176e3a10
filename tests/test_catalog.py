"""The catalog against the seed article, ProfileManifests, and its own data checks."""

import plistlib
import shutil
import subprocess
import sys

import pytest

from profilegen.catalog import loading as catalog_module
from profilegen.errors import CatalogError, SelectionError

import seed
from conftest import ROOT, shared
from helpers import FLAG_TYPES


def article_rows(catalog):
    return [e for e in catalog.endpoints if e.source == "article-2016"]


def later_rows(catalog):
    """Rows of Office for Mac's own endpoints added since the 2016 article."""
    return {e.url: e for e in catalog.endpoints if e.source != "article-2016" and e.scope == "office"}


@pytest.mark.reference
def test_every_endpoint_row_of_the_seed_is_in_the_catalog_in_order(catalog):
    expected = [(r["section"], r["url"], sorted(r["apps"]), r["type"]) for r in seed.rows()]
    actual = [(e.section, e.url, sorted(e.apps), e.type) for e in article_rows(catalog)]
    assert actual == expected
    assert len(actual) == 78
    assert len({e.url.lower().rstrip("/") for e in article_rows(catalog)}) == 69
    article = [s.name for s in catalog.sections if s.source == "article-2016"]
    assert article == list(dict.fromkeys(seed.SECTIONS.values()))


def test_rows_added_since_the_article_name_their_own_source(catalog):
    later = later_rows(catalog)
    assert set(later) == {"https://officecdnmac.microsoft.com/", "https://res.public.onecdn.static.microsoft/"}
    assert later["https://officecdnmac.microsoft.com/"].source == "article-2024"
    assert later["https://res.public.onecdn.static.microsoft/"].source == "mc1268926"
    for row in later.values():
        assert row.section == "Installation and updates" and row.apps == () and row.type == ""
        assert catalog.sources[row.source].publisher == "Microsoft"


def test_every_claim_names_a_known_source_and_a_confidence(catalog):
    from profilegen.catalog.sources import CONFIDENCE

    claims = [p.evidence for p in catalog.preferences.values()]
    claims += [s.evidence for p in catalog.preferences.values() for s in p.statuses]
    claims += [s.evidence for p in catalog.preferences.values() for v in p.values for s in v.statuses]
    claims += [s.evidence for d in catalog.domains.values() for s in d.statuses]
    claims += [p.evidence for p in catalog.products.values()]
    for claim in claims:
        assert claim.source in catalog.sources and claim.confidence in CONFIDENCE
    for pref in catalog.preferences.values():
        for rule in pref.impact:
            assert rule.source in catalog.sources and rule.evidence in ("documented", "inferred")
    assert all(e.source in catalog.sources for e in catalog.endpoints)
    # Microsoft doesn't say the per-app key is ignored: a community claim stays below high.
    telemetry = catalog.preferences["SendAllTelemetryEnabled"].statuses
    assert telemetry and all(s.evidence.confidence != "high" for s in telemetry)


@pytest.mark.reference
def test_every_endpoint_has_an_english_description(catalog):
    for endpoint in catalog.endpoints:
        assert endpoint.description.isascii(), endpoint
        assert len(endpoint.description) > 5


@pytest.mark.reference
def test_every_defaults_command_in_the_seed_matches_the_catalog(catalog):
    commands = seed.commands()
    assert len(commands) == 3 + 7 + 1 + 1  # UseOnlineContent x3, telemetry x7, attach, update
    for domain, key, flag, value in commands:
        pref = catalog.preferences[key]
        assert domain in pref.domains
        assert pref.type == FLAG_TYPES[flag]
        assert pref.parse(value) == pref.private
    # IsMerpEnabled's line in the translated article lost its "defaults write"; check it by hand.
    assert catalog.preferences["IsMerpEnabled"].domains == ("com.microsoft.errorreporting",)
    documented = {(d, k) for d, k, _, _ in commands} | {("com.microsoft.errorreporting", "IsMerpEnabled")}
    assert documented <= {(d, p.key) for p in catalog.preferences.values() for d in p.domains}


@pytest.mark.parametrize(
    "domain", ["Word", "Excel", "Powerpoint", "autoupdate2", "onenote.mac", "Outlook", "Office365ServiceV2", "office"]
)
@pytest.mark.reference
def test_types_agree_with_profilemanifests(catalog, domain):
    with shared("reference", "profilemanifests", f"com.microsoft.{domain}.plist").open("rb") as f:
        manifest = plistlib.load(f)
    keys = {k["pfm_name"]: k for k in manifest["pfm_subkeys"]}
    for pref in catalog.preferences.values():
        if f"com.microsoft.{domain}" in pref.domains and pref.key in keys:
            assert keys[pref.key]["pfm_type"] == pref.type
            if "pfm_range_list" in keys[pref.key]:
                # every value the manifest knows is one of ours, or an old name of one
                ours = {v.value for v in pref.values} | {a for v in pref.values for a in v.aliases}
                assert set(keys[pref.key]["pfm_range_list"]) <= ours, pref.key


def test_use_online_content_documents_windows_only_opt_in(catalog):
    values = {v.value: v.title for v in catalog.preferences["UseOnlineContent"].values}
    assert set(values) == {0, 1, 2}
    assert "Windows" in values[1]


@pytest.mark.parametrize(
    "key, text",
    [("UseOnlineContent", "volume-license"), ("UseOnlineContent", "15.25"), ("SendAllTelemetryEnabled", "Heartbeat")],
)
def test_caveats_say_what_a_setting_costs(catalog, key, text):
    assert any(text in c.text for c in catalog.preferences[key].caveats)


@pytest.mark.reference
def test_the_2016_presets_carry_the_articles_commands(catalog):
    offline = {(s.domain, s.key): s.value for s in catalog.presets["volume-license-offline"].values}
    documented = {(domain, key) for domain, key, _, _ in seed.commands()}
    assert set(offline) == documented
    assert all(offline[key] == catalog.preferences[key[1]].private for key in documented)
    crash = {(s.domain, s.key): s.value for s in catalog.presets["crash-reports-only"].values}
    assert crash[("com.microsoft.errorreporting", "IsMerpEnabled")] is True
    assert crash[("com.microsoft.errorreporting", "IsAttachFilesEnabled")] is False
    assert {"no-usage-telemetry", "manual-updates"} <= set(catalog.presets)


def test_the_most_private_current_preset_uses_every_privacy_switch_at_its_most_private(catalog):
    chosen = {(s.domain, s.key): s.value for s in catalog.presets["most-private-current"].values}
    for pref in catalog.preferences.values():
        if "com.microsoft.office" in pref.domains and pref.private is not None and pref.group == "privacy":
            assert chosen[("com.microsoft.office", pref.key)] == pref.private, pref.key
    assert chosen[("com.microsoft.autoupdate2", "AcknowledgedDataCollectionPolicy")] == "RequiredDataOnly"


def test_the_most_private_preset_keeps_the_add_ins_an_organization_deploys(catalog):
    """It turns off the Office Store catalog only; blocking every add-in is a preset of its own,
    whose description says what that breaks."""
    office = "com.microsoft.office"
    private = {(s.domain, s.key): s.value for s in catalog.presets["most-private-current"].values}
    assert private[(office, "OfficeWebAddinDisableOMEXCatalog")] is True
    assert (office, "OfficeWebAddinDisableAllCatalogs") not in private
    strict = catalog.presets["most-private-no-add-ins"]
    chosen = {(s.domain, s.key): s.value for s in strict.values}
    assert chosen[(office, "OfficeWebAddinDisableAllCatalogs")] is True
    assert "organization deploys stop working" in strict.description
    others = {k: v for k, v in chosen.items() if k[1] != "OfficeWebAddinDisableAllCatalogs"}
    assert others == {k: v for k, v in private.items() if k[1] != "OfficeWebAddinDisableOMEXCatalog"}


@pytest.mark.parametrize("name", list(catalog_module.load().presets))
def test_each_preset_is_read_whole_by_the_versions_it_is_for(catalog, name):
    from profilegen.core.target import Target, unread

    preset = catalog.presets[name]
    bounds = {p: (low, high) for p, low, high in preset.versions}
    for edge in (0, 1):  # its oldest and its newest versions
        versions = {
            p: (bounds.get(p, (None, None))[edge] or bounds.get(p, (None, None))[1 - edge] or v)
            for p, v in catalog.current().items()
        }
        target = Target(versions["office"], versions["autoupdate"])
        assert preset.fits(target.versions())
        assert [s for s in preset.values if unread(catalog, s, target)] == [], (name, target)


# --- broken data files fail with the file and the field named -------------------------


@pytest.fixture
def payloads(tmp_path):
    root = tmp_path / "payloads"
    shutil.copytree(ROOT / "payloads", root)
    return root


def edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    "file, old, new, field",
    [
        ("preferences/UseOnlineContent.toml", 'type = "integer"', 'type = "int"', "'type'"),
        ("preferences/UseOnlineContent.toml", "private = 0", "private = 5", "'private'"),
        ("preferences/UseOnlineContent.toml", "private = 0", 'private = "0"', "'private'"),
        ("preferences/HowToCheck.toml", 'title = "Offer no Office', 'titel = "Offer no Office', "'titel'"),
        ("preferences/HowToCheck.toml", 'source = "mau-preferences"', 'source = "mau-prefs"', "'source'"),
        ("preferences/HowToCheck.toml", 'confidence = "high"', 'confidence = "sure"', "'confidence'"),
        ("preferences/ChannelName.toml", 'value = "Custom"', "value = 3", "'value'"),
        ("preferences/UpdateCache.toml", 'format = "https-url"', 'format = "url"', "'format'"),
        ("preferences/SendAllTelemetryEnabled.toml", 'from = "16.28"', 'from = "sixteen"', "'from'"),
        (
            "preferences/OptionalConnectedExperiencesPreference.toml",
            'sections = ["Office Apps',
            'sections = ["First app launch", "Office Apps',
            "an inferred rule may not silence",
        ),
        ("presets/most-private-current.toml", 'office_min = "16.30"', 'office_min = "latest"', "'office_min'"),
        ("versions.toml", 'current = "4.85"', "current = 4.85", "'current'"),
        ("endpoints.toml", 'source = "mc1268926"', 'source = "mc"', "'source'"),
        (
            "preferences/HowToCheck.toml",
            'domains = ["com.microsoft.autoupdate2"]',
            'domains = ["com.microsoft.AutoUpdate2"]',
            "'domains'",
        ),
        ("preferences/IsMerpEnabled.toml", 'key = "IsMerpEnabled"', 'key = "IsMerpEnable"', "'key'"),
        ("preferences/UseOnlineContent.toml", '"Sign in", "Smart', '"Signin", "Smart', "'sections'"),
        ("endpoints.toml", 'apps = "N", type = "CS"', 'apps = "Z", type = "CS"', "'apps'"),
        ("endpoints.toml", 'type = "ST", description = "Windows', 'type = "XX", description = "Windows', "'type'"),
        ("endpoints.toml", '{ url = "https://login.live.com/"', '{ url = "https://login.windows.net/"', "'url'"),
        ("presets/manual-updates.toml", 'HowToCheck = "Manual"', 'HowToCheck = "Never"', "'settings'"),
        ("presets/manual-updates.toml", 'HowToCheck = "Manual"', 'HowToChek = "Manual"', "'settings'"),
        (
            "presets/manual-updates.toml",
            'HowToCheck = "Manual"',
            '[settings.outlook]\nHowToCheck = "Manual"',
            "'settings'",
        ),
        ("presets/manual-updates.toml", "[settings]", "[setings]", "'setings'"),
        ("domains.toml", 'alias = "word"', "alias = 1", "'alias'"),
    ],
)
def test_a_broken_data_file_names_file_and_field(payloads, file, old, new, field):
    edit(payloads / file, old, new)
    with pytest.raises(CatalogError) as e:
        catalog_module.load(payloads)
    assert str(payloads / file) in str(e.value)
    assert field in str(e.value)


def test_malformed_toml_names_the_file_and_line(payloads):
    edit(
        payloads / "endpoints.toml",
        "[[section]]",
        "[[section]",
    )
    with pytest.raises(CatalogError, match=r"endpoints\.toml: not valid TOML: .*line \d+"):
        catalog_module.load(payloads)


def test_preference_values_parse_by_catalog_type(catalog):
    uoc = catalog.preferences["UseOnlineContent"]
    assert uoc.parse("0") == 0 and type(uoc.parse("0")) is int
    for bad in ("zero", "0.0", "5", "", "off", "true"):
        with pytest.raises(SelectionError) as refused:
            uoc.parse(bad)
        # In the admin's words: every allowed value with the title the catalog gives it.
        for value in uoc.values:
            assert f'{value.value} "{value.title}"' in str(refused.value)
    telemetry = catalog.preferences["SendAllTelemetryEnabled"]
    for text, value in [
        ("TRUE", True),
        ("no", False),
        ("1", True),
        ("False", False),
        ("0", False),
        ("on", True),
        ("Off", False),
        (" yes ", True),
    ]:
        assert telemetry.parse(text) is value
    with pytest.raises(SelectionError, match="not a boolean") as refused:
        telemetry.parse("maybe")
    assert all(f'"{value.title}"' in str(refused.value) for value in telemetry.values)
    assert "on/off" in str(refused.value)
    how = catalog.preferences["HowToCheck"]
    assert how.parse("manual") == "Manual"
    assert how.parse("automaticcheck") == "AutomaticCheck"
    with pytest.raises(SelectionError, match='AutomaticDownload ".*", AutomaticCheck ".*", Manual "'):
        how.parse("Never")


def test_typed_values_keep_their_plist_type(catalog):
    uoc = catalog.preferences["UseOnlineContent"]
    for wrong in ("0", False, 0.0):
        with pytest.raises(SelectionError, match="expected an integer"):
            uoc.coerce(wrong)
    with pytest.raises(SelectionError, match="expected a boolean"):
        catalog.preferences["IsMerpEnabled"].coerce("FALSE")
    with pytest.raises(SelectionError, match="expected a boolean"):
        catalog.preferences["IsMerpEnabled"].coerce(0)


def test_versions_compare_number_by_number_with_every_operator():
    from profilegen.catalog.values import Version

    older, newer = Version.parse("16.9"), Version.parse("16.10")  # as text, "16.9" > "16.10"
    assert older < newer and older <= newer and newer > older and newer >= older
    assert not (older > newer or older >= newer or newer < older or newer <= older)
    assert sorted([Version("4.85"), Version("4.9"), Version("4.100")]) == [
        Version("4.9"),
        Version("4.85"),
        Version("4.100"),
    ]


# --- the cache the package build writes -----------------------------------------------------------


def test_the_cache_gives_the_catalog_parsing_gives(payloads, monkeypatch):
    (payloads / catalog_module.CACHE).unlink(missing_ok=True)
    parsed = catalog_module.load.__wrapped__(payloads)
    (payloads / catalog_module.CACHE).write_bytes(catalog_module.cache(payloads))
    monkeypatch.setattr(catalog_module, "_parse", lambda raw, path: pytest.fail(f"{path} parsed again"))
    assert catalog_module.load.__wrapped__(payloads) == parsed


def test_an_edited_file_is_parsed_again_whatever_the_cache_says(payloads):
    (payloads / catalog_module.CACHE).write_bytes(catalog_module.cache(payloads))
    edit(payloads / "preferences" / "HowToCheck.toml", 'title = "', 'title = "Edited: ')
    assert catalog_module.load.__wrapped__(payloads).preferences["HowToCheck"].title.startswith("Edited: ")
    edit(payloads / "endpoints.toml", "[[section]]", "[[section]")
    with pytest.raises(CatalogError, match=r"endpoints\.toml: not valid TOML"):
        catalog_module.load.__wrapped__(payloads)


def test_a_cache_from_elsewhere_is_ignored(payloads):
    (payloads / catalog_module.CACHE).write_bytes(b"not marshal data")
    assert catalog_module.load.__wrapped__(payloads).preferences


@pytest.mark.slow
def test_the_wheel_carries_the_cache(tmp_path):
    import marshal
    import zipfile

    # With the test extras' hatchling: no build environment to make and fill first (half the time).
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next(tmp_path.glob("profilegen-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        carried = marshal.loads(z.read(f"profilegen/payloads/{catalog_module.CACHE}"))
        assert {name for name in z.namelist() if name.endswith(".toml")} == {
            f"profilegen/payloads/{name}" for name in carried
        }
    assert carried == marshal.loads(catalog_module.cache(ROOT / "payloads"))


def test_every_claim_names_the_section_of_its_source_where_it_stands(catalog):
    """What the citation test checks on the stored pages, every claim must give: a source of
    sources.toml, its section, a confidence, and for an inferred claim how it was inferred."""
    from profilegen.catalog.sources import CONFIDENCE

    claims = catalog.claims()
    assert len(claims) > 200
    for claim in claims:
        e = claim.evidence
        assert e.source in catalog.sources and e.confidence in CONFIDENCE, claim.name
        assert e.section, f"{claim.name} names no section of {e.source}"
        assert e.note or not e.inferred, f"{claim.name} is inferred but doesn't say how"
    assert all(s.revision for s in catalog.sources.values())


def test_every_source_is_cited(catalog):
    cited = {claim.evidence.source for claim in catalog.claims()}
    assert cited == set(catalog.sources)
