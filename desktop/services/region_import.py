"""Importing the communes' monthly extracts into the regional database.

Each extract is verified whole by :mod:`desktop.services.extract_reader` (no database), then
stored in one transaction (docs/extract-format.md §11, *Storing*): the same manifest again
changes nothing, an older extract is refused unless confirmed, a newer one replaces the
stored month, never doubling it.

The rows go in with the driver's ``executemany`` on plain tuples: at a million
person-months the ORM would cost more than the verification itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from desktop import i18n
from desktop.db.models import RegionImport, RegionIndicator, RegionPerson, RegionReferral, utcnow
from desktop.domain.audit import AuditAction, RecordType
from desktop.domain.errors import BaomError, InputRejected
from desktop.domain.extract_format import (
    INDICATOR_COLUMNS,
    MANIFEST,
    PERSON_COLUMNS,
    REFERRAL_COLUMNS,
    VULN_COLUMNS,
    utc_text,
)
from desktop.domain.users import Role
from desktop.services import extract_reader
from desktop.services.extract_problems import Problem
from desktop.services.office import OfficeHandle
from desktop.services.region import region_code
from desktop.services.region_keys import registered_keys

Progress = Callable[[int, int], None]


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
        keys = registered_keys(session)
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
                params={"found": utc_text(read.generated_at), "stored": utc_text(stored.generated_at)},
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
    return int("".join(flags[::-1]), 2) if flags else 0


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
            vuln_flags(r[first:end]),
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
