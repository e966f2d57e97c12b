"""Exchanging the service directory with the regional secretariat: export, preview, merge.

The secretariat circulates a regional map; each office merges it into its own directory
(and may send its own back). The file format is in :mod:`desktop.services.directory_file`
and docs/annuaire-echange.md.

Import is two steps, as at the counter: :func:`preview_directory_import` reads the file,
checks every line and compares it with the office — providers **added**, **changed**
(field by field, old → new), **unchanged**, and those **only in the office** — and writes
nothing; a file with any problem is refused whole. :func:`apply_directory_import` then
writes it in one transaction.

The rules:

- A line matches a provider of the office by ``uid``, else by its folded French name and
  commune (a file made by hand may have no uid; a file without a ``commune`` column matches
  by name alone). A provider matched by name takes the file's uid, so the next exchange
  matches by uid.
- Nothing is deleted: providers only in the office stay as they are (listed); services only
  in the office stay too. To withdraw something, the file says ``actif = non``.
- A column the file does not have leaves that field of a known provider as it is.
- The most recently verified copy wins: when the office verified a provider later than the
  file's ``verifie_le`` (an empty date counting as the oldest), the office's row is kept and
  shown as "kept (more recent here)"; otherwise — file newer, same day, neither dated —
  the file's values are written.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.db.files import atomic_write_bytes
from desktop.db.models import Provider
from desktop.domain.audit import AuditAction, RecordType
from desktop.domain.errors import BaomError, InputRejected
from desktop.domain.users import Role
from desktop.services import office
from desktop.services.directory import check_provider, provider_input, save_provider_in
from desktop.services.directory_file import (
    PROVIDER_COLUMNS,
    PROVIDER_NAMES,
    PROVIDER_SHEET,
    SERVICE_NAMES,
    SERVICE_SHEET,
    SERVICES_COLUMN,
    DirectoryProblem,
    Line,
    Table,
    csv_bytes,
    overlay,
    provider_cells,
    read_provider,
    read_service,
    read_services_cell,
    read_uid,
    service_cells,
    service_key,
    table,
    xlsx_bytes,
)
from desktop.services.office import OfficeHandle
from desktop.services.referral_types import ProviderInput, ServiceInput
from desktop.services.register_file import ACTIVE, read_rows
from desktop.services.register_values import fold

FORMATS = (".xlsx", ".csv")
AUDIT_TAG = "directory"
# check_provider's keys -> the column they speak of (for the problems of a line)
CHECK_COLUMNS = {
    "directory.error.name_required": "nom",
    "directory.error.kind": "type",
    "directory.error.domains": "domaines",
    "directory.error.coverage": "couverture",
    "directory.error.commune_required": "commune",
    "error.commune_unknown": "commune",
    "directory.error.email": "email",
    "directory.error.hours": "horaires_lun",
    "error.language_invalid": "langues",
    "directory.error.cost": "cout",
    "directory.error.publics": "publics",
    "directory.error.service_name": SERVICES_COLUMN,
}


@dataclass(frozen=True)
class FieldChange:
    column: str  # the file's column name (``telephone``, ``services``…)
    old: str
    new: str


@dataclass
class DirectoryEntry:
    """One provider of the file, and what applying the file does to it."""

    line: int
    name: str  # French name, else Arabic
    data: ProviderInput  # what applying writes (the office's services keep their ids)
    provider_id: int | None = None  # the office's provider it matches; None: added
    changes: list[FieldChange] = field(default_factory=list)
    kept: bool = False  # the office verified it more recently: left as it is

    @property
    def fields(self) -> list[str]:
        return [c.column for c in self.changes]


@dataclass(frozen=True)
class LocalProvider:
    """A provider of the office that the file does not name: shown, never deleted."""

    provider_id: int
    uid: str
    name: str
    commune_code: str


@dataclass
class DirectoryImportPreview:
    sha256: str
    added: list[DirectoryEntry]
    changed: list[DirectoryEntry]  # with the kept ones (``kept`` True)
    unchanged: list[DirectoryEntry]
    local_only: list[LocalProvider]
    problems: list[DirectoryProblem]
    ignored_columns: list[str]
    directory_digest: str  # the office's directory when the file was read

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def kept(self) -> list[DirectoryEntry]:
        return [e for e in self.changed if e.kept]


@dataclass(frozen=True)
class DirectoryImportResult:
    added: int
    changed: int
    kept: int
    unchanged: int
    local_only: int


# -- export ------------------------------------------------------------------------------
def export_directory(handle: OfficeHandle, path: Path) -> int:
    """Write every provider (active or not) and its services to ``path`` (.xlsx or .csv).

    The write is atomic and audited; returns the number of providers.
    """
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InputRejected("directory.export.format", suffix=suffix or "?")
    with handle.transaction() as session:
        providers = _local(session)
        providers.sort(key=lambda d: ((d.name_fr or d.name_ar).casefold(), d.uid))
        data = xlsx_bytes(providers) if suffix == ".xlsx" else csv_bytes(providers)
        try:
            atomic_write_bytes(path, data)
        except BaomError:
            raise
        except OSError:
            raise InputRejected("directory.export.unwritable", path=str(path)) from None
        detail = f"{AUDIT_TAG} {suffix[1:]}: {len(providers)} providers"
        handle.audit(session, AuditAction.EXPORTED, RecordType.PROVIDER, "", detail)
    return len(providers)


def _local(session: Session) -> list[ProviderInput]:
    return [provider_input(session, p) for p in session.scalars(select(Provider).order_by(Provider.id))]


def _ids(session: Session) -> list[int]:
    return list(session.scalars(select(Provider.id).order_by(Provider.id)))


def _digest(providers: list[ProviderInput], ids: list[int]) -> str:
    return hashlib.sha256(repr((ids, providers)).encode("utf-8")).hexdigest()


# -- preview -----------------------------------------------------------------------------
def preview_directory_import(handle: OfficeHandle, path: Path, today: date | None = None) -> DirectoryImportPreview:
    """Every problem of the file, and what it would add and change; writes nothing."""
    handle.require(Role.SUPERVISOR)
    today = today or date.today()
    sheets = read_rows(path, (PROVIDER_SHEET, SERVICE_SHEET))
    main = table(sheets.get(PROVIDER_SHEET) or sheets[ACTIVE], "", PROVIDER_NAMES, (("uid", "nom", "nom_ar"),))
    services_sheet = None
    if SERVICE_SHEET in sheets and any(any(c is not None for c in cells) for _, cells in sheets[SERVICE_SHEET].rows):
        required = (("structure_uid", "structure"), ("nom", "nom_ar"), ("domaine",))
        services_sheet = table(sheets[SERVICE_SHEET], SERVICE_SHEET, SERVICE_NAMES, required)
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        raise InputRejected("import.file_unreadable") from None
    with handle.transaction() as session:
        ids = _ids(session)
        local = dict(zip(ids, _local(session), strict=True))
    merge = _Merge(local, _office_province(handle), today)
    merge.read(main, services_sheet)
    ignored = main.ignored + (services_sheet.ignored if services_sheet else [])
    return DirectoryImportPreview(
        sha256=digest,
        added=merge.added,
        changed=merge.changed,
        unchanged=merge.unchanged,
        local_only=merge.local_only(),
        problems=merge.problems,
        ignored_columns=ignored,
        directory_digest=_digest(list(local.values()), ids),
    )


def _office_province(handle: OfficeHandle) -> str:
    from desktop.domain.geography import geography

    try:
        return geography().commune(office.office_info(handle).commune_code).province_code
    except KeyError:
        return ""


class _Merge:
    """Reads the file's lines against the office's directory."""

    def __init__(self, local: dict[int, ProviderInput], province: str, today: date) -> None:
        self.local = local
        self.province = province
        self.today = today
        self.by_uid = {d.uid: pid for pid, d in local.items()}
        self.by_name: dict[tuple[str, str], list[int]] = {}
        for pid, d in local.items():
            self.by_name.setdefault((fold(d.name_fr), d.commune_code), []).append(pid)
        self.added: list[DirectoryEntry] = []
        self.changed: list[DirectoryEntry] = []
        self.unchanged: list[DirectoryEntry] = []
        self.problems: list[DirectoryProblem] = []
        self.matched: dict[int, int] = {}  # provider id -> file line
        self.new_keys: dict[tuple[str, str], int] = {}  # an added provider's name key -> file line
        self.uids: dict[str, int] = {}  # uid -> file line

    def read(self, main: Table, services_sheet: Table | None) -> None:
        lines = [Line(main, number, cells) for number, cells in main.lines]
        file_services = self._services_sheet(services_sheet, lines) if services_sheet else None
        for line in lines:
            services = file_services.get(line.number, []) if file_services is not None else None
            if line.has(SERVICES_COLUMN):
                services = read_services_cell(line)
            self._line(line, services)
            self.problems += line.problems

    def _services_sheet(self, sheet: Table, lines: list[Line]) -> dict[int, list[ServiceInput]]:
        """The services of each provider line (by its number), from the services sheet."""
        by_uid: dict[str, int] = {}
        by_name: dict[str, list[int]] = {}
        for line in lines:
            uid = line.text("uid") if line.has("uid") else ""
            if uid:
                by_uid.setdefault(uid, line.number)
            by_name.setdefault(fold(line.text("nom")), []).append(line.number)
        found: dict[int, list[ServiceInput]] = {}
        for number, cells in sheet.lines:
            row = Line(sheet, number, cells)
            uid, name = row.text("structure_uid"), row.text("structure")
            owners = [by_uid[uid]] if uid in by_uid else ([] if uid else by_name.get(fold(name), []))
            service = read_service(row)
            if len(owners) != 1:
                column = "structure_uid" if uid or not row.has("structure") else "structure"
                row.problem(column, "directory.import.service_provider_unknown", value=(uid or name)[:40])
            elif service is not None:
                found.setdefault(owners[0], []).append(service)
            self.problems += row.problems
        return found

    def _line(self, line: Line, services: list[ServiceInput] | None) -> None:
        uid = read_uid(line)
        if uid and uid in self.uids:
            line.problem("uid", "directory.import.uid_twice", line=self.uids[uid])
        elif uid:
            self.uids[uid] = line.number
        read = read_provider(line, self.province, self.today)
        name_key = (fold(read.name_fr), read.commune_code if line.has("commune") else "")
        provider_id = self._match(line, uid, name_key)
        base = self.local[provider_id] if provider_id is not None else read
        data = overlay(base, read, line)
        data.uid = uid or base.uid
        if services is not None:
            if len({service_key(s) for s in services}) < len(services):
                line.problem(SERVICES_COLUMN, "directory.import.service_twice")
            data.services = _merge_services(base.services, services)
        try:
            check_provider(data)
        except InputRejected as rejected:
            line.problem(CHECK_COLUMNS.get(rejected.key, ""), rejected.key, **rejected.params)
        if line.problems:
            return
        entry = DirectoryEntry(line.number, data.name_fr or data.name_ar, data, provider_id)
        if provider_id is None:
            self.new_keys.setdefault(name_key, line.number)
            self.added.append(entry)
            return
        entry.changes = _changes(base, data)
        local_newer = base.verified_on is not None and (data.verified_on is None or base.verified_on > data.verified_on)
        if local_newer:  # the office's later date is no news; its other values are kept
            entry.changes = [c for c in entry.changes if c.column != "verifie_le"]
            entry.kept = bool(entry.changes)
        (self.changed if entry.changes else self.unchanged).append(entry)

    def _match(self, line: Line, uid: str, name_key: tuple[str, str]) -> int | None:
        """The office's provider this line speaks of (None: a new one); a problem when unclear."""
        found: int | None = None
        if uid and uid in self.by_uid:
            found = self.by_uid[uid]
        elif name_key[0]:
            if line.has("commune"):
                candidates = self.by_name.get(name_key, [])
            else:
                candidates = [pid for (name, _), pids in self.by_name.items() if name == name_key[0] for pid in pids]
            if len(candidates) > 1:
                line.problem("nom", "directory.import.local_ambiguous", count=len(candidates))
                return None
            found = candidates[0] if candidates else None
            if found is None and name_key in self.new_keys:
                line.problem("nom", "directory.import.same_provider", line=self.new_keys[name_key])
        if found is not None and found in self.matched:
            line.problem("uid" if uid else "nom", "directory.import.same_provider", line=self.matched[found])
        elif found is not None:
            self.matched[found] = line.number
        return found

    def local_only(self) -> list[LocalProvider]:
        rest = [
            LocalProvider(pid, d.uid, d.name_fr or d.name_ar, d.commune_code)
            for pid, d in self.local.items()
            if pid not in self.matched
        ]
        return sorted(rest, key=lambda p: p.name.casefold())


def _merge_services(local: list[ServiceInput], file: list[ServiceInput]) -> list[ServiceInput]:
    """The office's services updated from the file's (same domain and name), then the new ones."""
    from_file = {service_key(s): s for s in file}
    merged: list[ServiceInput] = []
    for s in local:
        update = from_file.pop(service_key(s), None)
        merged.append(s if update is None else replace(update, id=s.id))
    return merged + list(from_file.values())


def _shown(value: str | date | None) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else value


def _services_text(services: list[ServiceInput]) -> str:
    parts = []
    for s in services:
        cells = service_cells(s)
        shown = [f"{cells['domaine']}: {cells['nom']}"]
        shown += [f"{k}={cells[k]}" for k in ("nom_ar", "conditions", "contact") if cells[k]]
        if not s.active:
            shown.append(f"actif={cells['actif']}")
        parts.append(", ".join(shown))
    return "; ".join(parts)


def _changes(old: ProviderInput, new: ProviderInput) -> list[FieldChange]:
    before, after = provider_cells(old), provider_cells(new)
    changes = [
        FieldChange(column, _shown(before[column]), _shown(after[column]))
        for column in PROVIDER_COLUMNS
        if before[column] != after[column]
    ]
    old_services, new_services = _services_text(old.services), _services_text(new.services)
    if old_services != new_services:
        changes.append(FieldChange(SERVICES_COLUMN, old_services, new_services))
    return changes


# -- apply -------------------------------------------------------------------------------
def apply_directory_import(handle: OfficeHandle, preview: DirectoryImportPreview) -> DirectoryImportResult:
    """Write the previewed file in one transaction: added, then changed (not the kept ones).

    Refused when the preview has problems, or when the office's directory changed since
    the file was read (read it again).
    """
    handle.require(Role.SUPERVISOR)
    if not preview.ok:
        raise InputRejected("directory.import.has_problems", count=len(preview.problems))
    written = [e for e in preview.changed if not e.kept]
    result = DirectoryImportResult(
        added=len(preview.added),
        changed=len(written),
        kept=len(preview.kept),
        unchanged=len(preview.unchanged),
        local_only=len(preview.local_only),
    )
    with handle.transaction() as session:
        ids = _ids(session)
        if _digest(_local(session), ids) != preview.directory_digest:
            raise InputRejected("directory.import.stale")
        for entry in written:
            save_provider_in(session, handle, entry.data, entry.provider_id)
        for entry in preview.added:
            save_provider_in(session, handle, entry.data, None)
        counts = (
            f"{result.added} added, {result.changed} changed, {result.kept} kept, "
            f"{result.unchanged} unchanged, {result.local_only} local only"
        )
        detail = f"{AUDIT_TAG} {preview.sha256[:16]}: {counts}"
        handle.audit(session, AuditAction.IMPORTED, RecordType.PROVIDER, "", detail)
    return result
