"""The regional secretariat: its database, the offices it registers, the extracts it imports.

A regional database is an office database of kind ``region`` whose ``commune_code`` is the
region's code (``09.``). The secretariat registers each commune's office with the public
key file of docs/extract-format.md §9, then imports the monthly extracts: each one is
verified whole by :mod:`desktop.services.extract_reader` (no database), then stored in one
transaction (§11, *Storing*): the same manifest again changes nothing, an older extract is
refused unless confirmed, a newer one replaces the stored month, never doubling it.

The rows go in with the driver's ``executemany`` on plain tuples: at a million
person-months the ORM would cost more than the verification itself.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.orm import Session

from desktop import i18n
from desktop.db.models import (
    RegionImport,
    RegionIndicator,
    RegionOffice,
    RegionOfficeKey,
    RegionPerson,
    RegionReferral,
    utcnow,
)
from desktop.domain.audit import AuditAction, RecordType
from desktop.domain.codelists import VULNERABILITY_CRITERIA
from desktop.domain.errors import BaomError, InputRejected
from desktop.domain.extract_format import (
    INDICATOR_COLUMNS,
    MANIFEST,
    PERSON_COLUMNS,
    REFERRAL_COLUMNS,
    VULN_COLUMNS,
)
from desktop.domain.geography import geography
from desktop.domain.periods import Period, add_months
from desktop.domain.referrals import OFFICE_TIME_ZONE
from desktop.domain.regional import LATE_DAY
from desktop.domain.users import Role
from desktop.i18n import tr
from desktop.services import extract_reader
from desktop.services.extract_keys import OfficePublicKey, fingerprint
from desktop.services.extract_problems import Problem
from desktop.services.extract_reader import RegisteredKey
from desktop.services.office import OfficeHandle, create_office, office_info

REGION_KIND = "region"
# An extract is on time when it arrives by this day of the following month (office date).
KEY_FILE_MAX_BYTES = 16 * 1024
KEY_FILE_TITLE = "BAOM office public key"
KEY_FILE_FIELDS = ("format", "commune_code", "office_name", "algorithm", "public_key", "fingerprint", "created")

Progress = Callable[[int, int], None]


# ---- the regional database


def create_region(
    path: Path, *, region_code: str, name: str, admin_login: str, admin_name: str, admin_password: str
) -> tuple[OfficeHandle, str]:
    """Create an encrypted regional database and its first admin; return it and the recovery code."""
    code = normalise_region_code(region_code)
    try:
        region = geography().region(code)
    except KeyError:
        raise InputRejected("region.error.region_unknown", code=region_code[:20]) from None
    return create_office(
        path,
        commune_code=region.code,
        office_name=name.strip() or tr("region.default_name", region=region.name_fr),
        admin_login=admin_login,
        admin_name=admin_name,
        admin_password=admin_password,
        kind=REGION_KIND,
    )


def normalise_region_code(text: str) -> str:
    """``09`` as typed is the region ``09.``."""
    code = text.strip()
    return code if code.endswith(".") else code + "."


def region_code(handle: OfficeHandle) -> str:
    """The region of a regional database; any other database is refused."""
    info = office_info(handle)
    if info.kind != REGION_KIND:
        raise InputRejected("region.error.not_regional")
    return info.commune_code


def is_regional(handle: OfficeHandle) -> bool:
    return office_info(handle).kind == REGION_KIND


# ---- the office public key file (§9)


def parse_key_file(text: str) -> OfficePublicKey:
    """A key file as the office writes it, checked line by line; InputRejected says what is wrong."""
    text = text.removeprefix("\ufeff")  # Notepad adds one
    lines = text.replace("\r\n", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines or lines[0].strip() != KEY_FILE_TITLE:
        raise InputRejected("region.key.title")
    values: dict[str, str] = {}
    for number, line in enumerate(lines[1:], start=2):
        name, sep, value = line.partition(":")
        name = name.strip()
        if not sep or name not in KEY_FILE_FIELDS:
            raise InputRejected("region.key.line", line=number)
        if name in values:
            raise InputRejected("region.key.twice", field=name)
        values[name] = value.strip()
    for name in KEY_FILE_FIELDS:
        if not values.get(name):
            raise InputRejected("region.key.missing", field=name)
    if values["format"] != "1":
        raise InputRejected("region.key.format", found=values["format"][:20])
    if values["algorithm"] != "Ed25519":
        raise InputRejected("region.key.algorithm", found=values["algorithm"][:20])
    try:
        public_key = base64.b64decode(values["public_key"], validate=True)
    except (binascii.Error, ValueError):
        raise InputRejected("region.key.not_base64") from None
    if len(public_key) != 32:
        raise InputRejected("region.key.length", found=len(public_key))
    expected = fingerprint(public_key)
    if _fingerprint_text(values["fingerprint"]) != _fingerprint_text(expected):
        raise InputRejected("region.key.fingerprint", found=values["fingerprint"][:60], expected=expected)
    commune_code = values["commune_code"]
    try:
        geography().commune(commune_code)
    except KeyError:
        raise InputRejected("region.key.commune_unknown", code=commune_code[:20]) from None
    try:
        created = date.fromisoformat(values["created"])
    except ValueError:
        raise InputRejected("region.key.created", found=values["created"][:20]) from None
    return OfficePublicKey(commune_code, values["office_name"][:200], public_key, created)


def key_file_text(path: Path) -> str:
    """The text of a key file (UTF-8, small), for :func:`parse_key_file` and :func:`add_office`."""
    try:
        if path.stat().st_size > KEY_FILE_MAX_BYTES:
            raise InputRejected("region.key.too_large")
        data = path.read_bytes()
    except OSError:
        raise InputRejected("region.key.unreadable", path=str(path)) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputRejected("region.key.encoding") from None


def _fingerprint_text(text: str) -> str:
    return re.sub(r"\s+", "", text).upper()


# ---- registered offices


class Registration(StrEnum):
    REGISTERED = "registered"  # a new office and its key
    KEY_ADDED = "key_added"  # a further key for an office already registered
    ALREADY = "already"  # this key was registered: nothing changed


@dataclass(frozen=True)
class AddOfficeResult:
    commune_code: str
    fingerprint: str
    outcome: Registration


@dataclass(frozen=True)
class KeyInfo:
    fingerprint: str
    created: date
    registered_at: datetime
    revoked_from: datetime | None


@dataclass(frozen=True)
class RegisteredOffice:
    commune_code: str
    name: str
    registered_at: datetime
    keys: tuple[KeyInfo, ...]


def add_office(handle: OfficeHandle, commune_code: str, key_text: str) -> AddOfficeResult:
    """Register a commune's office with its public key (or a new key of an office already known)."""
    region = region_code(handle)
    handle.require(Role.SUPERVISOR)
    key = parse_key_file(key_text)
    commune_code = commune_code.strip()
    if key.commune_code != commune_code:
        raise InputRejected("region.error.commune_mismatch", code=commune_code[:20], found=key.commune_code)
    if not commune_code.startswith(region):
        raise InputRejected("region.error.outside_region", code=commune_code, region=region)
    now = utcnow()
    with handle.transaction() as session:
        elsewhere = session.scalar(
            select(RegionOfficeKey.commune_code).where(
                RegionOfficeKey.public_key == key.public_key, RegionOfficeKey.commune_code != commune_code
            )
        )
        if elsewhere is not None:
            raise InputRejected("region.error.key_elsewhere", code=elsewhere)
        office = session.get(RegionOffice, commune_code)
        known = session.scalar(
            select(RegionOfficeKey.id).where(
                RegionOfficeKey.commune_code == commune_code, RegionOfficeKey.public_key == key.public_key
            )
        )
        if known is not None:
            return AddOfficeResult(commune_code, key.fingerprint, Registration.ALREADY)
        if office is None:
            session.add(RegionOffice(commune_code=commune_code, name=key.office_name, registered_at=now))
            outcome = Registration.REGISTERED
        else:
            office.name = key.office_name
            outcome = Registration.KEY_ADDED
        session.flush()
        session.add(
            RegionOfficeKey(
                commune_code=commune_code,
                public_key=key.public_key,
                fingerprint=key.fingerprint,
                created=key.created,
                registered_at=now,
            )
        )
        action = AuditAction.CREATED if outcome is Registration.REGISTERED else AuditAction.CHANGED
        handle.audit(session, action, RecordType.REGION_OFFICE, commune_code, f"key {key.fingerprint}")
    return AddOfficeResult(commune_code, key.fingerprint, outcome)


def revoke_key(handle: OfficeHandle, commune_code: str, key_fingerprint: str, from_date: date | datetime) -> None:
    """The key no longer verifies extracts generated from ``from_date`` (a date: from its start, office time)."""
    region_code(handle)
    handle.require(Role.SUPERVISOR)
    if isinstance(from_date, datetime):
        if from_date.tzinfo is None:
            raise ValueError("naive datetime")
        revoked_from = from_date.astimezone(UTC)
    else:
        revoked_from = datetime.combine(from_date, time(), OFFICE_TIME_ZONE).astimezone(UTC)
    wanted = _fingerprint_text(key_fingerprint)
    with handle.transaction() as session:
        keys = session.scalars(select(RegionOfficeKey).where(RegionOfficeKey.commune_code == commune_code.strip()))
        found = next((k for k in keys if _fingerprint_text(k.fingerprint) == wanted), None)
        if found is None:
            raise InputRejected("region.error.key_not_found", code=commune_code.strip()[:20])
        found.revoked_from = revoked_from
        detail = f"key {found.fingerprint} revoked from {revoked_from.isoformat(timespec='seconds')}"
        handle.audit(session, AuditAction.CHANGED, RecordType.REGION_OFFICE, found.commune_code, detail)


def offices(handle: OfficeHandle) -> list[RegisteredOffice]:
    """The registered communes, by code, each with its keys (oldest first)."""
    region_code(handle)
    handle.require(Role.OFFICER)
    with handle.transaction() as session:
        keys: dict[str, list[KeyInfo]] = {}
        for k in session.scalars(select(RegionOfficeKey).order_by(RegionOfficeKey.registered_at, RegionOfficeKey.id)):
            keys.setdefault(k.commune_code, []).append(
                KeyInfo(k.fingerprint, k.created, k.registered_at, k.revoked_from)
            )
        return [
            RegisteredOffice(o.commune_code, o.name, o.registered_at, tuple(keys.get(o.commune_code, ())))
            for o in session.scalars(select(RegionOffice).order_by(RegionOffice.commune_code))
        ]


def _registered_keys(session: Session) -> dict[str, list[RegisteredKey]]:
    keys: dict[str, list[RegisteredKey]] = {}
    for commune, public_key, revoked_from in session.execute(
        select(RegionOfficeKey.commune_code, RegionOfficeKey.public_key, RegionOfficeKey.revoked_from)
    ):
        keys.setdefault(commune, []).append(RegisteredKey(bytes(public_key), revoked_from))
    return keys


# ---- importing extracts


class Outcome(StrEnum):
    IMPORTED = "imported"
    REPLACED = "replaced"
    ALREADY = "already"
    REJECTED = "rejected"


@dataclass(frozen=True)
class ExtractOutcome:
    """What became of one extract. ``problems``: why it was rejected; ``warnings``: imported, but…"""

    source: Path
    outcome: Outcome
    commune_code: str = ""
    period: str = ""
    manifest_sha256: str = ""
    persons: int = 0
    referrals: int = 0
    indicators: int = 0
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class ImportSummary:
    outcomes: tuple[ExtractOutcome, ...] = field(default_factory=tuple)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for o in self.outcomes if o.outcome is outcome)

    @property
    def imported(self) -> int:
        return self.count(Outcome.IMPORTED)

    @property
    def replaced(self) -> int:
        return self.count(Outcome.REPLACED)

    @property
    def already(self) -> int:
        return self.count(Outcome.ALREADY)

    @property
    def rejected(self) -> int:
        return self.count(Outcome.REJECTED)


def expand_sources(sources: Iterable[Path]) -> list[Path]:
    """The extracts named: a .zip file; a folder holding ``manifest.json`` is one extract; any other
    folder gives its .zip files and its sub-folders holding ``manifest.json``, sorted by name."""
    found: list[Path] = []
    for source in sources:
        if source.is_dir() and not (source / MANIFEST).is_file():
            found.extend(
                sorted(
                    (
                        child
                        for child in source.iterdir()
                        if (child.is_file() and child.suffix.lower() == ".zip")
                        or (child.is_dir() and (child / MANIFEST).is_file())
                    ),
                    key=lambda p: p.name,
                )
            )
        else:
            found.append(source)  # a file, or a missing path: the reader says why it is not an extract
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def import_extracts(
    handle: OfficeHandle,
    sources: Sequence[Path],
    *,
    now: datetime | None = None,
    progress: Progress | None = None,
    confirm_older: bool = False,
) -> ImportSummary:
    """Verify and store each extract, all or nothing per extract; a rejected one changes nothing."""
    region_code(handle)
    handle.require(Role.SUPERVISOR)
    now = now or utcnow()
    paths = expand_sources(sources)
    if not paths:
        raise InputRejected("region.error.no_extract")
    with handle.transaction() as session:
        keys = _registered_keys(session)
    outcomes: list[ExtractOutcome] = []
    if progress:
        progress(0, len(paths))
    for done, path in enumerate(paths, start=1):
        try:
            read = extract_reader.read_extract(path, keys, now)
        except extract_reader.ExtractRejected as exc:
            outcomes.append(ExtractOutcome(path, Outcome.REJECTED, problems=tuple(exc.problems)))
        else:
            try:
                outcomes.append(_store(handle, read, now, confirm_older))
            except BaomError as exc:  # a full disk: this extract is not stored, the run stops here
                failed = Problem("import.failed", params={"why": i18n.error_text(exc)})
                outcomes.append(ExtractOutcome(path, Outcome.REJECTED, problems=(failed,)))
                break
        if progress:
            progress(done, len(paths))
    return ImportSummary(tuple(outcomes))


def _store(
    handle: OfficeHandle, read: extract_reader.ReadExtract, now: datetime, confirm_older: bool
) -> ExtractOutcome:
    """§11 *Storing*, in one transaction."""
    commune, period, sha = read.commune_code, read.period, read.manifest_sha256

    def told(
        outcome: Outcome, problems: tuple[Problem, ...] = (), warnings: tuple[Problem, ...] = ()
    ) -> ExtractOutcome:
        rows = (len(read.persons), len(read.referrals), len(read.indicators))
        return ExtractOutcome(read.source, outcome, commune, period, sha, *rows, problems, warnings)

    with handle.transaction() as session:
        stored = session.execute(
            select(
                RegionImport.id, RegionImport.manifest_sha256, RegionImport.generated_at, RegionImport.first_imported_at
            ).where(RegionImport.commune_code == commune, RegionImport.period == period)
        ).one_or_none()
        if stored is not None and stored.manifest_sha256 == sha:
            return told(Outcome.ALREADY)
        if stored is not None and read.generated_at < stored.generated_at and not confirm_older:
            older = Problem(
                "import.older",
                file=MANIFEST,
                field="generated_at",
                params={"found": _utc_text(read.generated_at), "stored": _utc_text(stored.generated_at)},
            )
            return told(Outcome.REJECTED, (older,))
        series_before = session.scalars(  # of the latest month before this one: one warning per change of keys
            select(RegionImport.key_series)
            .where(RegionImport.commune_code == commune, RegionImport.period < period)
            .order_by(RegionImport.period.desc())
            .limit(1)
        ).first()
        warnings: tuple[Problem, ...] = ()
        if series_before is not None and series_before != read.key_series:
            warnings = (Problem("import.key_series", file=MANIFEST, field="key_series"),)
        conn = session.connection()
        first_imported_at = now
        if stored is not None:
            first_imported_at = min(now, stored.first_imported_at)
            _delete_import(conn, stored.id)
        import_id = _insert_import(conn, read, now, first_imported_at, handle.actor.login)
        _insert_rows(conn, import_id, read)
        outcome = Outcome.IMPORTED if stored is None else Outcome.REPLACED
        detail = f"{outcome.value} {period} manifest sha256 {sha}"
        handle.audit(session, AuditAction.IMPORTED, RecordType.REGION_IMPORT, commune, detail)
    return told(outcome, warnings=warnings)


def _utc_text(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _delete_import(conn: Connection, import_id: int) -> None:
    # Rows first, through their import index (the foreign keys would cascade the same way).
    for table in (RegionPerson, RegionReferral, RegionIndicator):
        conn.execute(delete(table).where(table.import_id == import_id))
    conn.execute(delete(RegionImport).where(RegionImport.id == import_id))


def _insert_import(
    conn: Connection, read: extract_reader.ReadExtract, now: datetime, first_imported_at: datetime, login: str
) -> int:
    m = read.manifest
    persons: Mapping[str, Any] = m["persons"]
    referrals: Mapping[str, Any] = m["referrals"]
    result = conn.execute(
        insert(RegionImport).values(
            commune_code=read.commune_code,
            period=read.period,
            manifest_sha256=read.manifest_sha256,
            generated_at=read.generated_at,
            imported_at=now,
            first_imported_at=first_imported_at,
            imported_by=login,
            signing_key=str(m["signing_key"]),
            key_series=read.key_series,
            app_version=str(m["app_version"])[:32],
            schema_version=int(m["schema_version"]),
            schema_release=str(m["schema_release"])[:16],
            k=int(m["k"]),
            persons_population=int(persons["population"]),
            persons_written=int(persons["written"]),
            persons_suppressed=int(persons["suppressed"]),
            persons_generalised=int(persons["generalised"]),
            referrals_written=int(referrals["written"]),
            referrals_person_key_blanked=int(referrals["person_key_blanked"]),
            person_rows=len(read.persons),
            referral_rows=len(read.referrals),
            indicator_rows=len(read.indicators),
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


# Positions in the reader's rows (the columns of the current major, in order).
_P = {name: i for i, name in enumerate(PERSON_COLUMNS)}
_R = {name: i for i, name in enumerate(REFERRAL_COLUMNS)}
_I = {name: i for i, name in enumerate(INDICATOR_COLUMNS)}
_VULN_FIRST = _P[VULN_COLUMNS[0]]
_VULN_END = _VULN_FIRST + len(VULN_COLUMNS)
assert PERSON_COLUMNS[_VULN_FIRST:_VULN_END] == VULN_COLUMNS

_PERSON_SQL = (
    "INSERT INTO region_person (import_id, commune_code, period, person_key, received_in_month, first_reception,"
    " category, sex, age_band, nationality_group, residence, stage, vulnerability_level, vuln_flags)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_REFERRAL_SQL = (
    "INSERT INTO region_referral (import_id, commune_code, period, referral_key, person_key, direction, month_sent,"
    " domain, provider_kind, urgency, state_at_end, overdue_at_end, outcome, counter_month, days_to_counter)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INDICATOR_SQL = (
    "INSERT INTO region_indicator (import_id, commune_code, period, indicator, unit, dimension, key, value, base)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def vuln_flags(flags: Sequence[str]) -> int:
    """The 14 ``vuln_*`` cells (``1``/``0``, criteria order) as one integer: bit *i* = criterion *i*."""
    return int("".join(reversed(flags)), 2) if flags else 0


def criteria_of(flags: int) -> tuple[str, ...]:
    """The criteria ticked in a ``vuln_flags`` integer, in code-list order."""
    return tuple(c for i, c in enumerate(VULNERABILITY_CRITERIA) if flags >> i & 1)


def _insert_rows(conn: Connection, import_id: int, read: extract_reader.ReadExtract) -> None:
    """The extract's rows in three ``executemany`` on tuples (no ORM objects, no per-row SQL)."""
    c, p = read.commune_code, read.period
    first, end = _VULN_FIRST, _VULN_END
    pk, rec, fr, cat, sex, age, nat, res, stg, lvl = (
        _P[n]
        for n in (
            "person_key", "received_in_month", "first_reception", "category", "sex", "age_band",
            "nationality_group", "residence", "stage", "vulnerability_level",
        )
    )  # fmt: skip
    persons = [
        (
            import_id,
            c,
            p,
            r[pk],
            r[rec] == "1",
            r[fr],
            r[cat],
            r[sex],
            r[age],
            r[nat],
            r[res],
            r[stg],
            r[lvl] or None,
            int("".join(r[first:end][::-1]), 2),
        )
        for r in read.persons
    ]
    rk, rpk, dirn, sent, dom, kind, urg, state, over, out, cmonth, days = (
        _R[n]
        for n in (
            "referral_key", "person_key", "direction", "month_sent", "domain", "provider_kind", "urgency",
            "state_at_end", "overdue_at_end", "outcome", "counter_month", "days_to_counter",
        )
    )  # fmt: skip
    referrals = [
        (
            import_id,
            c,
            p,
            r[rk],
            r[rpk] or None,
            r[dirn],
            r[sent],
            r[dom],
            r[kind],
            r[urg],
            r[state],
            r[over] == "1",
            r[out] or None,
            r[cmonth] or None,
            int(r[days]) if r[days] else None,
        )
        for r in read.referrals
    ]
    ind, unit, dim, key, value, base = (_I[n] for n in INDICATOR_COLUMNS)
    indicators = [
        (
            import_id,
            c,
            p,
            r[ind],
            r[unit],
            r[dim],
            r[key],
            float(r[value]) if r[value] else None,
            int(r[base]) if r[base] else None,
        )
        for r in read.indicators
    ]
    for sql, rows in ((_PERSON_SQL, persons), (_REFERRAL_SQL, referrals), (_INDICATOR_SQL, indicators)):
        if rows:
            conn.exec_driver_sql(sql, rows)


# ---- what is stored


@dataclass(frozen=True)
class ImportStatus:
    commune_code: str
    office_name: str
    period: str
    persons: int
    referrals: int
    indicators: int
    generated_at: datetime
    imported_at: datetime
    first_imported_at: datetime
    imported_by: str
    key_series: str
    manifest_sha256: str


def status(handle: OfficeHandle) -> list[ImportStatus]:
    """One row per stored extract, by commune then month: the completeness grid as data."""
    region_code(handle)
    handle.require(Role.OFFICER)
    with handle.transaction() as session:
        rows = session.execute(
            select(RegionImport, RegionOffice.name)
            .join(RegionOffice, RegionOffice.commune_code == RegionImport.commune_code)
            .order_by(RegionImport.commune_code, RegionImport.period)
        ).all()
        return [
            ImportStatus(
                i.commune_code,
                name,
                i.period,
                i.person_rows,
                i.referral_rows,
                i.indicator_rows,
                i.generated_at,
                i.imported_at,
                i.first_imported_at,
                i.imported_by,
                i.key_series,
                i.manifest_sha256,
            )
            for i, name in rows
        ]


class Delivery(StrEnum):
    RECEIVED = "received"  # arrived by the LATE_DAY of the following month
    LATE = "late"  # arrived after it
    MISSING = "missing"  # not arrived, and the day has passed
    PENDING = "pending"  # not arrived, not due yet (the month is not over, or the day has not come)


@dataclass(frozen=True)
class CompletenessRow:
    commune_code: str
    office_name: str
    cells: tuple[Delivery, ...]  # one per month of Completeness.months


@dataclass(frozen=True)
class Completeness:
    months: tuple[str, ...]
    rows: tuple[CompletenessRow, ...]


def due_date(period_key: str) -> date:
    """The last office day an extract of the month arrives on time."""
    year, month = add_months(int(period_key[:4]), int(period_key[5:7]), 1)
    return date(year, month, LATE_DAY)


def completeness(handle: OfficeHandle, first: str, last: str, *, now: datetime | None = None) -> Completeness:
    """Registered communes × months ``first``..``last`` (``YYYY-MM``): received, late, missing or pending."""
    region_code(handle)
    handle.require(Role.OFFICER)
    start, end = Period.parse_month(first), Period.parse_month(last)
    if end.start < start.start:
        raise InputRejected("region.error.months_order")
    months = tuple(f"{d.year:04d}-{d.month:02d}" for d in Period(start.start, end.end).month_starts())
    today = (now or utcnow()).astimezone(OFFICE_TIME_ZONE).date()
    with handle.transaction() as session:
        arrived = {
            (commune, period): at.astimezone(OFFICE_TIME_ZONE).date()
            for commune, period, at in session.execute(
                select(RegionImport.commune_code, RegionImport.period, RegionImport.first_imported_at).where(
                    RegionImport.period >= months[0], RegionImport.period <= months[-1]
                )
            )
        }
        registered = session.execute(select(RegionOffice.commune_code, RegionOffice.name).order_by("commune_code"))
        rows = []
        for commune, name in registered:
            cells = []
            for month in months:
                on = arrived.get((commune, month))
                due = due_date(month)
                if on is not None:
                    cells.append(Delivery.RECEIVED if on <= due else Delivery.LATE)
                else:
                    cells.append(Delivery.MISSING if today > due else Delivery.PENDING)
            rows.append(CompletenessRow(commune, name, tuple(cells)))
    return Completeness(months, tuple(rows))
