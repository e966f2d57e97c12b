"""Opening an office database: SQLCipher 4 with a raw key, one connection.

A mistyped path never creates an empty office (``mode=rw``); a wrong key and a
damaged file both surface as SQLCipher's "file is not a database", so the caller
(which has already proven the key through its slot) reports it as damage.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import StaticPool

from desktop.domain.errors import DatabaseDamaged, DatabaseMissing, DiskFull

SQLITE_FULL_WORDS = ("database or disk is full", "disk i/o error")


def _uri(path: Path, create: bool) -> str:
    return path.resolve().as_uri() + ("?mode=rwc" if create else "?mode=rw")


def raw_connect(path: Path, key: bytes, *, create: bool = False) -> sqlcipher3.Connection:
    """A keyed, configured DB-API connection, or a clear error."""
    if not create and not path.is_file():
        raise DatabaseMissing(str(path))
    try:
        conn = sqlcipher3.connect(_uri(path, create), uri=True, check_same_thread=False, isolation_level=None)
    except sqlcipher3.OperationalError as exc:
        raise DatabaseDamaged("error.db_unreadable") from exc
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = WAL").fetchone()
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA busy_timeout = 5000")
        conn.execute("PRAGMA cache_size = -32768")  # 32 MB of decrypted pages: sorts and lists at 100k cases
    except sqlcipher3.DatabaseError as exc:
        conn.close()
        if any(word in str(exc).lower() for word in SQLITE_FULL_WORDS):
            raise DiskFull() from exc
        raise DatabaseDamaged("error.db_damaged") from exc
    return conn


def open_engine(path: Path, key: bytes, *, create: bool = False) -> Engine:
    """A SQLAlchemy engine over exactly one keyed connection (StaticPool)."""
    conn = raw_connect(path, key, create=create)
    engine = create_engine(
        "sqlite://",
        module=sqlcipher3.dbapi2,
        creator=lambda: conn,
        poolclass=StaticPool,
        hide_parameters=True,  # no personal data in error messages or logs
    )

    # SQLAlchemy's documented recipe: let it emit BEGIN itself (the driver's
    # implicit transactions are off with isolation_level=None).
    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")

    # Let the pool adopt the connection now, so dispose() always closes it.
    engine.connect().close()
    return engine


def close_engine(engine: Engine) -> None:
    """Close the one connection so the key leaves SQLCipher's memory."""
    pool = engine.pool
    engine.dispose(close=True)
    with contextlib.suppress(Exception):  # best effort on an already closed pool
        pool.dispose()
