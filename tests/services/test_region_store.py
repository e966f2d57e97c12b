"""The regional store: a regional database, registered offices and their keys, extracts imported (§11 Storing)."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from desktop.db.models import AuditEntry, RegionImport, RegionIndicator, RegionPerson, RegionReferral
from desktop.domain.codelists import VULNERABILITY_CRITERIA
from desktop.domain.errors import InputRejected, PermissionDenied
from desktop.domain.regional import LATE_DAY
from desktop.services import office as office_service
from desktop.services import region, region_import, region_keys, region_status, users
from desktop.services.extract_keys import OfficePublicKey, fingerprint
from desktop.services.office import OfficeHandle
from desktop.services.region_import import Outcome
from desktop.services.region_keys import Registration
from desktop.services.region_status import Delivery
from tests.region_fixtures import (
    EXAMPLE_COMMUNE,
    EXAMPLE_NOW,
    EXAMPLE_PERIOD,
    EXAMPLE_ZIP,
    OTHER_COMMUNE,
    OUTSIDE_COMMUNE,
    REGION,
    key_text,
    make_extract,
    tampered,
)

ADMIN_PASSWORD = "mot-de-passe-region"
STORE_TABLES = (
    "region_office",
    "region_office_key",
    "region_import",
    "region_person",
    "region_referral",
    "region_indicator",
)
LATER = datetime(2025, 6, 20, 9, 0, tzinfo=UTC)


def criteria_of(flags: int) -> tuple[str, ...]:
    """The criteria ticked in a stored ``vuln_flags`` integer (bit *i* = criterion *i*), in code-list order."""
    return tuple(c for i, c in enumerate(VULNERABILITY_CRITERIA) if flags >> i & 1)


@pytest.fixture
def regional(tmp_path: Path) -> Iterator[OfficeHandle]:
    handle, _code = region.create_region(
        tmp_path / "region.baomdb",
        region_code=REGION,
        name="",
        admin_login="secretariat",
        admin_name="Secrétariat Fictif",
        admin_password=ADMIN_PASSWORD,
    )
    try:
        yield handle
    finally:
        handle.close()


@pytest.fixture
def registered(regional: OfficeHandle) -> OfficeHandle:
    region_keys.add_office(regional, EXAMPLE_COMMUNE, key_text())
    return regional


def store_checksum(handle: OfficeHandle, where: str = "") -> str:
    """SHA-256 over every row of the consolidated tables (in a stable order)."""
    digest = hashlib.sha256()
    with handle.engine.connect() as conn:
        for table in STORE_TABLES:
            columns = [row[1] for row in conn.exec_driver_sql(f"PRAGMA table_info({table})")]
            condition = where if where and {"commune_code", "period"} <= set(columns) else ""
            order = ", ".join(str(i) for i in range(1, len(columns) + 1))
            sql = f"SELECT * FROM {table} {condition} ORDER BY {order}"
            digest.update(table.encode())
            for row in conn.execute(text(sql)):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def count(handle: OfficeHandle, model: type) -> int:
    with handle.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def audit_details(handle: OfficeHandle, record_type: str) -> list[str]:
    with handle.transaction() as session:
        return list(session.scalars(select(AuditEntry.detail).where(AuditEntry.record_type == record_type)))


# ---- the regional database


def test_a_regional_database_is_an_office_of_kind_region(regional: OfficeHandle) -> None:
    info = office_service.office_info(regional)
    assert (info.kind, info.commune_code) == ("region", "09.")
    assert "Souss-Massa" in info.name
    assert region.region_code(regional) == "09."


def test_an_unknown_region_code_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "r.baomdb"
    with pytest.raises(InputRejected) as caught:
        region.create_region(
            path, region_code="99.", name="", admin_login="chef", admin_name="", admin_password=ADMIN_PASSWORD
        )
    assert caught.value.key == "region.error.region_unknown"
    assert list(tmp_path.iterdir()) == []


def test_a_region_code_without_its_dot_is_accepted(tmp_path: Path) -> None:
    handle, _ = region.create_region(
        tmp_path / "r.baomdb",
        region_code="06",
        name="Sec",
        admin_login="chef",
        admin_name="",
        admin_password=ADMIN_PASSWORD,
    )
    with handle:
        assert region.region_code(handle) == "06."


def test_an_office_database_refuses_the_regional_functions(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, _path = office
    calls = (
        lambda: region_keys.add_office(handle, EXAMPLE_COMMUNE, key_text()),
        lambda: region_import.import_extracts(handle, [EXAMPLE_ZIP], now=EXAMPLE_NOW),
        lambda: region_status.status(handle),
        lambda: region_keys.offices(handle),
        lambda: region_status.completeness(handle, "2025-01", "2025-03"),
    )
    for call in calls:
        with pytest.raises(InputRejected) as caught:
            call()
        assert caught.value.key == "region.error.not_regional"


def test_roles(regional: OfficeHandle, tmp_path: Path) -> None:
    users.add_user(regional, "agent", "Agent Fictif", "officer", "mot-de-passe-agent")
    path = regional.path
    regional.close()
    with office_service.unlock(path, "agent", "mot-de-passe-agent") as officer:
        with pytest.raises(PermissionDenied):
            region_keys.add_office(officer, EXAMPLE_COMMUNE, key_text())
        with pytest.raises(PermissionDenied):
            region_import.import_extracts(officer, [EXAMPLE_ZIP], now=EXAMPLE_NOW)
        assert region_status.status(officer) == []
        assert region_keys.offices(officer) == []


# ---- the office key file (§9)


def test_the_example_key_file_parses() -> None:
    key = OfficePublicKey.parse(key_text())
    assert key.commune_code == EXAMPLE_COMMUNE
    assert key.fingerprint == "24F6 ED6A CBFE 1009 C030 D7CA 567C 33CA"
    assert key.created == date(2025, 1, 15)
    # a BOM and LF line ends (a file passed through a text editor) are still the same key
    assert OfficePublicKey.parse("\ufeff" + key_text().replace("\r\n", "\n")) == key


def _edit(name: str, value: str) -> str:
    lines = key_text().split("\r\n")
    return "\r\n".join(f"{name}: {value}" if line.startswith(name + ":") else line for line in lines)


@pytest.mark.parametrize(
    ("text_", "reason"),
    [
        (_edit("fingerprint", "24F6 ED6A CBFE 1009 C030 D7CA 567C 33CB"), "region.key.fingerprint"),
        (_edit("public_key", "Kay64UG8yvCyLhqU000LxzYeUm0L/hLIl5S8kyKWbd*="), "region.key.not_base64"),
        (_edit("public_key", base64.b64encode(bytes(31)).decode()), "region.key.length"),
        (_edit("format", "2"), "region.key.format"),
        (_edit("algorithm", "RSA"), "region.key.algorithm"),
        (_edit("commune_code", "99.999.99.99."), "region.key.commune_unknown"),
        (_edit("created", "15/01/2025"), "region.key.created"),
        (_edit("office_name", ""), "region.key.missing"),
        (key_text().replace("created: 2025-01-15\r\n", ""), "region.key.missing"),
        (key_text() + "format: 1\r\n", "region.key.twice"),
        (key_text() + "colour: blue\r\n", "region.key.line"),
        ("BAOM public key\r\n" + key_text().split("\r\n", 1)[1], "region.key.title"),
        ("", "region.key.title"),
    ],
)
def test_a_bad_key_file_is_refused_with_its_reason(text_: str, reason: str) -> None:
    with pytest.raises(InputRejected) as caught:
        OfficePublicKey.parse(text_)
    assert caught.value.key == reason


def test_a_fingerprint_edited_to_match_another_key_is_refused() -> None:
    other = base64.b64encode(hashlib.sha256(b"another key").digest()).decode()
    edited = _edit("public_key", other)  # the fingerprint line still shows the example's
    with pytest.raises(InputRejected) as caught:
        OfficePublicKey.parse(edited)
    assert caught.value.key == "region.key.fingerprint"
    assert caught.value.params["expected"] == fingerprint(base64.b64decode(other))


def test_key_file_text_reads_utf8_only(tmp_path: Path) -> None:
    good = tmp_path / "k.txt"
    good.write_bytes(key_text().encode("utf-8"))
    assert region_keys.key_file_text(good) == key_text()
    bad = tmp_path / "bad.txt"
    bad.write_bytes(key_text().replace("Exemple", "Exempl\xe9").encode("latin-1"))
    for path, reason in ((bad, "region.key.encoding"), (tmp_path / "none.txt", "region.key.unreadable")):
        with pytest.raises(InputRejected) as caught:
            region_keys.key_file_text(path)
        assert caught.value.key == reason


# ---- registered offices


def test_add_office_registers_once_and_is_audited(regional: OfficeHandle) -> None:
    first = region_keys.add_office(regional, EXAMPLE_COMMUNE, key_text())
    assert first.outcome is Registration.REGISTERED
    assert first.fingerprint == "24F6 ED6A CBFE 1009 C030 D7CA 567C 33CA"
    before = store_checksum(regional)
    audited = audit_details(regional, "region_office")
    again = region_keys.add_office(regional, EXAMPLE_COMMUNE, key_text())
    assert again.outcome is Registration.ALREADY
    assert store_checksum(regional) == before
    assert audit_details(regional, "region_office") == audited == [f"key {first.fingerprint}"]
    [registered] = region_keys.offices(regional)
    assert (registered.commune_code, registered.name) == (EXAMPLE_COMMUNE, "BAOM Exemple (fictif)")
    assert [k.fingerprint for k in registered.keys] == [first.fingerprint]


def test_a_new_key_is_added_beside_the_old_one(regional: OfficeHandle) -> None:
    region_keys.add_office(regional, EXAMPLE_COMMUNE, key_text())
    added = region_keys.add_office(regional, EXAMPLE_COMMUNE, key_text(seed=bytes(range(64, 96))))
    assert added.outcome is Registration.KEY_ADDED
    [registered] = region_keys.offices(regional)
    assert len(registered.keys) == 2


@pytest.mark.parametrize(
    ("commune", "key_commune", "reason"),
    [
        (OTHER_COMMUNE, EXAMPLE_COMMUNE, "region.error.commune_mismatch"),
        (OUTSIDE_COMMUNE, OUTSIDE_COMMUNE, "region.error.outside_region"),
    ],
)
def test_add_office_refuses_a_key_of_another_commune(
    regional: OfficeHandle, commune: str, key_commune: str, reason: str
) -> None:
    before = store_checksum(regional)
    with pytest.raises(InputRejected) as caught:
        region_keys.add_office(regional, commune, key_text(key_commune))
    assert caught.value.key == reason
    assert store_checksum(regional) == before


def test_one_key_cannot_serve_two_communes(registered: OfficeHandle) -> None:
    copied = key_text(OTHER_COMMUNE, seed=bytes(range(32, 64)))  # the example office's key, another commune
    with pytest.raises(InputRejected) as caught:
        region_keys.add_office(registered, OTHER_COMMUNE, copied)
    assert caught.value.key == "region.error.key_elsewhere"


def test_a_revoked_key_no_longer_verifies_later_extracts(registered: OfficeHandle) -> None:
    region_keys.revoke_key(registered, EXAMPLE_COMMUNE, "24f6ed6acbfe1009c030d7ca567c33ca", date(2025, 1, 15))
    [registered_office] = region_keys.offices(registered)
    assert registered_office.keys[0].revoked_from == datetime(2025, 1, 14, 23, 0, tzinfo=UTC)  # Casablanca, UTC+1
    summary = region_import.import_extracts(registered, [EXAMPLE_ZIP], now=EXAMPLE_NOW)
    assert summary.rejected == 1
    assert summary.outcomes[0].problems[0].code == "office.key_revoked"
    with pytest.raises(InputRejected) as caught:
        region_keys.revoke_key(registered, EXAMPLE_COMMUNE, "0000", date(2025, 4, 1))
    assert caught.value.key == "region.error.key_not_found"


# ---- importing


def test_the_worked_example_is_imported_row_for_row(registered: OfficeHandle) -> None:
    steps: list[tuple[int, int]] = []
    summary = region_import.import_extracts(
        registered, [EXAMPLE_ZIP], now=EXAMPLE_NOW, progress=lambda d, t: steps.append((d, t))
    )
    assert steps == [(0, 1), (1, 1)]
    [outcome] = summary.outcomes
    assert outcome.outcome is Outcome.IMPORTED, [p.code for p in outcome.problems]
    assert (outcome.commune_code, outcome.period) == (EXAMPLE_COMMUNE, EXAMPLE_PERIOD)
    assert (outcome.persons, outcome.referrals, outcome.indicators) == (5, 4, 66)
    assert (summary.imported, summary.replaced, summary.already, summary.rejected) == (1, 0, 0, 0)
    manifest_sha = hashlib.sha256(zipfile.ZipFile(EXAMPLE_ZIP).read("manifest.json")).hexdigest()
    assert outcome.manifest_sha256 == manifest_sha
    with registered.transaction() as session:
        stored = session.scalars(select(RegionImport)).one()
        assert (stored.persons_population, stored.persons_suppressed, stored.referrals_person_key_blanked) == (8, 3, 1)
        assert (stored.key_series, stored.imported_by, stored.imported_at) == (
            "7fb5cab4ed8698ca",
            "secretariat",
            EXAMPLE_NOW,
        )
        assert stored.generated_at == datetime(2025, 4, 2, 8, 30, tzinfo=UTC)
        p2 = session.scalars(select(RegionPerson).where(RegionPerson.person_key.startswith("c1d4301d"))).one()
        assert (p2.stage, p2.vulnerability_level, p2.received_in_month) == ("orientation", "high", True)
        assert criteria_of(p2.vuln_flags) == ("no_resources", "no_documents")
        p1 = session.scalars(select(RegionPerson).where(RegionPerson.person_key.startswith("6d85a5f8"))).one()
        assert (p1.vulnerability_level, p1.vuln_flags, p1.first_reception, p1.period) == (None, 0, "2025-Q1", "2025-03")
        blank = session.scalars(select(RegionReferral).where(RegionReferral.person_key.is_(None))).one()
        assert (blank.domain, blank.outcome, blank.counter_month, blank.days_to_counter) == (
            "pension_rights", "partly_served", "2025-03", 13,
        )  # fmt: skip
        waiting = session.scalars(select(RegionReferral).where(RegionReferral.domain == "housing")).one()
        assert (waiting.overdue_at_end, waiting.outcome, waiting.days_to_counter) == (True, None, None)
        median = session.scalars(
            select(RegionIndicator).where(
                RegionIndicator.indicator == "median_days_to_counter", RegionIndicator.dimension == "total"
            )
        ).one()
        assert (median.value, median.base) == (9.5, 2)
        total = session.scalars(
            select(RegionIndicator).where(
                RegionIndicator.indicator == "people_received", RegionIndicator.dimension == "total"
            )
        ).one()
        assert (total.value, total.base, total.commune_code) == (6, None, EXAMPLE_COMMUNE)
    [detail] = audit_details(registered, "region_import")
    assert detail == f"imported 2025-03 manifest sha256 {manifest_sha}"


def test_vulnerability_flags_follow_the_criteria_order() -> None:
    cells = ["0"] * len(VULNERABILITY_CRITERIA)
    assert region_import.vuln_flags(cells) == 0
    cells[0] = cells[-1] = "1"
    flags = region_import.vuln_flags(cells)
    assert flags == 1 | 1 << (len(VULNERABILITY_CRITERIA) - 1)
    assert criteria_of(flags) == (VULNERABILITY_CRITERIA[0], VULNERABILITY_CRITERIA[-1])


def test_the_same_extract_again_changes_nothing(registered: OfficeHandle, tmp_path: Path) -> None:
    region_import.import_extracts(registered, [EXAMPLE_ZIP], now=EXAMPLE_NOW)
    before = store_checksum(registered)
    audited = audit_details(registered, "region_import")
    # the same manifest under another name (a mail client's "(1)") and as a folder
    renamed = make_extract(tmp_path / "mail", name="BAOM-09.001.01.01-2025-03 (1)")
    folder = make_extract(tmp_path / "unzipped", as_zip=False)
    summary = region_import.import_extracts(registered, [renamed, folder], now=LATER)
    assert [o.outcome for o in summary.outcomes] == [Outcome.ALREADY, Outcome.ALREADY]
    assert store_checksum(registered) == before
    assert audit_details(registered, "region_import") == audited


def test_a_newer_extract_replaces_the_month_without_doubling(registered: OfficeHandle, tmp_path: Path) -> None:
    region_import.import_extracts(registered, [EXAMPLE_ZIP], now=EXAMPLE_NOW)
    newer = make_extract(tmp_path, generated_at="2025-05-03T10:00:00Z", stages={0: "suivi"})
    summary = region_import.import_extracts(registered, [newer], now=LATER)
    assert [o.outcome for o in summary.outcomes] == [Outcome.REPLACED]
    assert (count(registered, RegionImport), count(registered, RegionPerson)) == (1, 5)
    assert (count(registered, RegionReferral), count(registered, RegionIndicator)) == (4, 66)
    with registered.transaction() as session:
        p1 = session.scalars(select(RegionPerson).where(RegionPerson.person_key.startswith("6d85a5f8"))).one()
        assert p1.stage == "suivi"
        stored = session.scalars(select(RegionImport)).one()
        assert (stored.imported_at, stored.first_imported_at) == (LATER, EXAMPLE_NOW)
    assert [d.split()[0] for d in audit_details(registered, "region_import")] == ["imported", "replaced"]


def test_an_older_extract_is_refused_unless_confirmed(registered: OfficeHandle, tmp_path: Path) -> None:
    newer = make_extract(tmp_path / "new", generated_at="2025-05-03T10:00:00Z", stages={0: "suivi"})
    region_import.import_extracts(registered, [newer], now=LATER)
    before = store_checksum(registered)
    summary = region_import.import_extracts(registered, [EXAMPLE_ZIP], now=LATER)
    [outcome] = summary.outcomes
    assert outcome.outcome is Outcome.REJECTED
    [problem] = outcome.problems
    assert (problem.code, problem.file, problem.field) == ("import.older", "manifest.json", "generated_at")
    assert dict(problem.params) == {"found": "2025-04-02T08:30:00Z", "stored": "2025-05-03T10:00:00Z"}
    assert "2025-04-02T08:30:00Z" in problem.message() and "avant" in problem.message()
    assert store_checksum(registered) == before
    confirmed = region_import.import_extracts(registered, [EXAMPLE_ZIP], now=LATER, confirm_older=True)
    assert [o.outcome for o in confirmed.outcomes] == [Outcome.REPLACED]
    with registered.transaction() as session:
        assert session.scalars(select(RegionImport.generated_at)).one() == datetime(2025, 4, 2, 8, 30, tzinfo=UTC)


def test_a_tampered_extract_changes_nothing_and_the_others_import(registered: OfficeHandle, tmp_path: Path) -> None:
    region_keys.add_office(registered, OTHER_COMMUNE, key_text(OTHER_COMMUNE))
    region_import.import_extracts(registered, [EXAMPLE_ZIP], now=EXAMPLE_NOW)
    newer = make_extract(tmp_path / "newer", generated_at="2025-05-03T10:00:00Z", stages={0: "suivi"})
    bad = tampered(newer, tmp_path / "bad")
    other = make_extract(tmp_path / "other", commune=OTHER_COMMUNE)
    example_rows = f"WHERE commune_code = '{EXAMPLE_COMMUNE}' AND period = '{EXAMPLE_PERIOD}'"
    before_all, before_example = store_checksum(registered), store_checksum(registered, example_rows)

    alone = region_import.import_extracts(registered, [bad], now=LATER)
    assert [o.outcome for o in alone.outcomes] == [Outcome.REJECTED]
    assert [(p.code, p.file) for p in alone.outcomes[0].problems] == [("checksum.mismatch", "persons.csv")]
    assert store_checksum(registered) == before_all

    mixed = region_import.import_extracts(registered, [bad, other], now=LATER)
    assert [o.outcome for o in mixed.outcomes] == [Outcome.REJECTED, Outcome.IMPORTED]
    assert store_checksum(registered, example_rows) == before_example
    assert store_checksum(registered) != before_all
    assert [(s.commune_code, s.period) for s in region_status.status(registered)] == [
        (EXAMPLE_COMMUNE, EXAMPLE_PERIOD),
        (OTHER_COMMUNE, EXAMPLE_PERIOD),
    ]


def test_an_unregistered_office_is_rejected(regional: OfficeHandle) -> None:
    summary = region_import.import_extracts(regional, [EXAMPLE_ZIP], now=EXAMPLE_NOW)
    assert summary.rejected == 1
    assert summary.outcomes[0].problems[0].code == "office.unknown"
    assert count(regional, RegionImport) == 0


def test_a_new_key_series_is_imported_with_a_warning(registered: OfficeHandle, tmp_path: Path) -> None:
    region_import.import_extracts(registered, [EXAMPLE_ZIP], now=EXAMPLE_NOW)
    same = make_extract(tmp_path / "a", period="2025-04")
    other = make_extract(tmp_path / "b", period="2025-05", key_series="0123456789abcdef")
    summary = region_import.import_extracts(registered, [same, other], now=LATER)
    assert [o.outcome for o in summary.outcomes] == [Outcome.IMPORTED, Outcome.IMPORTED]
    assert summary.outcomes[0].warnings == ()
    [warning] = summary.outcomes[1].warnings
    assert warning.code == "import.key_series"
    assert "clés" in warning.message()


def test_sources_expand_to_zips_and_extract_folders_sorted(registered: OfficeHandle, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    b = make_extract(inbox, period="2025-04")
    a = make_extract(inbox, period="2025-02", as_zip=False)
    (inbox / "notes.txt").write_text("pas un extrait", encoding="utf-8")
    (inbox / "empty").mkdir()
    single = make_extract(tmp_path / "single", period="2025-05", as_zip=False)
    assert region_import.expand_sources([inbox, single, b]) == [a, b, single]
    assert region_import.expand_sources([single]) == [single]
    summary = region_import.import_extracts(registered, [inbox, single], now=LATER)
    assert [(o.period, o.outcome) for o in summary.outcomes] == [
        ("2025-02", Outcome.IMPORTED),
        ("2025-04", Outcome.IMPORTED),
        ("2025-05", Outcome.IMPORTED),
    ]
    with pytest.raises(InputRejected) as caught:
        region_import.import_extracts(registered, [inbox / "empty"], now=LATER)
    assert caught.value.key == "region.error.no_extract"


# ---- status and completeness


def test_status_lists_each_import_with_its_rows(registered: OfficeHandle, tmp_path: Path) -> None:
    assert region_status.status(registered) == []
    region_import.import_extracts(registered, [make_extract(tmp_path, period="2025-02"), EXAMPLE_ZIP], now=EXAMPLE_NOW)
    rows = region_status.status(registered)
    assert [(r.commune_code, r.office_name, r.period) for r in rows] == [
        (EXAMPLE_COMMUNE, "BAOM Exemple (fictif)", "2025-02"),
        (EXAMPLE_COMMUNE, "BAOM Exemple (fictif)", "2025-03"),
    ]
    assert [(r.persons, r.referrals, r.indicators) for r in rows] == [(5, 4, 66)] * 2
    assert rows[1].generated_at == datetime(2025, 4, 2, 8, 30, tzinfo=UTC)
    assert rows[1].imported_at == EXAMPLE_NOW


def test_completeness_grid(registered: OfficeHandle, tmp_path: Path) -> None:
    region_keys.add_office(registered, OTHER_COMMUNE, key_text(OTHER_COMMUNE))
    # 2025-03 on time (5 April), 2025-02 late (due 10 March), 2025-01 on the due day (office date)
    region_import.import_extracts(registered, [EXAMPLE_ZIP, make_extract(tmp_path, period="2025-02")], now=EXAMPLE_NOW)
    on_due_day = datetime(2025, 2, 10, 22, 30, tzinfo=UTC)  # 23:30 in Casablanca, still the 10th
    region_import.import_extracts(registered, [make_extract(tmp_path, period="2025-01")], now=on_due_day)
    # a replacement arriving later keeps the month's first arrival
    newer = make_extract(tmp_path / "newer", generated_at="2025-05-03T10:00:00Z")
    region_import.import_extracts(registered, [newer], now=LATER)
    grid = region_status.completeness(registered, "2025-01", "2025-04", now=EXAMPLE_NOW)
    assert grid.months == ("2025-01", "2025-02", "2025-03", "2025-04")
    assert [(r.commune_code, r.cells) for r in grid.rows] == [
        (EXAMPLE_COMMUNE, (Delivery.RECEIVED, Delivery.LATE, Delivery.RECEIVED, Delivery.PENDING)),
        (OTHER_COMMUNE, (Delivery.MISSING, Delivery.MISSING, Delivery.PENDING, Delivery.PENDING)),
    ]
    assert region_status.due_date("2025-12") == date(2026, 1, LATE_DAY)
    after_due = datetime(2025, 4, 10, 23, 30, tzinfo=UTC)  # the 11th in Casablanca
    grid = region_status.completeness(registered, "2025-03", "2025-03", now=after_due)
    assert [r.cells for r in grid.rows] == [(Delivery.RECEIVED,), (Delivery.MISSING,)]
    with pytest.raises(InputRejected):
        region_status.completeness(registered, "2025-04", "2025-01")
