"""Extracts of random offices (docs/extract-format.md): whatever the office, the extract holds.

Hypothesis draws a demo office (seed, size), a past month and a few more persons who
withdraw their statistics consent (some of whom give it again). For each, the month's
extract must be accepted by the regional reader, reach k = 5 on every combination of
quasi-identifiers, leave the withdrawn persons out, keep its files consistent with each
other (§11 check 9), and hold exactly the rows the specification asks for, computed again
in Python from the records (tests/extract_offices.py) rather than by the writer's SQL.
The hand-built office of the exact statistics tests and an empty office are checked the
same way.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from desktop.db.models import Case, Consent, Referral
from desktop.domain.indicators import INDICATORS
from desktop.domain.periods import Period, last_complete_month
from desktop.domain.referrals import office_today
from desktop.services import cases, demo, extract, extract_keys
from desktop.services import office as office_service
from desktop.services.extract_reader import ReadExtract, RegisteredKey, read_extract
from desktop.services.office import OfficeHandle
from tests.extract_offices import (
    SIX_FILES,
    check_consistency,
    expected_month,
    parse_csv,
    person_key,
    referral_key,
    smallest_projection,
)
from tests.services.test_statistics_exact import build as build_exact_office

PASSWORD = "mot-de-passe-proprietes"


def _new_office(folder: Path, *, is_demo: bool) -> OfficeHandle:
    handle, _ = office_service.create_office(
        folder / "office.baomdb", commune_code=demo.DEMO_COMMUNE, office_name="BAOM Propriétés (fictif)",
        admin_login="admin", admin_name="Admin Fictif", admin_password=PASSWORD, is_demo=is_demo,
    )  # fmt: skip
    return handle


def _months_back(count: int) -> Period:
    period = last_complete_month(office_today())
    for _ in range(count):
        period = period.previous()
    return period


def _withdraw(handle: OfficeHandle, picks: Sequence[tuple[int, bool]], period: Period) -> None:
    """Withdraw the statistics consent of some persons, some of whom give it again.

    The first pick is among the persons with a referral in the month, so that leaving out
    a withdrawn person's referrals is put to the test too; the others among everybody.
    """
    s, e = period.start, period.end
    with handle.transaction() as session:
        active = list(
            session.execute(
                select(Consent.id, Consent.person_id, Consent.given_on)
                .where(Consent.purpose == "statistics", Consent.withdrawn_on.is_(None))
                .order_by(Consent.id)
            ).all()
        )
        referred = set(
            session.scalars(
                select(Case.person_id)
                .join(Referral, Referral.case_id == Case.id)
                .where(Referral.sent_on.between(s, e) | ((Referral.sent_on < s) & (Referral.closed_on.is_(None))))
            )
        )
    with_referral = [row for row in active if row[1] in referred]
    done: set[int] = set()
    for n, (position, again) in enumerate(picks):
        among = with_referral if n == 0 and with_referral else active
        if not among:
            return
        consent_id, person_id, given_on = among[position % len(among)]
        if person_id in done:
            continue
        done.add(person_id)
        cases.withdraw_consent(handle, consent_id, given_on)
        if again:
            cases.give_consent(handle, person_id, "statistics", min(office_today(), date(given_on.year + 1, 1, 1)))


def check_extract(handle: OfficeHandle, period: Period, out: Path) -> tuple[extract.Extract, ReadExtract]:
    """Build, write and read back one month; every property the specification states."""
    built = extract.build_extract(handle, period)
    written = extract.write_extract(handle, built, out / f"{built.stem}.zip")
    public = extract_keys.office_public_key(handle).public_key
    with handle.transaction() as session:
        secret = extract_keys.secret_in(session, extract_keys.PSEUDONYM).value
        month = expected_month(session, period)

    # the regional reader accepts it and reads the very rows written
    read = read_extract(written, {demo.DEMO_COMMUNE: [RegisteredKey(public)]}, datetime.now(UTC))
    assert read.period == period.key() and read.manifest_sha256 == built.manifest_sha256
    assert read.persons == [tuple(r) for r in built.persons]
    assert read.referrals == [tuple(r) for r in built.referrals]
    assert read.indicators == [tuple(r) for r in built.indicators]

    # signed manifest, checksums and row counts of the files as written
    assert tuple(built.files) == SIX_FILES
    manifest_bytes = built.files["manifest.json"]
    signature = base64.b64decode(built.files["manifest.sig"].removesuffix(b"\r\n"), validate=True)
    Ed25519PublicKey.from_public_bytes(public).verify(signature, extract_keys.MANIFEST_TAG + manifest_bytes)
    for name, entry in built.manifest["files"].items():
        assert entry["sha256"] == hashlib.sha256(built.files[name]).hexdigest(), name
        if name.endswith(".csv"):
            assert entry["rows"] == len(parse_csv(built.files[name])[1]), name

    # k = 5 on every combination of the quasi-identifiers
    if built.persons:
        smallest, subset = smallest_projection(built.persons)
        assert smallest >= 5, subset
        assert built.smallest_class >= 5
    else:
        assert built.smallest_class == 0

    # withdrawn persons: no key, no referral
    blob = b"".join(built.files[n] for n in ("persons.csv", "referrals.csv"))
    assert [p for p in month.excluded if person_key(secret, p).encode() in blob] == []
    with handle.transaction() as session:
        theirs = session.scalars(
            select(Referral.id).join(Case, Case.id == Referral.case_id).where(Case.person_id.in_(month.excluded))
        ).all()
    assert [r for r in theirs if referral_key(secret, r).encode() in blob] == []

    # the files agree with each other, and with the records
    assert check_consistency(built.manifest, built.persons, built.referrals, built.indicators) == []
    persons, referrals, reference = month.expected(secret)
    assert [list(r) for r in built.persons] == persons
    assert [list(r) for r in built.referrals] == referrals
    counts = built.manifest["persons"]
    assert counts["population"] == len(month.persons)
    assert counts["suppressed"] == len(reference.suppressed) and counts["generalised"] == reference.generalised
    totals = {r[0]: r for r in built.indicators if r[2] == "total"}
    assert [i.code for i in INDICATORS] == list(totals)
    assert int(totals["people_received"][4]) == len(month.received)
    assert sum(row[0] == "1" for row in month.persons.values()) == len(month.received)
    return built, read


@settings(
    max_examples=5, deadline=None, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
@given(
    seed=st.integers(0, 2**20),
    size=st.integers(40, 250),
    back=st.integers(0, 6),
    picks=st.lists(st.tuples(st.integers(0, 10**6), st.booleans()), min_size=1, max_size=6),
)
def test_the_extract_of_any_office_holds(
    tmp_path_factory: pytest.TempPathFactory, seed: int, size: int, back: int, picks: list[tuple[int, bool]]
) -> None:
    folder = tmp_path_factory.mktemp("random_office")
    with _new_office(folder, is_demo=True) as handle:
        demo.fill_demo(handle, cases=size, seed=seed)
        period = _months_back(back)
        _withdraw(handle, picks, period)
        built, _ = check_extract(handle, period, folder)
        assert built.manifest["persons"]["population"] > 0


def test_the_hand_built_office_of_the_exact_statistics(tmp_path: Path) -> None:
    """Ten persons, reopenings, closures in the month, a withdrawal and a consent given again."""
    with _new_office(tmp_path, is_demo=False) as handle:
        office = build_exact_office(handle)
        with handle.transaction() as session:
            secret = extract_keys.secret_in(session, extract_keys.PSEUDONYM).value
        p3 = cases.get_case(handle, office.case["C3"]).person_id
        # September: P1, P6, P7, P8 had a case open (P3 withdrew); October: P1, P2, P4 (consent given
        # again), P5, P6, P7, P8, P10 — not P3, nor P9 (first seen in November)
        for period, population in ((Period.month(2026, 9), 4), (Period.month(2026, 10), 8)):
            built, _ = check_extract(handle, period, tmp_path)
            assert built.manifest["persons"]["population"] == population
            blob = b"".join(built.files[n] for n in ("persons.csv", "referrals.csv", "indicators.csv"))
            assert person_key(secret, p3).encode() not in blob
        received = next(r for r in built.indicators if r[0] == "people_received" and r[2] == "total")
        assert received[4] == "7"  # test_statistics_exact counts 8 inside the office; P3 withdrew


def test_an_office_with_nobody_writes_headers_and_zero_totals(tmp_path: Path) -> None:
    with _new_office(tmp_path, is_demo=False) as handle:
        built, read = check_extract(handle, _months_back(0), tmp_path)
    assert built.persons == [] and built.referrals == [] and read.persons == []
    assert built.manifest["persons"] == {"population": 0, "written": 0, "suppressed": 0, "generalised": 0}
    totals = [r for r in built.indicators if r[2] == "total"]
    assert len(totals) == len(built.indicators) == len(INDICATORS)
    assert all(r[4] in ("0", "") and r[5] in ("", "0") for r in totals)
