"""statistics: indexes that let a month's figures be read from indexes alone

Contacts, referrals sent and closed, vulnerability sheets and stage events get covering
or composite indexes (replacing the single-column ones they extend); open cases by stage.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# (table, old single-column index replaced, new index, its columns, partial WHERE)
_NEW = (
    ('contact', 'ix_contact_on_date', 'ix_contact_month', ['on_date', 'case_id', 'kind', 'channel', 'needs'], None),
    ('contact', 'ix_contact_case_id', 'ix_contact_case_on_date', ['case_id', 'on_date'], None),
    ('referral', 'ix_referral_sent_on', 'ix_referral_sent',
     ['sent_on', 'direction', 'domain', 'provider_id', 'urgency', 'counter_received_on', 'case_id'], None),
    ('referral', None, 'ix_referral_closed',
     ['closed_on', 'counter_received_on', 'direction', 'domain', 'outcome', 'sent_on', 'case_id', 'due_on',
      'provider_id'], None),
    ('vulnerability_sheet', 'ix_vulnerability_sheet_case_id', 'ix_vulnerability_sheet_case',
     ['case_id', 'assessed_on', 'level', 'criteria'], None),
    ('case_stage_event', 'ix_case_stage_event_case_id', 'ix_case_stage_event_case_on_date',
     ['case_id', 'on_date', 'stage'], None),
    ('case_stage_event', None, 'ix_case_stage_event_on_date', ['on_date', 'stage', 'reason', 'case_id'], None),
    ('case_file', 'ix_case_file_person_id', 'ix_case_file_person_opened', ['person_id', 'opened_on'], None),
    ('case_file', None, 'ix_case_file_open_stage', ['stage', 'opened_on', 'closed_on'], 'closed_on IS NULL'),
)
_OLD_COLUMNS = {
    'ix_contact_on_date': ['on_date'],
    'ix_contact_case_id': ['case_id'],
    'ix_referral_sent_on': ['sent_on'],
    'ix_vulnerability_sheet_case_id': ['case_id'],
    'ix_case_stage_event_case_id': ['case_id'],
    'ix_case_file_person_id': ['person_id'],
}


def upgrade() -> None:
    for table, old, new, columns, where in _NEW:
        with op.batch_alter_table(table, schema=None) as batch_op:
            if where:
                batch_op.create_index(new, columns, unique=False, sqlite_where=sa.text(where))
            else:
                batch_op.create_index(new, columns, unique=False)
            if old:
                batch_op.drop_index(old)


def downgrade() -> None:
    for table, old, new, _columns, _where in reversed(_NEW):
        with op.batch_alter_table(table, schema=None) as batch_op:
            if old:
                batch_op.create_index(old, _OLD_COLUMNS[old], unique=False)
            batch_op.drop_index(new)
