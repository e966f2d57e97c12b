"""office secrets: the extract's pseudonym key and signing key, never exported

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'office_secret',
        sa.Column('purpose', sa.String(length=32), nullable=False),
        sa.Column('value', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('purpose', name=op.f('pk_office_secret')),
    )
    # An existing office gets its keys now; a new one gets them with its first rows.
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT COUNT(*) FROM office")).scalar():
        now = datetime.now(UTC).strftime('%Y-%m-%d %H:%M:%S.%f')  # SQLAlchemy's SQLite DATETIME form
        for purpose in ('pseudonym', 'signing'):
            bind.execute(
                sa.text("INSERT INTO office_secret (purpose, value, created_at) VALUES (:p, :v, :t)"),
                {"p": purpose, "v": secrets.token_bytes(32), "t": now},
            )


def downgrade() -> None:
    op.drop_table('office_secret')
