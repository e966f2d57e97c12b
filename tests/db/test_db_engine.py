"""Opening SQLCipher files: raw key, mode=rw, pragmas, clear errors."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
import sqlcipher3
from sqlalchemy import text

from desktop.db.engine import close_engine, open_engine, raw_connect
from desktop.domain.errors import EXIT_DAMAGED, DatabaseDamaged, DatabaseMissing


@pytest.fixture
def db(tmp_path: Path) -> tuple[Path, bytes]:
    path = tmp_path / "essai.baomdb"
    key = secrets.token_bytes(32)
    conn = raw_connect(path, key, create=True)
    conn.execute("CREATE TABLE essai (id INTEGER PRIMARY KEY, nom TEXT)")
    conn.execute("INSERT INTO essai (nom) VALUES ('Fictif Exemple')")
    conn.close()
    return path, key


def test_pragmas_of_an_opened_database(db: tuple[Path, bytes]) -> None:
    path, key = db
    conn = raw_connect(path, key)
    try:
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA temp_store").fetchone()[0] == 2  # MEMORY
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
        assert conn.execute("PRAGMA cipher_version").fetchone()[0].startswith("4.")
        assert conn.execute("SELECT nom FROM essai").fetchall() == [("Fictif Exemple",)]
    finally:
        conn.close()


def test_wrong_key_is_reported_as_damage(db: tuple[Path, bytes]) -> None:
    """The caller proved the key through its slot: a refusal here means a damaged file."""
    path, _key = db
    with pytest.raises(DatabaseDamaged) as info:
        raw_connect(path, secrets.token_bytes(32))
    assert info.value.key == "error.db_damaged"
    assert info.value.exit_code == EXIT_DAMAGED


def test_plain_sqlite_file_is_not_opened_as_an_office(tmp_path: Path) -> None:
    path = tmp_path / "plain.db"
    conn = sqlcipher3.connect(str(path))
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(DatabaseDamaged):
        raw_connect(path, secrets.token_bytes(32))


def test_missing_file_is_never_created(tmp_path: Path) -> None:
    path = tmp_path / "faute-de-frappe.baomdb"
    with pytest.raises(DatabaseMissing) as info:
        raw_connect(path, secrets.token_bytes(32))
    assert info.value.key == "error.db_missing"
    assert info.value.exit_code == EXIT_DAMAGED
    with pytest.raises(DatabaseMissing):
        open_engine(path, secrets.token_bytes(32))
    assert list(tmp_path.iterdir()) == []


def test_folder_instead_of_file_is_missing(tmp_path: Path) -> None:
    with pytest.raises(DatabaseMissing):
        raw_connect(tmp_path, secrets.token_bytes(32))


def test_engine_uses_exactly_one_connection(db: tuple[Path, bytes]) -> None:
    path, key = db
    engine = open_engine(path, key)
    try:
        with engine.connect() as one, engine.connect() as two:
            assert one.connection.driver_connection is two.connection.driver_connection
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO essai (nom) VALUES ('Exemple Deux')"))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM essai")).scalar_one() == 2
    finally:
        close_engine(engine)


def test_rolled_back_transaction_leaves_nothing(db: tuple[Path, bytes]) -> None:
    path, key = db
    engine = open_engine(path, key)
    try:
        with pytest.raises(RuntimeError), engine.begin() as conn:
            conn.execute(text("INSERT INTO essai (nom) VALUES ('Annule Fictif')"))
            raise RuntimeError("stop")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM essai")).scalar_one() == 1
    finally:
        close_engine(engine)


def test_close_engine_closes_the_connection(db: tuple[Path, bytes]) -> None:
    path, key = db
    engine = open_engine(path, key)
    with engine.connect() as conn:
        driver = conn.connection.driver_connection
    close_engine(engine)
    with pytest.raises(sqlcipher3.ProgrammingError):
        driver.execute("SELECT 1")
    # the file closes cleanly: the WAL was checkpointed and removed
    assert not Path(f"{path}-wal").exists()


def _open_fds_on(path: Path) -> list[str]:
    fd_dir = Path("/proc/self/fd")
    found = []
    for fd in fd_dir.iterdir():
        try:
            target = str(fd.readlink())
        except OSError:
            continue
        if target.startswith(str(path.resolve())):
            found.append(target)
    return found


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to see open files")
def test_used_engine_leaves_no_open_file_after_close(db: tuple[Path, bytes]) -> None:
    path, key = db
    engine = open_engine(path, key)
    with engine.connect() as conn:
        conn.execute(text("SELECT count(*) FROM essai"))
    assert _open_fds_on(path)
    close_engine(engine)
    assert _open_fds_on(path) == []


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to see open files")
def test_unused_engine_leaves_no_open_file_after_close(db: tuple[Path, bytes]) -> None:
    """Regression: StaticPool adopted the eager connection only on first use, so it stayed open."""
    path, key = db
    engine = open_engine(path, key)
    assert _open_fds_on(path)
    close_engine(engine)
    assert _open_fds_on(path) == [], "the connection is still open after close_engine"
