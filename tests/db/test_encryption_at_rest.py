"""Nothing readable on disk: the database, its WAL and shared memory, the backup."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

from desktop.db.keys import keys_path
from desktop.db.models import IdentityDocument, Person, utcnow
from desktop.services import maintenance
from desktop.services import office as office_service
from tests.conftest import ADMIN_PASSWORD

CANARY_NAME = "Canaryfictif"
CANARY_PHONE = "0600999888"
CANARY_DOC = "ZZCANARY0001"


def _needles() -> list[bytes]:
    needles = [b"SQLite format 3", b"audit_entry", b"user_account", b"CREATE TABLE", b"Admin Fictif"]
    for word in (CANARY_NAME, CANARY_PHONE, CANARY_DOC, "Exemple-Canari"):
        needles.append(word.encode("utf-8"))
        needles.append(word.encode("utf-16-le"))
    return needles


def _assert_unreadable(data: bytes, what: str) -> None:
    assert data, f"{what} is empty: nothing was checked"
    for needle in _needles():
        assert needle not in data, f"{needle!r} readable in {what}"


def _office_files(path: Path) -> list[Path]:
    return [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]


def _insert_canary(handle: office_service.OfficeHandle) -> None:
    with handle.transaction() as session:
        for i in range(30):  # enough rows for several pages in the WAL
            person = Person(
                family_name=CANARY_NAME,
                given_name=f"Exemple-Canari {i}",
                sex="F",
                birth_date=date(1990, 1, 1),
                nationality="ZZ",
                category="migrant",
                phone=CANARY_PHONE,
                created_at=utcnow(),
            )
            session.add(person)
            session.flush()
            session.add(
                IdentityDocument(person_id=person.id, kind="passport", number=CANARY_DOC, number_key=CANARY_DOC)
            )


def test_canary_is_stored_and_readable_through_the_office(office) -> None:  # type: ignore[no-untyped-def]
    """The control: the canary is really there, so its absence on disk means encryption."""
    handle, _code, _path = office
    _insert_canary(handle)
    with handle.transaction() as session:
        person = session.query(Person).filter(Person.phone == CANARY_PHONE).first()
        assert person is not None and person.family_name == CANARY_NAME


def test_open_office_files_are_unreadable(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, path = office
    _insert_canary(handle)
    wal = Path(f"{path}-wal")
    assert wal.exists() and wal.stat().st_size > 0, "the WAL should hold the new pages while open"
    for file in _office_files(path):
        _assert_unreadable(file.read_bytes(), file.name)


def test_closed_office_files_are_unreadable(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, path = office
    _insert_canary(handle)
    handle.close()
    files = _office_files(path)
    assert path in files
    for file in files:
        _assert_unreadable(file.read_bytes(), file.name)
    _assert_unreadable(keys_path(path).read_bytes(), "keys file")
    # and the canary really is in there: the office opens and finds it
    again = office_service.unlock(path, "admin", ADMIN_PASSWORD)
    try:
        with again.transaction() as session:
            assert session.query(Person).filter(Person.family_name == CANARY_NAME).count() == 30
    finally:
        again.close()


def test_backup_is_unreadable(office, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    handle, _code, _path = office
    _insert_canary(handle)
    out = tmp_path / "sauvegarde.baom"
    maintenance.backup_office(handle, out)
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        assert maintenance.DB_MEMBER in names
        db_bytes = archive.read(maintenance.DB_MEMBER)
        assert len(db_bytes) > 4096
        _assert_unreadable(db_bytes, "backup db member")
        for name in names - {maintenance.DB_MEMBER}:
            data = archive.read(name)
            for needle in (CANARY_NAME.encode(), CANARY_PHONE.encode(), b"admin", b"Admin Fictif"):
                assert needle not in data, f"{needle!r} readable in backup member {name}"
    _assert_unreadable(out.read_bytes(), "backup zip")
