"""The floor of every benchmark: the same SQL the services sent, replayed on an unencrypted copy."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import event

from desktop.services import office


class Recorder:
    """The SQL statements the services send (to replay them on the unencrypted copy)."""

    def __init__(self, handle: office.OfficeHandle) -> None:
        self.engine = handle.engine
        self.statements: list[tuple[str, Any]] = []
        event.listen(self.engine, "before_cursor_execute", self._seen)

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: object, _cursor: object, statement: str, parameters: Any, *_rest: object) -> None:
        if statement.strip().upper() not in ("BEGIN", "COMMIT", "ROLLBACK"):
            self.statements.append((statement, parameters))

    def take(self) -> list[tuple[str, Any]]:
        taken, self.statements = self.statements, []
        return taken


def replay(floor: sqlcipher3.Connection, statements: list[tuple[str, Any]]) -> float:
    start = time.perf_counter()
    for statement, parameters in statements:
        floor.execute(statement, parameters).fetchall()
    return time.perf_counter() - start


def plain_copy(handle: office.OfficeHandle, folder: Path) -> Path:
    """An unencrypted copy for the floor measurements (bench only)."""
    target = folder / "plain.sqlite"
    target.unlink(missing_ok=True)
    raw = handle.engine.raw_connection()
    try:
        conn = raw.driver_connection
        assert conn is not None
        conn.execute(f"ATTACH DATABASE '{target}' AS plain KEY ''")
        conn.execute("SELECT sqlcipher_export('plain')").fetchall()
        conn.execute("DETACH DATABASE plain")
    finally:
        raw.close()
    return target
