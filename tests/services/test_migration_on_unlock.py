"""Schema changes run on unlock, after an automatic backup; a newer file is refused."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import text

from desktop.db import migrate
from desktop.domain.errors import InputRejected
from desktop.services import office

PASSWORD = "mot-de-passe-admin"

NEXT_REVISION = '''"""test: a later schema"""
import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("office") as batch:
        batch.add_column(sa.Column("motto", sa.String(80), nullable=False, server_default="fictif"))


def downgrade() -> None:
    with op.batch_alter_table("office") as batch:
        batch.drop_column("motto")
'''


def _create(path: Path) -> None:
    handle, _code = office.create_office(
        path,
        commune_code="09.001.01.01.",
        office_name="BAOM Fictif",
        admin_login="admin",
        admin_name="Admin Fictif",
        admin_password=PASSWORD,
    )
    handle.close()


def test_unlock_backs_up_then_migrates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "bureau.baomdb"
    _create(db)
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    head = migrate.head_revision()
    (scripts / "versions" / "9999_later.py").write_text(NEXT_REVISION.format(head=head), encoding="utf-8")
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", scripts)
    assert migrate.head_revision() == "9999"

    handle = office.unlock(db, "admin", PASSWORD)
    with handle, handle.engine.connect() as conn:
        assert conn.execute(text("SELECT motto FROM office")).scalar() == "fictif"
        assert migrate.current_revision(conn) == "9999"
    backups = list(tmp_path.glob("bureau-before-upgrade-*.baom"))
    assert len(backups) == 1
    with zipfile.ZipFile(backups[0]) as archive:
        assert archive.testzip() is None
        assert '"schema": "' + head in archive.read("manifest.json").decode()


def test_a_file_from_a_newer_baom_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "bureau.baomdb"
    _create(db)
    handle = office.unlock(db, "admin", PASSWORD)
    with handle, handle.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'zzzz'"))
    with pytest.raises(InputRejected) as caught:
        office.unlock(db, "admin", PASSWORD)
    assert caught.value.key == "error.db_newer"
    assert not list(tmp_path.glob("*before-upgrade*"))


def test_a_refused_change_is_not_called_damage(tmp_path: Path) -> None:
    """The append-only audit trigger refuses an edit: the person is not told to restore a backup."""
    db = tmp_path / "bureau.baomdb"
    _create(db)
    handle = office.unlock(db, "admin", PASSWORD)
    with handle, pytest.raises(InputRejected) as caught, handle.transaction() as session:
        session.execute(text("UPDATE audit_entry SET actor = 'x'"))
    assert caught.value.key == "error.db_refused"


def test_an_older_office_gets_its_extract_keys_when_migrated(tmp_path: Path) -> None:
    """0006 creates the pseudonym and signing secrets of an office made before it."""
    from alembic import command

    db = tmp_path / "bureau.baomdb"
    _create(db)
    handle = office.unlock(db, "admin", PASSWORD)
    try:
        with handle.engine.begin() as conn:
            before = dict(conn.execute(text("SELECT purpose, value FROM office_secret")).all())
            cfg = migrate._config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0005")
        with handle.engine.begin() as conn:
            assert conn.execute(text("SELECT name FROM sqlite_master WHERE name = 'office_secret'")).first() is None
        migrate.upgrade(handle.engine)
        with handle.engine.connect() as conn:
            after = dict(conn.execute(text("SELECT purpose, value FROM office_secret")).all())
    finally:
        handle.close()
    assert set(before) == set(after) == {"pseudonym", "signing"}
    assert all(len(value) == 32 for value in (*before.values(), *after.values()))
    assert after["pseudonym"] != after["signing"] and after != before  # fresh random keys
