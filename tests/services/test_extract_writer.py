"""The office's extract of October 2026, checked against the hand-built office of the statistics tests.

Cast and dates: tests/services/test_statistics_exact.py. P3 withdrew her statistics consent
and appears nowhere; P9 only came in November.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from desktop.domain import extract_format as fmt
from desktop.domain.errors import InputRejected, PermissionDenied
from desktop.domain.indicators import Audience
from desktop.domain.periods import Period
from desktop.domain.users import Role
from desktop.services import audit, extract, extract_keys, statistics, users
from desktop.services import office as office_service
from desktop.services.office import OfficeHandle
from tests.services.test_statistics_exact import Office, build

OCTOBER = Period.month(2026, 10)
GENERATED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
NO_FLAGS = ["0"] * 14


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BAOM_INSECURE_FAST_KDF_FOR_TESTS", "1")
        handle, _ = office_service.create_office(
            tmp_path_factory.mktemp("extract") / "office.baomdb",
            commune_code="09.541.01.11.", office_name="BAOM Fictif", admin_login="admin",
            admin_name="Admin Fictif", admin_password="mot-de-passe-admin",
        )  # fmt: skip
        with handle:
            yield build(handle)


@pytest.fixture(scope="module")
def october(built: Office) -> extract.Extract:
    return extract.build_extract(built.handle, OCTOBER, now=GENERATED)


def _secret(handle: OfficeHandle) -> bytes:
    with handle.transaction() as session:
        return extract_keys.secret_in(session, extract_keys.PSEUDONYM).value


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def _flags(*criteria: str) -> list[str]:
    return ["1" if column[5:] in criteria else "0" for column in fmt.VULN_COLUMNS]


def test_the_population_at_its_finest_level_is_the_one_counted_by_hand(built: Office) -> None:
    handle = built.handle
    secret = _secret(handle)
    with handle.transaction() as session:
        rows, ids = extract.person_rows_in(session, secret, OCTOBER)
    by_key = {row[0]: row[1:] for row in rows}
    person_of = {extract_keys.pseudonym(secret, "person", pid): pid for pid in ids}
    found = {person_of[key]: cells for key, cells in by_key.items()}
    case_person = {name: _person_of_case(handle, case_id) for name, case_id in built.case.items()}
    p = {f"P{name[1:].rstrip('ab')}": pid for name, pid in case_person.items()}
    u = "unknown"
    assert found == {
        # received, first reception, category, sex, age on 31 Oct, group, residence, stage on 31 Oct, sheet
        p["P1"]: ["1", "2026-08", "rpt_migrant", "F", "25-59", "west_africa", u, "orientation", "medium",
                  *_flags("single_parent", "no_resources")],
        p["P2"]: ["1", "2026-10", "rpt_transit", "M", "18-24", "west_africa", u, "accueil", "", *NO_FLAGS],
        p["P4"]: ["1", "2026-10", "rpt_asylum_seeker", "M", "25-59", "central_africa", u, "evaluation", "",
                  *NO_FLAGS],
        # first reception from the case closed in 2025; stage and sheet from the new case
        p["P5"]: ["1", "2025-03", "rpt_worker", "F", "60+", "asia_oceania", u, "accueil", "low", *_flags("elderly")],
        # not received in October, but her case was open all month; the sheet of 2 Nov is after it
        p["P6"]: ["0", "2026-09", "rpt_refugee", "M", "5-11", "north_africa_middle_east", u, "accompagnement", "",
                  *NO_FLAGS],
        p["P7"]: ["1", "2026-06", "mre", "F", "25-59", "europe", u, "suivi", "", *NO_FLAGS],  # closed, reopened
        p["P8"]: ["1", "2026-07", "rpt_migrant", "F", "0-4", "central_africa", u, "accueil", "", *NO_FLAGS],
        p["P10"]: ["1", "2026-10", "rpt_migrant", "M", "25-59", "north_africa_middle_east", u, "cloture", "",
                   *NO_FLAGS],  # closed on the 28th, reopened in November
    }  # fmt: skip


def _person_of_case(handle: OfficeHandle, case_id: int) -> int:
    from desktop.services import cases

    return cases.get_case(handle, case_id).person_id


def test_referrals_are_those_active_in_the_month_in_their_state_on_its_last_day(
    built: Office, october: extract.Extract
) -> None:
    secret = _secret(built.handle)
    rows = _rows(october.files[fmt.REFERRALS])
    assert tuple(rows[0]) == fmt.REFERRAL_COLUMNS
    cells = sorted(tuple(r[2:]) for r in rows[1:])
    assert cells == sorted(
        [
            # direction, month, domain, provider kind, urgency, state, overdue, outcome, counter month, days
            ("outgoing", "2026-10", "housing", "associative", "h72", "closed", "0", "served", "2026-10", "6"),  # R1
            ("outgoing", "2026-10", "health_physical", "public", "weeks2", "sent", "1", "", "", ""),  # R2
            ("outgoing", "2026-10", "legal_aid", "international", "weeks2", "sent", "1", "", "", ""),  # R4
            ("outgoing", "2026-10", "health_mental", "public", "h72", "sent", "0", "", "", ""),  # R6, due 3 Nov
            ("outgoing", "2026-09", "education", "associative", "weeks2", "closed", "0", "served", "2026-10", "24"),
            ("outgoing", "2026-09", "pension_rights", "associative", "h72", "acknowledged", "1", "", "", ""),  # R9
            ("outgoing", "2026-10", "employment_training", "associative", "weeks2", "closed", "0", "not_eligible",
             "2026-10", "6"),  # R11
            ("incoming", "2026-10", "protection_gbv", "international", "weeks2", "sent", "0", "", "", ""),  # R5
            ("incoming", "2026-10", "other", "none", "weeks2", "sent", "0", "", "", ""),  # R10
        ]
    )  # fmt: skip
    keys = [r[0] for r in rows[1:]]
    assert keys == sorted(keys)
    # every person of this small office is alone in a class: suppressed, so no referral names one
    assert {r[1] for r in rows[1:]} == {""}
    assert october.count("referrals", "person_key_blanked") == 9
    assert all(len(k) == 64 for k in keys)
    assert extract_keys.pseudonym(secret, "referral", 1) in keys  # R1, keyed by its id


def test_a_tiny_office_suppresses_every_person_and_says_so(october: extract.Extract) -> None:
    assert october.manifest["persons"] == {"population": 8, "written": 0, "suppressed": 8, "generalised": 0}
    assert _rows(october.files[fmt.PERSONS]) == [list(fmt.PERSON_COLUMNS)]
    assert october.smallest_class == 0


def test_indicators_are_the_outside_figures_unsuppressed(built: Office, october: extract.Extract) -> None:
    figures = statistics.compute(built.handle, OCTOBER, Audience.OUTSIDE, compare=False, trend_months=0).current
    rows = _rows(october.files[fmt.INDICATORS])[1:]
    totals = {r[0]: (r[4], r[5]) for r in rows if r[2] == "total"}
    assert list(totals) == [code for code in figures.figures]
    for code, figure in figures.figures.items():
        value, base = totals[code]
        if figure.base is None:  # counts
            assert (value, base) == (str(figure.value), ""), code
        elif code == "median_days_to_counter":
            assert (value, base) == (fmt.number(figure.value), str(figure.base)), code
        else:  # rates carry their numerator
            assert (int(value), int(base)) == (round((figure.value or 0) * figure.base), figure.base), code
    # withdrawn P3 is out: 8 received inside the office, 7 outside
    assert totals["people_received"] == ("7", "")
    assert ["people_received", "persons", "age_band", "0-4", "1", ""] in rows
    assert not [r for r in rows if r[2] != "total" and r[4] in ("0", "") and r[5] in ("0", "")]


def test_the_manifest_counts_hashes_and_signature_hold(built: Office, october: extract.Extract) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    manifest = json.loads(october.files[fmt.MANIFEST])
    assert october.files[fmt.MANIFEST] == fmt.canonical(manifest)
    assert manifest["commune_code"] == "09.541.01.11." and manifest["period"] == "2026-10"
    assert manifest["generated_at"] == "2026-11-02T09:00:00Z"
    assert manifest["files"]["referrals.csv"]["rows"] == 9
    assert manifest["files"]["indicators.csv"]["rows"] == len(october.indicators)
    assert october.files[fmt.DESCRIPTOR] == extract.descriptor_bytes()
    public = extract_keys.office_public_key(built.handle)
    assert manifest["signing_key"] == public.fingerprint
    signature = october.files[fmt.SIGNATURE]
    assert len(signature) == 90 and signature.endswith(b"\r\n")
    Ed25519PublicKey.from_public_bytes(public.public_key).verify(
        base64.b64decode(signature[:-2]), extract_keys.MANIFEST_TAG + october.files[fmt.MANIFEST]
    )
    for name, entry in manifest["files"].items():
        assert entry["sha256"] == hashlib.sha256(october.files[name]).hexdigest()


def test_the_same_month_again_gives_the_same_files(built: Office, october: extract.Extract) -> None:
    again = extract.build_extract(built.handle, OCTOBER, now=GENERATED)
    assert dict(again.files) == dict(october.files)
    later = extract.build_extract(built.handle, OCTOBER, now=datetime(2026, 11, 20, tzinfo=UTC))
    assert {n: later.files[n] for n in fmt.CSV_FILES} == {n: october.files[n] for n in fmt.CSV_FILES}
    assert later.files[fmt.MANIFEST] != october.files[fmt.MANIFEST]


def test_written_as_a_zip_or_a_folder_with_the_same_bytes(
    built: Office, october: extract.Extract, tmp_path: Path
) -> None:
    zip_path = extract.write_extract(built.handle, october, tmp_path / "out.zip")
    with zipfile.ZipFile(zip_path) as archive:
        assert archive.namelist() == list(fmt.FILES)
        assert {n: archive.read(n) for n in fmt.FILES} == dict(october.files)
    assert extract.zip_bytes(october) == zip_path.read_bytes()  # the same extract, the same ZIP

    folder = extract.write_extract(built.handle, october, tmp_path)
    assert folder == tmp_path / "BAOM-09.541.01.11-2026-10"
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == dict(october.files)
    (folder / "stray.txt").write_text("x")
    assert extract.write_extract(built.handle, october, tmp_path) == folder  # replaced whole
    assert sorted(p.name for p in folder.iterdir()) == sorted(fmt.FILES)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["BAOM-09.541.01.11-2026-10", "out.zip"]

    flt = audit.AuditFilter(record_type="statistics")
    details = [e.detail for e in audit.entries(built.handle, audit.entry_ids(built.handle, flt))]
    assert f"extract {october.manifest_sha256}" in details and "extract preview" in details


def test_refusals_come_before_anything_is_read_or_written(built: Office, tmp_path: Path) -> None:
    handle = built.handle
    with pytest.raises(InputRejected) as not_over:
        extract.build_extract(handle, Period.month(date.today().year, date.today().month))
    assert not_over.value.key == "extract.error.month_not_over"
    with pytest.raises(InputRejected) as not_month:
        extract.build_extract(handle, Period(date(2026, 10, 1), date(2026, 10, 15)))
    assert not_month.value.key == "extract.error.not_a_month"
    october = extract.build_extract(handle, OCTOBER, now=GENERATED)
    with pytest.raises(InputRejected):
        extract.write_extract(handle, october, tmp_path / "missing" / "x.zip")
    with pytest.raises(InputRejected):
        extract.write_extract(handle, october, tmp_path / "missing")
    assert list(tmp_path.iterdir()) == []


def test_an_officer_cannot_extract(built: Office) -> None:
    handle = built.handle
    admin = handle.actor
    agent_id = users.add_user(handle, "agent1", "Agent Fictif", Role.OFFICER, "mot-de-passe-agent")
    handle.actor = office_service.Actor("agent1", "Agent Fictif", Role.OFFICER, agent_id)
    try:
        with pytest.raises(PermissionDenied):
            extract.build_extract(handle, OCTOBER)
    finally:
        handle.actor = admin


def _five_alike(handle: OfficeHandle, opened: date, incoming_on: date | None = None) -> list[int]:
    """Five persons no quasi-identifier tells apart, each with a case (and an incoming referral)."""
    from desktop.services import cases, referrals
    from desktop.services.case_types import PersonInput
    from desktop.services.referral_types import ReferralInput

    case_ids = []
    for i in range(5):
        person = PersonInput(
            family_name="Fictif", given_name=f"Cinq{i}", sex="M", nationality="SN", category="rpt_migrant",
            birth_date=date(1990, 1, 1 + i), commune_code="09.541.01.11.",
        )  # fmt: skip
        _, case_id = cases.register(handle, person, opened_on=opened, consents=("processing", "statistics"))
        if incoming_on is not None:
            data = ReferralInput("legal_aid", None, direction="incoming", shared=[])
            referrals.create_referral(handle, case_id, data, on=incoming_on)
        case_ids.append(case_id)
    return case_ids


def test_a_referral_received_before_its_case_was_opened_dates_the_first_reception(office) -> None:  # type: ignore[no-untyped-def]
    handle, _, _ = office
    _five_alike(handle, opened=date(2026, 11, 5), incoming_on=date(2026, 10, 20))
    built = extract.build_extract(handle, OCTOBER, now=GENERATED)  # the region's own checks pass
    assert built.manifest["persons"]["written"] == 5
    assert {row[2] for row in built.persons} == {"2026-10"}  # never a month after the extract's


def test_what_the_secretariat_would_refuse_is_never_signed(office) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    handle, _, _ = office
    _five_alike(handle, opened=date(2026, 10, 5))
    with handle.transaction() as session:  # a damaged record: free text where a commune code goes
        session.execute(text("UPDATE person SET commune_code = '12 rue des Fictifs'"))
    with pytest.raises(InputRejected) as refused:
        extract.build_extract(handle, OCTOBER, now=GENERATED)
    assert refused.value.key == "extract.error.self_check"
    assert "residence" in str(refused.value.params["reason"])
