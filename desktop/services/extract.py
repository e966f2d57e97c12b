"""The office's anonymised monthly extract for the regional secretariat (docs/extract-format.md).

``build_extract`` reads the month in one transaction and returns every byte that will
leave the office, with what the preview shows; ``write_extract`` writes those very bytes
to a ZIP or a folder, all or nothing, and audits it. Nothing is written in between: the
preview is the extract.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import hashlib
import io
import logging
import os
import shutil
import tempfile
import zipfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from desktop import __version__
from desktop.db.files import atomic_write_bytes, fsync_dir
from desktop.db.models import Office, Provider
from desktop.domain import extract_format as fmt
from desktop.domain.audit import AuditAction, RecordType
from desktop.domain.codelists import VULNERABILITY_CRITERIA
from desktop.domain.errors import DiskFull, InputRejected
from desktop.domain.indicators import DIMENSION_VALUES, INDICATORS, Audience, Figure, Unit
from desktop.domain.office_kinds import OFFICE_KIND
from desktop.domain.periods import Period
from desktop.domain.referrals import office_today
from desktop.domain.users import Role
from desktop.i18n import resources_dir
from desktop.services import extract_keys as keys
from desktop.services import extract_sql as q
from desktop.services import statistics
from desktop.services.extract_consistency import check_consistency, check_k_anonymity
from desktop.services.extract_csv_checks import check_tables
from desktop.services.extract_problems import Stop
from desktop.services.office import OfficeHandle

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Extract:
    """One month's extract: its files, byte for byte, and the figures of its preview."""

    commune_code: str
    period: Period
    files: Mapping[str, bytes]  # the six files of docs/extract-format.md §1
    manifest: Mapping[str, Any]
    persons: Sequence[Sequence[str]]  # the rows written, in PERSON_COLUMNS order
    referrals: Sequence[Sequence[str]]
    indicators: Sequence[Sequence[str]]
    smallest_class: int  # size of the smallest QI class written (0 when no row)

    @property
    def stem(self) -> str:
        return fmt.file_name(self.commune_code, self.period.key())

    @property
    def manifest_sha256(self) -> str:
        return hashlib.sha256(self.files[fmt.MANIFEST]).hexdigest()

    def count(self, group: str, name: str) -> int:
        return int(self.manifest[group][name])


def descriptor_bytes() -> bytes:
    return (resources_dir() / "extract" / fmt.DESCRIPTOR).read_bytes()


def person_rows_in(session: Session, secret: bytes, period: Period) -> tuple[list[list[str]], list[int]]:
    """Rows at their finest level (PERSON_COLUMNS order) and the person id of each."""
    rows: list[list[str]] = []
    ids: list[int] = []
    params = {"s": period.start.isoformat(), "e": period.end.isoformat()}
    person_key = keys.pseudonymiser(secret, "person")
    for pid, received, first, category, sex, age, nationality, residence, stage, level, criteria in session.execute(
        text(q.PERSON_ROWS), params
    ):
        ticked = set(str(criteria).split("|"))
        flags = ["1" if c in ticked else "0" for c in VULNERABILITY_CRITERIA]
        row = [person_key(int(pid)), "1" if received else "0", str(first), category, sex, age, nationality, residence]
        rows.append([*row, stage, level, *flags])
        ids.append(int(pid))
    return rows, ids


def referral_rows_in(
    session: Session, secret: bytes, period: Period, written_persons: set[int]
) -> tuple[list[list[str]], int]:
    """Rows in REFERRAL_COLUMNS order, and how many lost their person's key to suppression."""
    rows: list[list[str]] = []
    blanked = 0
    params = {"s": period.start.isoformat(), "e": period.end.isoformat()}
    person_key, referral_key = keys.pseudonymiser(secret, "person"), keys.pseudonymiser(secret, "referral")
    for rid, pid, direction, month, domain, kind, urgency, state, overdue, outcome, counter, days in session.execute(
        text(q.REFERRALS), params
    ):
        named = person_key(int(pid)) if pid in written_persons else ""
        blanked += named == ""
        rows.append(
            [
                referral_key(int(rid)), named, direction, month, domain, kind, urgency,
                state, "1" if overdue else "0", outcome or "", counter or "", fmt.number(days),
            ]
        )  # fmt: skip
    rows.sort(key=lambda r: r[0])
    return rows, blanked


def _keys_in_order(dimension: str, found: Mapping[str, Any], uids: Mapping[str, str]) -> list[tuple[str, str]]:
    """(key as found, key as written) in code-list order; providers by uid, then ``none``."""
    if dimension == "provider":
        named = sorted((uids[k], k) for k in found if k in uids)
        return [(k, uid) for uid, k in named] + [(k, "none") for k in found if k not in uids]
    unknown = set(found) - set(DIMENSION_VALUES[dimension])
    if unknown:  # input is validated against the code lists: a stray code is a damaged record
        raise InputRejected("extract.error.unknown_code", dimension=dimension, code=sorted(unknown)[0])
    return [(k, k) for k in DIMENSION_VALUES[dimension] if k in found]


def _figure_rows(figure: Figure, unit: Unit, breakdowns: Sequence[str], uids: Mapping[str, str]) -> list[list[str]]:
    def cells(value: float | None, base: int | None) -> tuple[str, str]:
        if unit is Unit.RATE:  # the numerator, so that communes add up
            base = base or 0
            return fmt.number(round((value or 0) * base)), str(base)
        if unit is Unit.DAYS:
            return fmt.number(value if base else None), str(base or 0)
        return fmt.number(int(value or 0)), ""

    rows = [[figure.code, unit.value, "total", "total", *cells(figure.value, figure.base)]]
    for dimension in breakdowns:
        found = figure.breakdowns.get(dimension, {})
        bases = figure.bases.get(dimension, {})
        for key, written in _keys_in_order(dimension, found, uids):
            value, base = cells(found[key], bases.get(key))
            if value in ("0", "") and base in ("0", ""):
                continue  # a missing row means 0
            rows.append([figure.code, unit.value, dimension, written, value, base])
    return rows


def _indicator_rows(session: Session, period: Period) -> list[list[str]]:
    statistics.prepare(session, Audience.OUTSIDE)
    snapshot = statistics.snapshot_in(session, period, Audience.OUTSIDE)
    ids = [int(k) for k in snapshot.figures["provider_answer_rate"].breakdowns.get("provider", {}) if k.isdigit()]
    uids = {str(i): uid for i, uid in session.execute(select(Provider.id, Provider.uid).where(Provider.id.in_(ids)))}
    rows: list[list[str]] = []
    for indicator in INDICATORS:
        rows += _figure_rows(snapshot.figures[indicator.code], indicator.unit, indicator.breakdowns, uids)
    return rows


def _file_entry(data: bytes, rows: int | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"sha256": hashlib.sha256(data).hexdigest()}
    if rows is not None:
        entry["rows"] = rows
    return entry


def _self_check(period: Period, files: Mapping[str, bytes], manifest: Mapping[str, Any]) -> None:
    """The secretariat's checks 8–10, run before signing: the office never sends what the region refuses."""
    try:
        tables = check_tables(files, manifest, newer=False)
        check_consistency(tables, manifest, newer=False)
        check_k_anonymity(tables[fmt.PERSONS], manifest)
    except Stop as refusal:
        log.error("extract of %s fails its own checks: %s", period.key(), [p.code for p in refusal.problems][:10])
        raise InputRejected("extract.error.self_check", reason=refusal.problems[0].message()) from None


def build_extract(handle: OfficeHandle, period: Period, *, now: datetime | None = None) -> Extract:
    """Every byte of the month's extract (supervisors and admins; the month must be over)."""
    handle.require(Role.SUPERVISOR)
    if not period.is_month:
        raise InputRejected("extract.error.not_a_month")
    if period.end >= office_today(now):
        raise InputRejected("extract.error.month_not_over", month=period.key())
    generated_at = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    with handle.transaction() as session:
        office = session.scalars(select(Office)).one()
        if office.kind != OFFICE_KIND:
            raise InputRejected("extract.error.not_an_office")
        secret = keys.secret_in(session, keys.PSEUDONYM).value
        seed = keys.secret_in(session, keys.SIGNING).value
        finest, person_ids = person_rows_in(session, secret, period)
        result = fmt.anonymise(finest)
        written_ids = {pid for i, pid in enumerate(person_ids) if i not in result.suppressed}
        referral_rows, blanked = referral_rows_in(session, secret, period, written_ids)
        indicator_rows = _indicator_rows(session, period)
        handle.audit(session, AuditAction.VIEWED, RecordType.STATISTICS, period.key(), "extract preview")
        commune_code = office.commune_code
    person_rows = sorted(result.written, key=lambda r: r[0])
    files = {
        fmt.DESCRIPTOR: descriptor_bytes(),
        fmt.PERSONS: fmt.csv_bytes(fmt.PERSON_COLUMNS, person_rows),
        fmt.REFERRALS: fmt.csv_bytes(fmt.REFERRAL_COLUMNS, referral_rows),
        fmt.INDICATORS: fmt.csv_bytes(fmt.INDICATOR_COLUMNS, indicator_rows),
    }
    manifest: dict[str, Any] = {
        "format": fmt.FORMAT,
        "schema_version": fmt.SCHEMA_VERSION,
        "schema_release": fmt.SCHEMA_RELEASE,
        "commune_code": commune_code,
        "period": period.key(),
        "generated_at": fmt.utc_text(generated_at),
        "app_version": __version__,
        "signing_key": keys.fingerprint(keys.public_key_of(seed)),
        "key_series": keys.key_series(secret),
        "k": fmt.K,
        "persons": {
            "population": len(finest),
            "written": len(person_rows),
            "suppressed": len(result.suppressed),
            "generalised": result.generalised,
        },
        "referrals": {"written": len(referral_rows), "person_key_blanked": blanked},
        "files": {
            fmt.DESCRIPTOR: _file_entry(files[fmt.DESCRIPTOR], None),
            fmt.INDICATORS: _file_entry(files[fmt.INDICATORS], len(indicator_rows)),
            fmt.PERSONS: _file_entry(files[fmt.PERSONS], len(person_rows)),
            fmt.REFERRALS: _file_entry(files[fmt.REFERRALS], len(referral_rows)),
        },
    }
    _self_check(period, files, manifest)
    manifest_bytes = fmt.canonical(manifest)
    signature = base64.b64encode(keys.sign(seed, manifest_bytes)) + b"\r\n"
    ordered = {fmt.MANIFEST: manifest_bytes, fmt.SIGNATURE: signature, **files}
    sizes = Counter(fmt.qi_tuple(r) for r in person_rows)
    return Extract(
        commune_code, period, {name: ordered[name] for name in fmt.FILES}, manifest,
        person_rows, referral_rows, indicator_rows, min(sizes.values(), default=0),
    )  # fmt: skip


def zip_bytes(extract: Extract) -> bytes:
    """The ZIP of §1: the six files at its root, deflated, with a fixed date (same bytes, same ZIP)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in extract.files.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return out.getvalue()


def _write_folder(target: Path, files: Mapping[str, bytes]) -> None:
    """The six files in ``target``, which appears whole or not at all (an older one is replaced)."""
    old = target.with_name(f".{target.name}.old")
    if old.is_dir() and not target.exists():  # a crash between the two renames of an earlier write
        os.replace(old, target)
    building = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for name, data in files.items():
            with open(building / name, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            os.replace(target, old)
        os.replace(building, target)
        fsync_dir(target.parent)
    except OSError as exc:
        shutil.rmtree(building, ignore_errors=True)
        if old.is_dir() and not target.exists():
            with contextlib.suppress(OSError):
                os.replace(old, target)
        if exc.errno == errno.ENOSPC:
            raise DiskFull() from exc
        raise
    shutil.rmtree(old, ignore_errors=True)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()


def write_extract(handle: OfficeHandle, extract: Extract, out: Path) -> Path:
    """Write the extract to ``out``: a ``.zip`` file, or a folder in which its own folder is made.

    Returns what was written. All or nothing; audited with the manifest's SHA-256 only.
    """
    handle.require(Role.SUPERVISOR)
    as_zip = out.suffix.lower() == ".zip"
    folder = out.parent if as_zip else out
    if not folder.is_dir():
        raise InputRejected("extract.error.folder_missing", path=str(folder))
    written = out if as_zip else out / extract.stem
    done = False
    try:  # audited in the transaction that sees it written: no extract leaves unaudited
        with handle.transaction() as session:
            detail = f"extract {extract.manifest_sha256}"
            handle.audit(session, AuditAction.EXPORTED, RecordType.STATISTICS, extract.period.key(), detail)
            if as_zip:
                atomic_write_bytes(out, zip_bytes(extract))
            else:
                _write_folder(written, extract.files)
            done = True
    except BaseException:
        if done:  # written, but its audit could not be kept
            _remove(written)
        raise
    return written
