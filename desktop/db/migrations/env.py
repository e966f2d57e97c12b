"""Alembic environment: always run on the office's own (already keyed) connection."""

from __future__ import annotations

from alembic import context

from desktop.db.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only autogenerate from a developer's shell
    raise RuntimeError("BAOM migrations run through desktop.db.migrate, with a connection")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
