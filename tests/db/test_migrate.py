"""Alembic revisions of an office database."""

from __future__ import annotations

from sqlalchemy import text

from desktop.db import migrate


def test_fresh_office_is_at_head(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, _path = office
    head = migrate.head_revision()
    assert head
    with handle.engine.connect() as conn:
        assert migrate.current_revision(conn) == head
    assert not migrate.needs_upgrade(handle.engine)
    assert not migrate.is_newer_than_app(handle.engine)


def test_unknown_revision_is_from_a_newer_app(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, _path = office
    with handle.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffffffff_futur'"))
    assert migrate.needs_upgrade(handle.engine)
    assert migrate.is_newer_than_app(handle.engine)


def test_schema_has_the_core_tables(office) -> None:  # type: ignore[no-untyped-def]
    handle, _code, _path = office
    with handle.engine.connect() as conn:
        names = set(conn.execute(text("SELECT name FROM sqlite_master")).scalars())
    for table in ("office", "setting", "user_account", "person", "case_file", "contact", "audit_entry", "audit_head"):
        assert table in names
    assert {"audit_entry_no_update", "audit_entry_no_delete"} <= names


def test_the_migrations_build_exactly_the_models(office) -> None:  # type: ignore[no-untyped-def]
    """A model changed without its migration (or the reverse) fails here, not on an office PC."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from desktop.db.models import Base

    handle, _code, _path = office
    with handle.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        diff = compare_metadata(context, Base.metadata)
    # the search index is a virtual FTS5 table the models do not describe
    diff = [d for d in diff if not (d[0] == "remove_table" and d[1].name.startswith("case_search"))]
    assert diff == []
