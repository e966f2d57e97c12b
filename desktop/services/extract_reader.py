"""The regional side of the extract: read one, verify it, or say exactly why it is refused.

docs/extract-format.md §11 is the contract: ten checks in order, each refusal a stable
reason code and a translated sentence naming the file, the line (the header is line 1,
Excel's row number) and the column. Checks 1–7 (container, manifest, schema, office,
signature, checksums, period) are here and stop at the first problem; checks 8–10 collect
up to :data:`~desktop.services.extract_problems.MAX_PROBLEMS` before refusing: the CSV
cells in :mod:`desktop.services.extract_csv_checks`, consistency and k-anonymity in
:mod:`desktop.services.extract_consistency`. Nothing here touches a database; storing is
the region store's business.
"""

from __future__ import annotations

import base64
import binascii
import gc
import hashlib
import json
import re
import stat
import zipfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from desktop.domain.errors import InputRejected
from desktop.domain.extract_format import (
    CSV_FILES,
    DESCRIPTOR,
    FILES,
    FORMAT,
    INDICATORS,
    MANIFEST,
    MAX_FILE_BYTES,
    MAX_TOTAL_BYTES,
    PERSONS,
    REFERRALS,
    SCHEMA_RELEASE,
    SCHEMA_VERSION,
    SIGNATURE,
    canonical,
    utc_text,
)
from desktop.domain.periods import month_end
from desktop.domain.referrals import office_today
from desktop.services.extract_consistency import check_consistency, check_k_anonymity
from desktop.services.extract_csv_checks import check_tables
from desktop.services.extract_keys import MANIFEST_TAG, fingerprint
from desktop.services.extract_problems import Problem, Stop, fragment, shown, stop

MAX_AGE_MONTHS = 36  # an older month is refused (the office offers one month less)
KNOWN_MAJORS: tuple[int, ...] = (SCHEMA_VERSION,)  # the current major (and, later, the one before)
FUTURE_TOLERANCE = timedelta(hours=24)


@dataclass(frozen=True)
class RegisteredKey:
    """A public key the secretariat registered for a commune (after comparing fingerprints)."""

    public_key: bytes  # 32 raw Ed25519 bytes
    revoked_from: datetime | None = None  # aware UTC; the key is invalid for generated_at >= this


class ExtractRejected(InputRejected):
    """The extract is refused as a whole; ``problems`` says why (one for checks 1–7)."""

    def __init__(self, source: Path, problems: Sequence[Problem]) -> None:
        super().__init__("extract.rejected", source=source.name)
        self.source = source
        self.problems: tuple[Problem, ...] = tuple(problems)


@dataclass(frozen=True)
class ReadExtract:
    """A verified extract: the signed manifest and the rows of the three tables (unguarded strings)."""

    source: Path
    manifest: Mapping[str, Any]
    manifest_sha256: str
    commune_code: str
    period: str
    generated_at: datetime  # aware UTC
    key_series: str
    persons: list[tuple[str, ...]]  # PERSON_COLUMNS of the current major
    referrals: list[tuple[str, ...]]  # REFERRAL_COLUMNS
    indicators: list[tuple[str, ...]]  # INDICATOR_COLUMNS


def read_extract(
    source: Path,
    offices: Mapping[str, Sequence[RegisteredKey]],
    now: datetime,
    max_age_months: int = MAX_AGE_MONTHS,
) -> ReadExtract:
    """Read and verify an extract: a .zip (the six files at its root or in one top folder), or a folder.

    ``offices`` maps a commune code to the keys registered for it; ``now`` (aware) is the
    importer's clock. Runs checks 1–10 of docs/extract-format.md §11 in order and raises
    :class:`ExtractRejected` at the first check that finds a problem.
    """
    if now.tzinfo is None:
        raise ValueError("naive datetime")
    try:
        files = _read_container(source)  # 1
        manifest = _check_manifest(files[MANIFEST])  # 2, 3
        key = _check_office(manifest, offices)  # 4
        _check_signature(files, manifest, key)  # 5
        _check_checksums(files, manifest)  # 6
        _check_period(manifest, now, max_age_months)  # 7
        with _bulk():
            tables = check_tables(files, manifest.data, manifest.newer)  # 8
            check_consistency(tables, manifest.data, manifest.newer)  # 9
            check_k_anonymity(tables[PERSONS], manifest.data)  # 10
            rows = {name: list(zip(*table.columns, strict=True)) for name, table in tables.items()}
    except Stop as refusal:
        raise ExtractRejected(source, refusal.problems) from None
    return ReadExtract(
        source=source,
        manifest=manifest.data,
        manifest_sha256=hashlib.sha256(files[MANIFEST]).hexdigest(),
        commune_code=manifest.data["commune_code"],
        period=manifest.data["period"],
        generated_at=manifest.generated_at,
        key_series=manifest.data["key_series"],
        persons=rows[PERSONS],
        referrals=rows[REFERRALS],
        indicators=rows[INDICATORS],
    )


@contextmanager
def _bulk() -> Iterator[None]:
    """No cyclic garbage collection while millions of cells are built (none of them forms a cycle)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# ---- 1. container


def _read_container(source: Path) -> dict[str, bytes]:
    """The six files' bytes, sizes checked before anything is read."""
    try:
        mode = source.stat().st_mode
    except OSError:
        raise _unreadable(source, fragment("not_found")) from None
    if stat.S_ISDIR(mode):
        return _read_folder(source)
    if not stat.S_ISREG(mode):
        raise _unreadable(source, fragment("not_extract"))
    try:
        with zipfile.ZipFile(source) as archive:
            return _read_zip(source, archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError):
        raise _unreadable(source, fragment("damaged")) from None


def _unreadable(source: Path, why: str) -> Stop:
    return stop("container.unreadable", source=shown(source.name), why=why)


def _check_names(names: Sequence[str], sizes: Mapping[str, int]) -> None:
    for name in FILES:
        if name not in names:
            raise stop("container.missing_file", file=name)
    seen: set[str] = set()
    for name in names:
        if name not in FILES or name in seen:
            raise stop("container.extra_file", file=shown(name))
        seen.add(name)
    for name in FILES:
        if sizes[name] > MAX_FILE_BYTES:
            raise stop("container.too_large", what=name, size=_mib(sizes[name]), limit=_mib(MAX_FILE_BYTES))
    total = sum(sizes.values())
    if total > MAX_TOTAL_BYTES:
        raise stop("container.too_large", what=fragment("all_files"), size=_mib(total), limit=_mib(MAX_TOTAL_BYTES))


def _mib(size: int) -> str:
    return str(-(-size // (1024 * 1024)))


def _read_folder(folder: Path) -> dict[str, bytes]:
    try:
        entries = sorted(folder.iterdir())
        names = [entry.name for entry in entries]
        sizes = {entry.name: entry.stat().st_size for entry in entries if entry.is_file()}
    except OSError:
        raise _unreadable(folder, fragment("not_extract")) from None
    for entry in entries:
        if entry.name in FILES and not entry.is_file():
            raise stop("container.extra_file", file=shown(entry.name))
    _check_names(names, sizes)
    files = {}
    for name in FILES:
        try:
            with (folder / name).open("rb") as handle:
                data = handle.read(sizes[name] + 1)  # never more than was measured
        except OSError:
            raise _unreadable(folder, fragment("not_extract")) from None
        if len(data) != sizes[name]:  # changed while being read
            raise _unreadable(folder, fragment("not_extract"))
        files[name] = data
    return files


def _read_zip(source: Path, archive: zipfile.ZipFile) -> dict[str, bytes]:
    infos = [info for info in archive.infolist() if not info.is_dir()]
    names = [info.filename for info in infos]
    tops = {name.split("/", 1)[0] for name in names}
    prefix = ""
    if len(tops) == 1 and all(name.count("/") == 1 for name in names):
        prefix = next(iter(tops)) + "/"  # the six files inside one top-level folder
    by_name = {info.filename[len(prefix) :]: info for info in infos}
    _check_names([name[len(prefix) :] for name in names], {name: info.file_size for name, info in by_name.items()})
    files = {}
    for name in FILES:
        info = by_name[name]
        if info.flag_bits & 0x1:
            raise _unreadable(source, fragment("encrypted"))
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _unreadable(source, fragment("compression"))
        with archive.open(info) as handle:
            data = handle.read(info.file_size + 1)  # a bomb declaring a small size stops there
        if len(data) != info.file_size:
            raise _unreadable(source, fragment("damaged"))
        files[name] = data
    return files


# ---- 2, 3. manifest and schema

_RELEASE = re.compile(r"(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})")
_COMMUNE = re.compile(r"[0-9]{2}\.[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.")
_GENERATED = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
_FINGERPRINT = re.compile(r"[0-9A-F]{4}(?: [0-9A-F]{4}){7}")
_SERIES = re.compile(r"[0-9a-f]{16}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_PERIOD = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")
_LISTED = (DESCRIPTOR, *CSV_FILES)  # the files whose SHA-256 the manifest lists
_COUNTS = {
    "persons": ("population", "written", "suppressed", "generalised"),
    "referrals": ("written", "person_key_blanked"),
}


@dataclass(frozen=True)
class _Manifest:
    data: dict[str, Any]
    newer: bool  # a later minor release than this reader's: extra trailing columns are ignored
    generated_at: datetime  # aware UTC


def _check_manifest(raw: bytes) -> _Manifest:
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise stop("manifest.not_json", file=MANIFEST) from None
    if not isinstance(data, dict):
        raise stop("manifest.not_json", file=MANIFEST)
    if data.get("format") != FORMAT:
        raise stop("manifest.format", file=MANIFEST, found=shown(data.get("format", "")))
    major = _integer(data, "schema_version")
    if major not in KNOWN_MAJORS:  # 3, before any other field: another major may have others
        raise stop("schema.unsupported", found=str(major), known=", ".join(map(str, KNOWN_MAJORS)))
    release = _text(data, "schema_release", _RELEASE)
    found = _release(release)
    if found[0] != major:
        raise stop("manifest.field", file=MANIFEST, field="schema_release", why=fragment("release_major"))
    _text(data, "commune_code", _COMMUNE)
    _text(data, "period", None)
    generated = _text(data, "generated_at", _GENERATED)
    try:
        generated_at = datetime.strptime(generated, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise stop("manifest.field", file=MANIFEST, field="generated_at", why=fragment("bad_format")) from None
    _text(data, "app_version", None)
    _text(data, "signing_key", _FINGERPRINT)
    _text(data, "key_series", _SERIES)
    _integer(data, "k")
    for group, names in _COUNTS.items():
        counts = _object(data, group, group)
        for name in names:
            _integer(counts, name, f"{group}.{name}")
    listed = _object(data, "files", "files")
    for name in _LISTED:
        entry = _object(listed, name, f"files.{name}")
        _text(entry, "sha256", _SHA256, f"files.{name}.sha256")
        if name in CSV_FILES:
            _integer(entry, "rows", f"files.{name}.rows")
    return _Manifest(data, newer=found[:2] > _release(SCHEMA_RELEASE)[:2], generated_at=generated_at)


def _release(text: str) -> tuple[int, ...]:
    """(1, 0, 0) for "1.0.0"."""
    return tuple(int(part) for part in text.split("."))


def _no_constant(name: str) -> Any:
    raise ValueError(name)  # NaN, Infinity: not JSON


def _missing_or(data: Mapping[str, Any], name: str, label: str, why: str) -> Stop:
    return stop("manifest.field", file=MANIFEST, field=label, why=why if name in data else fragment("missing"))


def _integer(data: Mapping[str, Any], name: str, label: str = "") -> int:
    value = data.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _missing_or(data, name, label or name, fragment("not_integer"))
    return value


def _text(data: Mapping[str, Any], name: str, form: re.Pattern[str] | None, label: str = "") -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise _missing_or(data, name, label or name, fragment("not_text"))
    if form is not None and not form.fullmatch(value):
        raise stop("manifest.field", file=MANIFEST, field=label or name, why=fragment("bad_format"))
    return value


def _object(data: Mapping[str, Any], name: str, label: str) -> Mapping[str, Any]:
    value = data.get(name)
    if not isinstance(value, dict):
        raise _missing_or(data, name, label, fragment("not_object"))
    return value


# ---- 4, 5, 6. office, signature, checksums


def _check_office(manifest: _Manifest, offices: Mapping[str, Sequence[RegisteredKey]]) -> RegisteredKey:
    commune = manifest.data["commune_code"]
    signing = manifest.data["signing_key"]
    if not offices.get(commune):
        raise stop("office.unknown", commune=commune)
    matching = [key for key in offices[commune] if fingerprint(key.public_key) == signing]
    if not matching:
        raise stop("office.key_unknown", commune=commune, fingerprint=signing)
    generated_at = manifest.generated_at
    for key in matching:
        if key.revoked_from is None or generated_at < key.revoked_from:
            return key
    revoked = min(key.revoked_from for key in matching if key.revoked_from is not None)
    raise stop(
        "office.key_revoked",
        commune=commune,
        fingerprint=signing,
        revoked=utc_text(revoked),
        generated=utc_text(generated_at),
    )


_SIGNATURE_FILE = re.compile(rb"[A-Za-z0-9+/]{86}==\r\n")


def _check_signature(files: Mapping[str, bytes], manifest: _Manifest, key: RegisteredKey) -> None:
    raw = files[SIGNATURE]
    if not _SIGNATURE_FILE.fullmatch(raw):
        raise stop("signature.malformed", file=SIGNATURE)
    try:
        signature = base64.b64decode(raw[:88], validate=True)
    except binascii.Error:
        raise stop("signature.malformed", file=SIGNATURE) from None
    public = Ed25519PublicKey.from_public_bytes(key.public_key)  # registered keys are 32 bytes
    try:
        public.verify(signature, MANIFEST_TAG + files[MANIFEST])  # the bytes received, as they are
    except InvalidSignature:
        raise stop("signature.invalid", file=SIGNATURE, commune=manifest.data["commune_code"]) from None
    if canonical(manifest.data) != files[MANIFEST]:
        raise stop("manifest.not_canonical", file=MANIFEST)


def _check_checksums(files: Mapping[str, bytes], manifest: _Manifest) -> None:
    listed = manifest.data["files"]
    for name in _LISTED:
        if hashlib.sha256(files[name]).hexdigest() != listed[name]["sha256"]:
            raise stop("checksum.mismatch", file=name)
    expected = f"{manifest.data['schema_version']} ({manifest.data['schema_release']})"
    try:
        descriptor = json.loads(files[DESCRIPTOR].decode("utf-8"))
        declared = (descriptor["baom:schemaVersion"], descriptor["version"])
    except (UnicodeDecodeError, ValueError, RecursionError, TypeError, KeyError):
        raise stop("schema.mismatch", file=DESCRIPTOR, found="?", expected=expected) from None
    if declared != (manifest.data["schema_version"], manifest.data["schema_release"]):
        raise stop("schema.mismatch", file=DESCRIPTOR, found=shown(f"{declared[0]} ({declared[1]})"), expected=expected)


# ---- 7. period


def _check_period(manifest: _Manifest, now: datetime, max_age_months: int) -> None:
    period = manifest.data["period"]
    found = _PERIOD.fullmatch(period)
    if not found or int(found.group(1)) < 1900:
        raise stop("period.format", file=MANIFEST, field="period", found=shown(period))
    year, month = int(found.group(1)), int(found.group(2))
    generated_at = manifest.generated_at
    when = utc_text(generated_at)
    try:
        generated_day = office_today(generated_at)
    except OverflowError:  # the last hours of the year 9999: from the future anyway
        raise stop("period.future", file=MANIFEST, field="generated_at", generated=when) from None
    if not month_end(year, month) < generated_day:
        raise stop("period.not_over", file=MANIFEST, field="period", period=period, generated=when)
    if generated_at > now + FUTURE_TOLERANCE:
        raise stop("period.future", file=MANIFEST, field="generated_at", generated=when)
    today = office_today(now)
    if (today.year * 12 + today.month) - (year * 12 + month) > max_age_months:
        raise stop("period.too_old", file=MANIFEST, field="period", period=period, months=str(max_age_months))
