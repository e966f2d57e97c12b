"""Schema migrations (Alembic), run on the office's own connection."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def needs_upgrade(engine: Engine) -> bool:
    with engine.connect() as conn:
        return current_revision(conn) != head_revision()


def is_newer_than_app(engine: Engine) -> bool:
    """The file was written by a newer BAOM: opening it here could damage it."""
    with engine.connect() as conn:
        current = current_revision(conn)
    if current is None:
        return False
    script = ScriptDirectory.from_config(_config())
    return all(r.revision != current for r in script.walk_revisions())


def schema_state(engine: Engine) -> str:
    """Current, older (migrate it) or newer (written by a newer BAOM), in one look."""
    with engine.connect() as conn:
        current = current_revision(conn)
    script = ScriptDirectory.from_config(_config())
    if current == script.get_current_head():
        return "current"
    if current is not None and all(r.revision != current for r in script.walk_revisions()):
        return "newer"
    return "older"


def upgrade(engine: Engine) -> None:
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
