"""The regional side of the extract: read one, verify it, or say exactly why it is refused.

docs/extract-format.md §11 is the contract: ten checks in order, each refusal a stable
reason code and a translated sentence naming the file, the line (the header is line 1,
Excel's row number) and the column. Checks 1–7 (container, manifest, schema, office,
signature, checksums, period) stop at the first problem; checks 8–10 (CSV cells,
consistency, k-anonymity) collect up to :data:`MAX_PROBLEMS` before refusing.

The cells are validated against this reader's **own** descriptor
(``resources/extract/datapackage.json``), never the copy in the extract, and
column by column: one ``set`` per column, its few distinct values checked against the
code list, type or pattern, and lines looked up only when something is wrong. A file
without quotes (every v1 file) is split with ``str.split``; any other goes through
:mod:`csv`. Nothing here touches a database; storing is the region store's business.
"""

from __future__ import annotations

import base64
import binascii
import csv
import dataclasses
import gc
import hashlib
import io
import json
import re
import stat
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from itertools import repeat
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from desktop.domain.errors import InputRejected
from desktop.domain.extract_format import (
    COLUMNS,
    CSV_FILES,
    DESCRIPTOR,
    FILES,
    FORMAT,
    INDICATORS,
    MANIFEST,
    MAX_FILE_BYTES,
    MAX_TOTAL_BYTES,
    PERSONS,
    QUASI_IDENTIFIERS,
    REFERRALS,
    SCHEMA_RELEASE,
    SCHEMA_VERSION,
    SIGNATURE,
    K,
    canonical,
    unguard,
)
from desktop.domain.indicators import BY_CODE, DIMENSION_VALUES, MULTI_VALUED, Indicator, Unit
from desktop.domain.indicators import INDICATORS as CATALOGUE
from desktop.domain.periods import month_end
from desktop.domain.referrals import OFFICE_TIME_ZONE
from desktop.i18n import resources_dir, tr
from desktop.services.extract_keys import MANIFEST_TAG, fingerprint

MAX_PROBLEMS = 100
KNOWN_MAJORS: tuple[int, ...] = (SCHEMA_VERSION,)  # the current major (and, later, the one before)
FUTURE_TOLERANCE = timedelta(hours=24)
SHOWN_CHARS = 40  # a cell shown in a message is cut there
_LINES_SHOWN = 12  # lines of a small k-anonymity class named in its message

# extract.text.* are fragments put in a message's parameters and translated with it.
_TEXT = "extract.text."


def _t(name: str) -> str:
    """A fragment of message (extract.text.<name>), translated when the message is."""
    return _TEXT + name


@dataclass(frozen=True)
class RegisteredKey:
    """A public key the secretariat registered for a commune (after comparing fingerprints)."""

    public_key: bytes  # 32 raw Ed25519 bytes
    revoked_from: datetime | None = None  # aware UTC; the key is invalid for generated_at >= this


@dataclass(frozen=True)
class Problem:
    """One reason to refuse an extract: a stable code of §11 and where it was found."""

    code: str
    file: str = ""
    line: int = 0  # 1 = the header line; 0 when not about a line
    field: str = ""  # CSV column or manifest field
    params: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def message(self) -> str:
        """The sentence for the secretariat, in the current language."""
        params = {name: tr(value) if value.startswith(_TEXT) else value for name, value in self.params.items()}
        line = str(self.line)
        if self.file and self.line and self.field:
            where = tr("extract.where.cell", file=self.file, line=line, field=self.field)
        elif self.file and self.line:
            where = tr("extract.where.line", file=self.file, line=line)
        elif self.file and self.field and self.file.endswith(".csv"):
            where = tr("extract.where.column", file=self.file, field=self.field)
        elif self.file and self.field:
            where = tr("extract.where.field", file=self.file, field=self.field)
        else:
            where = self.file
        return tr(f"extract.reason.{self.code}", where=where, file=self.file, line=line, field=self.field, **params)


class ExtractRejected(InputRejected):
    """The extract is refused as a whole; ``problems`` says why (one for checks 1–7)."""

    def __init__(self, source: Path, problems: Sequence[Problem]) -> None:
        super().__init__("extract.rejected", source=source.name)
        self.source = source
        self.problems: tuple[Problem, ...] = tuple(problems)

    def report(self) -> str:
        """The heading and one line per problem, translated."""
        return "\n".join([tr("extract.rejected", source=self.source.name), *(p.message() for p in self.problems)])


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


class _Stop(Exception):
    """Raised inside the checks; read_extract turns it into ExtractRejected."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("stop")
        self.problems = tuple(problems)


def _stop(code: str, file: str = "", line: int = 0, field: str = "", **params: str) -> _Stop:
    return _Stop([Problem(code, file, line, field, params)])


def _show(value: object) -> str:
    """A value as shown in a message: control characters visible, at most SHOWN_CHARS characters."""
    text = str(value)
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


def read_extract(
    source: Path,
    offices: Mapping[str, Sequence[RegisteredKey]],
    now: datetime,
    max_age_months: int = 36,
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
        generated_at = _check_period(manifest, now, max_age_months)  # 7
        with _bulk():
            tables = _check_tables(files, manifest)  # 8
            _check_consistency(tables, manifest)  # 9
            _check_k_anonymity(tables[PERSONS], manifest)  # 10
            rows = {name: list(zip(*table.columns, strict=True)) for name, table in tables.items()}
    except _Stop as stop:
        raise ExtractRejected(source, stop.problems) from None
    return ReadExtract(
        source=source,
        manifest=manifest.data,
        manifest_sha256=hashlib.sha256(files[MANIFEST]).hexdigest(),
        commune_code=manifest.data["commune_code"],
        period=manifest.data["period"],
        generated_at=generated_at,
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
        raise _stop("container.unreadable", source=_show(source.name), why=_t("not_found")) from None
    if stat.S_ISDIR(mode):
        return _read_folder(source)
    if not stat.S_ISREG(mode):
        raise _stop("container.unreadable", source=_show(source.name), why=_t("not_extract"))
    try:
        with zipfile.ZipFile(source) as archive:
            return _read_zip(source, archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError):
        raise _stop("container.unreadable", source=_show(source.name), why=_t("damaged")) from None


def _check_names(names: Sequence[str], sizes: Mapping[str, int]) -> None:
    for name in FILES:
        if name not in names:
            raise _stop("container.missing_file", file=name)
    seen: set[str] = set()
    for name in names:
        if name not in FILES or name in seen:
            raise _stop("container.extra_file", file=_show(name))
        seen.add(name)
    for name in FILES:
        if sizes[name] > MAX_FILE_BYTES:
            raise _stop("container.too_large", what=name, size=_mib(sizes[name]), limit=_mib(MAX_FILE_BYTES))
    total = sum(sizes.values())
    if total > MAX_TOTAL_BYTES:
        raise _stop("container.too_large", what=_t("all_files"), size=_mib(total), limit=_mib(MAX_TOTAL_BYTES))


def _mib(size: int) -> str:
    return str(-(-size // (1024 * 1024)))


def _read_folder(folder: Path) -> dict[str, bytes]:
    try:
        entries = sorted(folder.iterdir())
        names = [entry.name for entry in entries]
        sizes = {entry.name: entry.stat().st_size for entry in entries if entry.is_file()}
    except OSError:
        raise _stop("container.unreadable", source=_show(folder.name), why=_t("not_extract")) from None
    for entry in entries:
        if entry.name in FILES and not entry.is_file():
            raise _stop("container.extra_file", file=_show(entry.name))
    _check_names(names, sizes)
    files = {}
    for name in FILES:
        try:
            with (folder / name).open("rb") as handle:
                data = handle.read(sizes[name] + 1)  # never more than was measured
        except OSError:
            raise _stop("container.unreadable", source=_show(folder.name), why=_t("not_extract")) from None
        if len(data) != sizes[name]:  # changed while being read
            raise _stop("container.unreadable", source=_show(folder.name), why=_t("not_extract"))
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
            raise _stop("container.unreadable", source=_show(source.name), why=_t("encrypted"))
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _stop("container.unreadable", source=_show(source.name), why=_t("compression"))
        with archive.open(info) as handle:
            data = handle.read(info.file_size + 1)  # a bomb declaring a small size stops there
        if len(data) != info.file_size:
            raise _stop("container.unreadable", source=_show(source.name), why=_t("damaged"))
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
_COUNTS = {
    "persons": ("population", "written", "suppressed", "generalised"),
    "referrals": ("written", "person_key_blanked"),
}


@dataclass(frozen=True)
class _Manifest:
    data: dict[str, Any]
    newer: bool  # a later minor release than this reader's: extra trailing columns are ignored


def _check_manifest(raw: bytes) -> _Manifest:
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _stop("manifest.not_json", file=MANIFEST) from None
    if not isinstance(data, dict):
        raise _stop("manifest.not_json", file=MANIFEST)
    if data.get("format") != FORMAT:
        raise _stop("manifest.format", file=MANIFEST, found=_show(data.get("format", "")))
    major = _integer(data, "schema_version")
    if major not in KNOWN_MAJORS:  # 3, before any other field: another major may have others
        raise _stop("schema.unsupported", found=str(major), known=", ".join(map(str, KNOWN_MAJORS)))
    release = _text(data, "schema_release", _RELEASE)
    found = tuple(int(part) for part in release.split("."))
    if found[0] != major:
        raise _stop("manifest.field", file=MANIFEST, field="schema_release", why=_t("release_major"))
    _text(data, "commune_code", _COMMUNE)
    _text(data, "period", None)
    generated = _text(data, "generated_at", _GENERATED)
    try:
        datetime.strptime(generated, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        raise _stop("manifest.field", file=MANIFEST, field="generated_at", why=_t("bad_format")) from None
    _text(data, "app_version", None)
    _text(data, "signing_key", _FINGERPRINT)
    _text(data, "key_series", _SERIES)
    _integer(data, "k")
    for group, names in _COUNTS.items():
        counts = _object(data, group, group)
        for name in names:
            _integer(counts, name, f"{group}.{name}")
    listed = _object(data, "files", "files")
    for name in (DESCRIPTOR, *CSV_FILES):
        entry = _object(listed, name, f"files.{name}")
        _text(entry, "sha256", _SHA256, f"files.{name}.sha256")
        if name in CSV_FILES:
            _integer(entry, "rows", f"files.{name}.rows")
    ours = tuple(int(part) for part in SCHEMA_RELEASE.split("."))
    return _Manifest(data, newer=found[:2] > ours[:2])


def _no_constant(name: str) -> Any:
    raise ValueError(name)  # NaN, Infinity: not JSON


def _missing_or(data: Mapping[str, Any], name: str, label: str, why: str) -> _Stop:
    return _stop("manifest.field", file=MANIFEST, field=label, why=why if name in data else _t("missing"))


def _integer(data: Mapping[str, Any], name: str, label: str = "") -> int:
    value = data.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _missing_or(data, name, label or name, _t("not_integer"))
    return value


def _text(data: Mapping[str, Any], name: str, form: re.Pattern[str] | None, label: str = "") -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise _missing_or(data, name, label or name, _t("not_text"))
    if form is not None and not form.fullmatch(value):
        raise _stop("manifest.field", file=MANIFEST, field=label or name, why=_t("bad_format"))
    return value


def _object(data: Mapping[str, Any], name: str, label: str) -> Mapping[str, Any]:
    value = data.get(name)
    if not isinstance(value, dict):
        raise _missing_or(data, name, label, _t("not_object"))
    return value


# ---- 4, 5, 6. office, signature, checksums


def _check_office(manifest: _Manifest, offices: Mapping[str, Sequence[RegisteredKey]]) -> RegisteredKey:
    commune = manifest.data["commune_code"]
    signing = manifest.data["signing_key"]
    if not offices.get(commune):
        raise _stop("office.unknown", commune=commune)
    matching = [key for key in offices[commune] if fingerprint(key.public_key) == signing]
    if not matching:
        raise _stop("office.key_unknown", commune=commune, fingerprint=signing)
    generated_at = _generated_at(manifest)
    for key in matching:
        if key.revoked_from is None or generated_at < key.revoked_from:
            return key
    revoked = min(key.revoked_from for key in matching if key.revoked_from is not None)
    raise _stop(
        "office.key_revoked",
        commune=commune,
        fingerprint=signing,
        revoked=revoked.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        generated=generated_at.strftime("%Y-%m-%d %H:%M UTC"),
    )


def _generated_at(manifest: _Manifest) -> datetime:
    return datetime.strptime(manifest.data["generated_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


_SIGNATURE_FILE = re.compile(rb"[A-Za-z0-9+/]{86}==\r\n")


def _check_signature(files: Mapping[str, bytes], manifest: _Manifest, key: RegisteredKey) -> None:
    raw = files[SIGNATURE]
    if not _SIGNATURE_FILE.fullmatch(raw):
        raise _stop("signature.malformed", file=SIGNATURE)
    try:
        signature = base64.b64decode(raw[:88], validate=True)
    except binascii.Error:
        raise _stop("signature.malformed", file=SIGNATURE) from None
    public = Ed25519PublicKey.from_public_bytes(key.public_key)  # registered keys are 32 bytes
    try:
        public.verify(signature, MANIFEST_TAG + files[MANIFEST])  # the bytes received, as they are
    except InvalidSignature:
        raise _stop("signature.invalid", file=SIGNATURE, commune=manifest.data["commune_code"]) from None
    if canonical(manifest.data) != files[MANIFEST]:
        raise _stop("manifest.not_canonical", file=MANIFEST)


def _check_checksums(files: Mapping[str, bytes], manifest: _Manifest) -> None:
    listed = manifest.data["files"]
    for name in (DESCRIPTOR, *CSV_FILES):
        if hashlib.sha256(files[name]).hexdigest() != listed[name]["sha256"]:
            raise _stop("checksum.mismatch", file=name)
    expected = f"{manifest.data['schema_version']} ({manifest.data['schema_release']})"
    try:
        descriptor = json.loads(files[DESCRIPTOR].decode("utf-8"))
        declared = (descriptor["baom:schemaVersion"], descriptor["version"])
    except (UnicodeDecodeError, ValueError, RecursionError, TypeError, KeyError):
        raise _stop("schema.mismatch", file=DESCRIPTOR, found="?", expected=expected) from None
    if declared != (manifest.data["schema_version"], manifest.data["schema_release"]):
        raise _stop(
            "schema.mismatch", file=DESCRIPTOR, found=_show(f"{declared[0]} ({declared[1]})"), expected=expected
        )


# ---- 7. period


def _check_period(manifest: _Manifest, now: datetime, max_age_months: int) -> datetime:
    period = manifest.data["period"]
    found = _PERIOD.fullmatch(period)
    if not found or int(found.group(1)) < 1900:
        raise _stop("period.format", file=MANIFEST, field="period", found=_show(period))
    year, month = int(found.group(1)), int(found.group(2))
    generated_at = _generated_at(manifest)
    shown = generated_at.strftime("%Y-%m-%d %H:%M UTC")
    try:
        generated_day = generated_at.astimezone(OFFICE_TIME_ZONE).date()
    except OverflowError:  # the last hours of the year 9999: from the future anyway
        raise _stop("period.future", file=MANIFEST, field="generated_at", generated=shown) from None
    if not month_end(year, month) < generated_day:
        raise _stop("period.not_over", file=MANIFEST, field="period", period=period, generated=shown)
    if generated_at > now + FUTURE_TOLERANCE:
        raise _stop("period.future", file=MANIFEST, field="generated_at", generated=shown)
    today = now.astimezone(OFFICE_TIME_ZONE).date()
    if (today.year * 12 + today.month) - (year * 12 + month) > max_age_months:
        raise _stop("period.too_old", file=MANIFEST, field="period", period=period, months=str(max_age_months))
    return generated_at


# ---- 8. the CSV files, column by column

_TYPES = {  # no sign, no leading zero, no thousands separator; bounded so int() stays cheap
    "integer": r"0|[1-9][0-9]{0,17}",
    "number": r"(?:0|[1-9][0-9]{0,17})(?:\.[0-9]{1,6})?",
    "yearmonth": r"[0-9]{4}-(?:0[1-9]|1[0-2])",
}
_FORM_TEXT = {  # how a pattern is explained, per column
    "person_key": "form_key",
    "referral_key": "form_key",
    "first_reception": "form_first_reception",
    "residence": "form_residence",
    "key": "form_code",
}


@dataclass(frozen=True)
class _Column:
    name: str
    kind: str  # string, boolean, integer, number, yearmonth
    required: bool
    allowed: frozenset[str] | None  # enum, or the boolean's true and false values
    allowed_text: str  # "h24, h72, weeks2"
    form: re.Pattern[str] | None  # type and pattern, full match
    bulk: re.Pattern[str] | None  # the same over values joined by LF
    minimum: float | None
    unique: bool


@dataclass(frozen=True)
class _Resource:
    file: str
    columns: tuple[_Column, ...]
    primary_key: tuple[int, ...]  # positions


@dataclass(frozen=True)
class _Descriptor:
    major: int
    release: str
    resources: Mapping[str, _Resource]


@cache
def _descriptor() -> _Descriptor:
    """This reader's own descriptor of the current major (resources/extract/datapackage.json)."""
    data = json.loads((resources_dir() / "extract" / DESCRIPTOR).read_text(encoding="utf-8"))
    if (data["baom:schemaVersion"], data["version"]) != (SCHEMA_VERSION, SCHEMA_RELEASE):
        raise RuntimeError("datapackage.json does not match desktop.domain.extract_format")
    resources = {}
    for resource in data["resources"]:
        fields = resource["schema"]["fields"]
        names = tuple(f["name"] for f in fields)
        if names != COLUMNS[resource["path"]]:
            raise RuntimeError(f"datapackage.json columns of {resource['path']} differ from extract_format")
        columns = tuple(_column(f) for f in fields)
        primary = tuple(names.index(name) for name in resource["schema"].get("primaryKey", ()))
        resources[resource["path"]] = _Resource(resource["path"], columns, primary)
    return _Descriptor(SCHEMA_VERSION, SCHEMA_RELEASE, resources)


def _column(spec: Mapping[str, Any]) -> _Column:
    kind = spec["type"]
    constraints = spec.get("constraints", {})
    allowed: tuple[str, ...] | None = None
    parts: list[str] = []
    if kind == "boolean":
        allowed = (*spec["trueValues"], *spec["falseValues"])
    elif kind in _TYPES:
        parts.append(_TYPES[kind])
    elif kind != "string":
        raise RuntimeError(f"type {kind} of {spec['name']} is not read")
    if "enum" in constraints:
        allowed = tuple(constraints["enum"])
    if "pattern" in constraints:
        parts.append(constraints["pattern"])
    form = "".join(f"(?=(?:{part})\\Z)" for part in parts[:-1]) + (f"(?:{parts[-1]})" if parts else "")
    return _Column(
        name=spec["name"],
        kind=kind,
        required=bool(constraints.get("required", False)),
        allowed=frozenset(allowed) if allowed is not None else None,
        allowed_text=", ".join(allowed) if allowed is not None else "",
        form=re.compile(form) if parts else None,
        bulk=re.compile(f"(?:{form})(?:\\n(?:{form}))*") if len(parts) == 1 and _no_line_end(parts[0]) else None,
        minimum=constraints.get("minimum"),
        unique=bool(constraints.get("unique", False)),
    )


def _no_line_end(pattern: str) -> bool:
    """The pattern surely matches no LF (no negated class, dot or class escape): values may be joined by LF."""
    return re.search(r"\[\^|(?<!\\)\.|\\[sSDW]", pattern) is None


@dataclass
class _Table:
    file: str
    columns: list[list[str]]  # this reader's columns only (extra trailing ones dropped), unguarded
    distinct: list[set[str]]  # the distinct values of each column

    @property
    def rows(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def column(self, name: str) -> list[str]:
        return self.columns[COLUMNS[self.file].index(name)]

    def values(self, name: str) -> set[str]:
        return self.distinct[COLUMNS[self.file].index(name)]


class _Problems:
    """Problems of checks 8–10, up to MAX_PROBLEMS."""

    def __init__(self) -> None:
        self.found: list[Problem] = []

    @property
    def full(self) -> bool:
        return len(self.found) >= MAX_PROBLEMS

    def add(self, code: str, file: str = "", line: int = 0, field: str = "", **params: str) -> None:
        if not self.full:
            self.found.append(Problem(code, file, line, field, params))

    def raise_any(self) -> None:
        if self.found:
            raise _Stop(self.found)


def _check_tables(files: Mapping[str, bytes], manifest: _Manifest) -> dict[str, _Table]:
    problems = _Problems()
    tables = {}
    for name in CSV_FILES:
        start = len(problems.found)
        table = _read_table(name, files[name], manifest, problems)
        if table is not None:
            tables[name] = table
        problems.found[start:] = sorted(problems.found[start:], key=lambda p: (p.line, _position(p)))
    problems.raise_any()
    return tables


def _position(problem: Problem) -> int:
    columns = COLUMNS[problem.file]
    return columns.index(problem.field) if problem.field in columns else -1


def _read_table(name: str, raw: bytes, manifest: _Manifest, problems: _Problems) -> _Table | None:
    """One CSV file checked (§8), or None when it has a problem."""
    resource = _descriptor().resources[name]
    if not raw.startswith(b"\xef\xbb\xbf"):
        problems.add("csv.bom", name)
        return None
    try:
        text = raw[3:].decode("utf-8")
    except UnicodeDecodeError as error:
        problems.add("csv.encoding", name, raw.count(b"\n", 0, error.start + 3) + 1)
        return None
    quoted = '"' in text
    bare = _bare_line_end(text, quoted)
    if bare is not None:
        problems.add("csv.line_end", name, text.count("\n", 0, bare) + 1)
        return None
    if not text.endswith("\r\n"):
        problems.add("csv.truncated", name, text.count("\r\n") + 1)
        return None
    if quoted and text.count('"') % 2:  # the last quote opens a cell never closed
        problems.add("csv.truncated", name, text.count("\n", 0, text.rfind('"')) + 1)
        return None
    split = _split_quoted(name, text, problems) if quoted else _split_plain(text)
    if split is None:
        return None
    header, count, bad_rows, columns = split
    ours = COLUMNS[name]
    if not _header_ok(name, header, ours, manifest.newer, problems):
        return None
    for line, cells in bad_rows:
        problems.add("csv.cells", name, line, found=str(cells), expected=str(len(header)))
    expected_rows = manifest.data["files"][name]["rows"]
    if count != expected_rows:
        problems.add("csv.rows", name, found=str(count), expected=str(expected_rows))
    if bad_rows:
        return None
    columns = columns[: len(ours)]  # extra trailing columns (a later minor release) are dropped
    before = len(problems.found)
    distinct = []
    guarded = "'" in text
    del text, raw
    for position, spec in enumerate(resource.columns):
        column = columns[position]
        if guarded:
            columns[position] = column = _unguarded(column)
        values = set(column)
        distinct.append(values)
        _check_column(name, spec, column, values, manifest, problems)
    _check_unique(resource, columns, distinct, problems)
    if len(problems.found) > before:
        return None
    for position, values in enumerate(distinct):
        if len(values) * 4 < len(columns[position]):  # repeated values share one string: far less memory
            shared = dict(zip(values, values, strict=True))
            columns[position] = list(map(shared.__getitem__, columns[position]))
    return _Table(name, columns, distinct)


_Split = tuple[list[str], int, list[tuple[int, int]], list[list[str]]]  # header, rows, (line, cells) wrong, columns


def _split_plain(text: str) -> _Split:
    """A file without any quote (every v1 file): str.split, then one slice per column."""
    header_end = text.find("\r\n")
    header = text[:header_end].split(";")
    width = len(header)
    body = text[header_end + 2 : -2]
    lines = body.split("\r\n") if header_end + 2 < len(text) else []
    count = len(lines)
    if not set(map(str.count, lines, repeat(";", count))) <= {width - 1}:
        wrong = [(i + 2, line.count(";") + 1) for i, line in enumerate(lines) if line.count(";") != width - 1]
        return header, count, wrong, []
    del lines
    flat = body.replace("\r\n", ";").split(";") if count else []
    return header, count, [], [flat[j::width] for j in range(width)]


def _split_quoted(name: str, text: str, problems: _Problems) -> _Split | None:
    """A file with quoted cells, as RFC 4180 reads it (the csv module)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"', doublequote=True)
    try:
        records = list(reader)
    except csv.Error:  # a cell longer than the csv module's limit (128 KiB): no v1 value is
        problems.add("csv.too_long", name, reader.line_num)
        return None
    header, rows = records[0], records[1:]
    width = len(header)
    wrong = [(i + 2, len(row)) for i, row in enumerate(rows) if len(row) != width]
    if wrong:
        return header, len(rows), wrong, []
    columns = [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in header]
    return header, len(rows), [], columns


def _bare_line_end(text: str, quoted: bool) -> int | None:
    """Position of the first CR or LF that is not part of a CRLF line end (quoted cells aside)."""
    crlf = text.count("\r\n")
    if text.count("\n") == crlf and text.count("\r") == crlf:
        return None
    quotes, counted = 0, 0
    for found in re.finditer(r"\r(?!\n)|(?<!\r)\n", text):
        if not quoted:
            return found.start()
        quotes += text.count('"', counted, found.start())  # an even count: outside any quoted cell
        counted = found.start()
        if quotes % 2 == 0:
            return found.start()
    return None


def _header_ok(name: str, header: list[str], ours: tuple[str, ...], newer: bool, problems: _Problems) -> bool:
    for position, expected in enumerate(ours):
        found = header[position] if position < len(header) else ""
        if found != expected:
            problems.add(
                "csv.header",
                name,
                1,
                position=str(position + 1),
                expected=expected,
                found=_show(found) if found else _t("absent"),
            )
            return False
    if len(header) > len(ours) and not newer:  # extra trailing columns: only from a later minor release
        problems.add(
            "csv.header",
            name,
            1,
            position=str(len(ours) + 1),
            expected=_t("nothing"),
            found=_show(header[len(ours)]),
        )
        return False
    return True


def _unguarded(column: list[str]) -> list[str]:
    changed = {value: unguard(value) for value in set(column) if value[:1] == "'"}
    changed = {value: plain for value, plain in changed.items() if plain != value}
    return [changed.get(value, value) for value in column] if changed else column


def _check_column(
    file: str, spec: _Column, column: list[str], values: set[str], manifest: _Manifest, problems: _Problems
) -> None:
    """Type, required, code list and pattern of every cell, through the column's distinct values."""
    bad: dict[str, tuple[str, dict[str, str]]] = {}
    if "" in values and spec.required:
        bad[""] = ("csv.required", {})
    filled = values - {""} if "" in values else values
    if spec.allowed is not None:
        for value in filled - spec.allowed:
            if spec.kind == "boolean":
                bad[value] = ("csv.type", {"found": _show(value), "expected": _t("type_boolean")})
            elif manifest.newer:
                bad[value] = ("schema.unknown_code", _unknown_code(value, manifest))
            else:
                bad[value] = ("csv.enum", {"found": _show(value), "allowed": spec.allowed_text})
    elif spec.form is not None and not _all_match(spec, filled):
        type_form = re.compile(_TYPES[spec.kind]) if spec.kind in _TYPES else None
        for value in filled:
            if type_form is not None and not type_form.fullmatch(value):
                bad[value] = ("csv.type", {"found": _show(value), "expected": _t(f"type_{spec.kind}")})
            elif not spec.form.fullmatch(value):
                form = _t(_FORM_TEXT.get(spec.name, "form_other"))
                bad[value] = ("csv.pattern", {"found": _show(value), "expected": form})
    if spec.minimum is not None and spec.minimum > 0 and spec.kind in ("integer", "number"):
        minimum = spec.minimum
        for value in filled:
            if value not in bad and float(value) < minimum:
                bad[value] = ("csv.type", {"found": _show(value), "expected": f"≥ {minimum:g}"})
    if not bad:
        return
    for i, value in enumerate(column):
        if value in bad:
            if problems.full:
                return
            code, params = bad[value]
            problems.add(code, file, i + 2, spec.name, **params)


def _all_match(spec: _Column, values: set[str]) -> bool:
    """Every value matches the column's form: one regex run over them all when they are many."""
    assert spec.form is not None
    if len(values) > 16 and spec.bulk is not None:
        joined = "\n".join(values)
        if joined.count("\n") == len(values) - 1 and spec.bulk.fullmatch(joined):
            return True
    return all(spec.form.fullmatch(value) for value in values)


def _unknown_code(value: str, manifest: _Manifest) -> dict[str, str]:
    return {"found": _show(value), "release": _show(manifest.data["schema_release"]), "known": SCHEMA_RELEASE}


def _check_unique(resource: _Resource, columns: list[list[str]], distinct: list[set[str]], problems: _Problems) -> None:
    keys: list[tuple[int, ...]] = [(i,) for i, spec in enumerate(resource.columns) if spec.unique]
    if resource.primary_key and resource.primary_key not in keys:
        keys.append(resource.primary_key)
    for positions in keys:
        if len(positions) == 1:
            column: Sequence[object] = columns[positions[0]]
            count = len(distinct[positions[0]])
        else:
            column = list(zip(*(columns[i] for i in positions), strict=True))
            count = len(set(column))
        if count == len(column):
            continue
        first: dict[object, int] = {}
        label = "+".join(resource.columns[i].name for i in positions)
        for i, value in enumerate(column):
            if value in first:
                shown = " / ".join(value) if isinstance(value, tuple) else str(value)
                problems.add("csv.duplicate", resource.file, i + 2, label, found=_show(shown), first=str(first[value]))
                if problems.full:
                    return
            else:
                first[value] = i + 2


# ---- 9. consistency

_PROVIDER_KEY = re.compile(r"[A-Za-z0-9._:-]{1,36}")  # a directory uid (desktop/services/directory_file.py)


def _check_consistency(tables: Mapping[str, _Table], manifest: _Manifest) -> None:
    problems = _Problems()
    data = manifest.data
    persons, referrals, indicators = tables[PERSONS], tables[REFERRALS], tables[INDICATORS]
    period = data["period"]
    counts, listed = data["persons"], data["referrals"]

    # referrals.person_key -> persons.csv
    unknown = referrals.values("person_key") - persons.values("person_key") - {""}
    if unknown:
        for i, value in enumerate(referrals.column("person_key")):
            if value in unknown and not problems.full:
                problems.add("consistency.person_unknown", REFERRALS, i + 2, "person_key", found=_show(value))

    # the manifest's counts
    def manifest_count(label: str, what: str, expected: int, found: int) -> None:
        if expected != found:
            problems.add(
                "consistency.manifest", MANIFEST, 0, label, what=what, expected=str(expected), found=str(found)
            )

    manifest_count("persons.written", _t("persons_rows"), persons.rows, counts["written"])
    manifest_count(
        "persons.written",
        _t("population_minus_suppressed"),
        counts["population"] - counts["suppressed"],
        counts["written"],
    )
    if counts["generalised"] > counts["written"]:
        problems.add(
            "consistency.generalised",
            MANIFEST,
            0,
            "persons.generalised",
            found=str(counts["generalised"]),
            written=str(counts["written"]),
        )
    manifest_count("referrals.written", _t("referrals_rows"), referrals.rows, listed["written"])
    blanked = referrals.column("person_key").count("")
    manifest_count("referrals.person_key_blanked", _t("blanked_rows"), blanked, listed["person_key_blanked"])

    # no first_reception after the period
    late = {value for value in persons.values("first_reception") if _after(value, period)}
    if late:
        for i, value in enumerate(persons.column("first_reception")):
            if value in late and not problems.full:
                problems.add(
                    "consistency.first_reception", PERSONS, i + 2, "first_reception", found=_show(value), period=period
                )

    totals = _check_indicators(indicators, manifest, problems)
    _check_figures(totals, persons, referrals, manifest, problems)
    problems.raise_any()


def _after(value: str, period: str) -> bool:
    """A first reception (YYYY-MM, YYYY-Qn or YYYY) that begins after the period YYYY-MM."""
    if len(value) == 7 and value[5] == "Q":
        return f"{value[:4]}-{(int(value[6]) - 1) * 3 + 1:02d}" > period
    return value[:4] > period[:4] if len(value) == 4 else value > period


@dataclass(frozen=True)
class _Figure:
    line: int
    value: int
    base: int | None


def _check_indicators(table: _Table, manifest: _Manifest, problems: _Problems) -> dict[str, _Figure]:
    """Each row against the catalogue; then totals present and single-valued breakdowns adding up."""
    totals: dict[str, _Figure] = {}
    sums: dict[tuple[str, str], list[int]] = {}
    present: set[str] = set()  # indicators with a total row, good or not
    broken: set[str] = set()  # indicators with a row in error: their sums are not checked
    rows = zip(*table.columns, strict=True)
    for line, (code, unit, dimension, key, value, base) in enumerate(rows, start=2):
        indicator = BY_CODE.get(code)
        if indicator is None:
            continue  # not in the reader's catalogue: refused as a code by check 8
        if dimension == "total":
            present.add(code)
        figure = _indicator_row(indicator, line, (unit, dimension, key, value, base), manifest, problems)
        if figure is None:
            broken.add(code)
        elif dimension == "total":
            totals[code] = figure
        elif indicator.unit != Unit.DAYS and dimension not in MULTI_VALUED:
            added = sums.setdefault((code, dimension), [0, 0])
            added[0] += figure.value
            added[1] += figure.base or 0
    for indicator in CATALOGUE:
        if indicator.code not in present:
            problems.add("consistency.total_missing", INDICATORS, indicator=indicator.code)
        if indicator.code not in totals or indicator.code in broken or indicator.unit == Unit.DAYS:
            continue
        total = totals[indicator.code]
        for dimension in indicator.breakdowns:
            if dimension in MULTI_VALUED:
                continue
            value, base = sums.get((indicator.code, dimension), [0, 0])
            checks = [("value", total.value, value)]
            if indicator.unit == Unit.RATE:
                checks.append(("base", total.base or 0, base))
            for column, expected, found in checks:
                if expected != found:
                    problems.add(
                        "consistency.sum",
                        INDICATORS,
                        total.line,
                        column,
                        indicator=indicator.code,
                        dimension=dimension,
                        expected=str(expected),
                        found=str(found),
                    )
    return totals


def _indicator_row(
    indicator: Indicator, line: int, cells: tuple[str, str, str, str, str], manifest: _Manifest, problems: _Problems
) -> _Figure | None:
    """One row of indicators.csv against the catalogue; None after a problem."""
    unit, dimension, key, value, base = cells
    code = indicator.code
    if unit != indicator.unit.value:
        problems.add(
            "consistency.unit",
            INDICATORS,
            line,
            "unit",
            found=_show(unit),
            expected=indicator.unit.value,
            indicator=code,
        )
        return None
    if dimension == "total":
        if key != "total":
            problems.add(
                "consistency.key", INDICATORS, line, "key", found=_show(key), dimension=dimension, allowed="total"
            )
            return None
    elif dimension not in indicator.breakdowns:
        if manifest.newer:
            problems.add("schema.unknown_code", INDICATORS, line, "dimension", **_unknown_code(dimension, manifest))
        else:
            problems.add(
                "consistency.dimension",
                INDICATORS,
                line,
                "dimension",
                found=_show(dimension),
                indicator=code,
                allowed=", ".join(("total", *indicator.breakdowns)),
            )
        return None
    elif not _key_ok(dimension, key):
        if manifest.newer and dimension != "provider":
            problems.add("schema.unknown_code", INDICATORS, line, "key", **_unknown_code(key, manifest))
        else:
            allowed = "uid, none" if dimension == "provider" else ", ".join(DIMENSION_VALUES[dimension])
            problems.add(
                "consistency.key", INDICATORS, line, "key", found=_show(key), dimension=dimension, allowed=allowed
            )
        return None
    return _figure(indicator.unit, line, value, base, problems)


def _key_ok(dimension: str, key: str) -> bool:
    if dimension == "provider":
        return key == "none" or _PROVIDER_KEY.fullmatch(key) is not None
    return key in _dimension_values()[dimension]


@cache
def _dimension_values() -> dict[str, frozenset[str]]:
    return {dimension: frozenset(values) for dimension, values in DIMENSION_VALUES.items()}


def _figure(unit: Unit, line: int, value: str, base: str, problems: _Problems) -> _Figure | None:
    """value and base as the unit wants them (§7), or None after a problem."""

    def wrong(why: str, column: str) -> None:
        problems.add("consistency.value", INDICATORS, line, column, why=why, unit=unit.value)

    if unit == Unit.DAYS:
        if base == "":
            wrong(_t("base_required"), "base")
        elif base == "0" and value != "":
            wrong(_t("median_without_base"), "value")
        elif base != "0" and (value == "" or (float(value) * 2) % 1):
            wrong(_t("median_half"), "value")
        else:
            return _Figure(line, 0, int(base))
    elif value == "" or "." in value:
        wrong(_t("value_integer"), "value")
    elif unit == Unit.RATE:
        if base == "":
            wrong(_t("base_required"), "base")
        elif int(value) > int(base):
            wrong(_t("rate_above_base"), "value")
        else:
            return _Figure(line, int(value), int(base))
    elif base != "":
        wrong(_t("base_for_count"), "base")
    else:
        return _Figure(line, int(value), None)
    return None


def _check_figures(
    totals: Mapping[str, _Figure], persons: _Table, referrals: _Table, manifest: _Manifest, problems: _Problems
) -> None:
    """Indicator totals that referrals.csv and persons.csv also tell."""
    period = manifest.data["period"]
    direction = referrals.column("direction")
    outgoing_sent = sum(
        1 for d, m in zip(direction, referrals.column("month_sent"), strict=True) if d == "outgoing" and m == period
    )
    countered = sum(
        1 for d, m in zip(direction, referrals.column("counter_month"), strict=True) if d == "outgoing" and m == period
    )
    expected = (
        ("referrals_sent", "value", outgoing_sent, _t("outgoing_sent")),
        ("counter_referral_rate", "base", outgoing_sent, _t("outgoing_sent")),
        ("referrals_incoming", "value", direction.count("incoming"), _t("incoming_rows")),
        ("counter_referrals", "value", countered, _t("countered_rows")),
        ("overdue_at_end", "value", referrals.column("overdue_at_end").count("1"), _t("overdue_rows")),
    )
    for code, column, count, what in expected:
        total = totals.get(code)
        if total is None:
            continue
        found = total.value if column == "value" else total.base
        if found != count:
            problems.add(
                "consistency.figure",
                INDICATORS,
                total.line,
                column,
                indicator=code,
                what=what,
                expected=str(count),
                found=str(found),
            )
    received = totals.get("people_received")
    if received is not None:
        low = persons.column("received_in_month").count("1")
        high = low + manifest.data["persons"]["suppressed"]
        if not low <= received.value <= high:
            problems.add(
                "consistency.people_received",
                INDICATORS,
                received.line,
                "value",
                found=str(received.value),
                low=str(low),
                high=str(high),
            )


# ---- 10. k-anonymity


def _check_k_anonymity(persons: _Table, manifest: _Manifest) -> None:
    k = manifest.data["k"]
    if k < K:
        raise _stop("privacy.k_declared", file=MANIFEST, field="k", found=str(k), k=str(K))
    qi = [persons.column(name) for name in QUASI_IDENTIFIERS]
    sizes = Counter(zip(*qi, strict=True))
    small = {qis for qis, size in sizes.items() if size < k}
    if not small:
        return
    lines: dict[tuple[str, ...], list[int]] = {}
    for i, qis in enumerate(zip(*qi, strict=True)):
        if qis in small:
            lines.setdefault(qis, []).append(i + 2)
    problems = _Problems()
    for qis, found in sorted(lines.items(), key=lambda item: item[1][0]):
        shown = ", ".join(map(str, found[:_LINES_SHOWN])) + (", …" if len(found) > _LINES_SHOWN else "")
        problems.add("privacy.k", PERSONS, found[0], lines=shown, size=str(sizes[qis]), k=str(k))
    problems.raise_any()
