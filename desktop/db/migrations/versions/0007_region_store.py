"""region store: registered offices and their keys, imported extracts and their rows

Empty in an office; filled in a regional database (office.kind = 'region').

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def _rows_of_an_import() -> list[sa.Column]:
    return [
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('import_id', sa.Integer(), nullable=False),
        sa.Column('commune_code', sa.String(length=16), nullable=False),
        sa.Column('period', sa.String(length=7), nullable=False),
    ]


def _keys(table: str) -> list[sa.Constraint]:
    return [
        sa.ForeignKeyConstraint(['import_id'], ['region_import.id'], name=op.f(f'fk_{table}_import_id_region_import'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
    ]


def upgrade() -> None:
    op.create_table('region_office',
    sa.Column('commune_code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('registered_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('commune_code', name=op.f('pk_region_office'))
    )
    op.create_table('region_office_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_code', sa.String(length=16), nullable=False),
    sa.Column('public_key', sa.LargeBinary(length=32), nullable=False),
    sa.Column('fingerprint', sa.String(length=39), nullable=False),
    sa.Column('created', sa.Date(), nullable=False),
    sa.Column('registered_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_from', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['commune_code'], ['region_office.commune_code'],
                            name=op.f('fk_region_office_key_commune_code_region_office'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_region_office_key')),
    sa.UniqueConstraint('commune_code', 'public_key', name=op.f('uq_region_office_key_commune_code'))
    )
    op.create_table('region_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_code', sa.String(length=16), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('manifest_sha256', sa.String(length=64), nullable=False),
    sa.Column('generated_at', sa.DateTime(), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.Column('first_imported_at', sa.DateTime(), nullable=False),
    sa.Column('imported_by', sa.String(length=64), nullable=False),
    sa.Column('signing_key', sa.String(length=39), nullable=False),
    sa.Column('key_series', sa.String(length=16), nullable=False),
    sa.Column('app_version', sa.String(length=32), nullable=False),
    sa.Column('schema_version', sa.Integer(), nullable=False),
    sa.Column('schema_release', sa.String(length=16), nullable=False),
    sa.Column('k', sa.Integer(), nullable=False),
    sa.Column('persons_population', sa.Integer(), nullable=False),
    sa.Column('persons_written', sa.Integer(), nullable=False),
    sa.Column('persons_suppressed', sa.Integer(), nullable=False),
    sa.Column('persons_generalised', sa.Integer(), nullable=False),
    sa.Column('referrals_written', sa.Integer(), nullable=False),
    sa.Column('referrals_person_key_blanked', sa.Integer(), nullable=False),
    sa.Column('person_rows', sa.Integer(), nullable=False),
    sa.Column('referral_rows', sa.Integer(), nullable=False),
    sa.Column('indicator_rows', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['commune_code'], ['region_office.commune_code'],
                            name=op.f('fk_region_import_commune_code_region_office')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_region_import')),
    sa.UniqueConstraint('commune_code', 'period', name=op.f('uq_region_import_commune_code'))
    )
    op.create_table('region_person',
    *_rows_of_an_import(),
    sa.Column('person_key', sa.String(length=64), nullable=False),
    sa.Column('received_in_month', sa.Boolean(), nullable=False),
    sa.Column('first_reception', sa.String(length=7), nullable=False),
    sa.Column('category', sa.String(length=24), nullable=False),
    sa.Column('sex', sa.String(length=1), nullable=False),
    sa.Column('age_band', sa.String(length=8), nullable=False),
    sa.Column('nationality_group', sa.String(length=32), nullable=False),
    sa.Column('residence', sa.String(length=16), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('vulnerability_level', sa.String(length=8), nullable=True),
    sa.Column('vuln_flags', sa.Integer(), nullable=False),
    *_keys('region_person'),
    )
    with op.batch_alter_table('region_person', schema=None) as batch_op:
        batch_op.create_index('ix_region_person_import', ['import_id'], unique=False)

    op.create_table('region_referral',
    *_rows_of_an_import(),
    sa.Column('referral_key', sa.String(length=64), nullable=False),
    sa.Column('person_key', sa.String(length=64), nullable=True),
    sa.Column('direction', sa.String(length=12), nullable=False),
    sa.Column('month_sent', sa.String(length=7), nullable=False),
    sa.Column('domain', sa.String(length=32), nullable=False),
    sa.Column('provider_kind', sa.String(length=16), nullable=False),
    sa.Column('urgency', sa.String(length=8), nullable=False),
    sa.Column('state_at_end', sa.String(length=16), nullable=False),
    sa.Column('overdue_at_end', sa.Boolean(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('counter_month', sa.String(length=7), nullable=True),
    sa.Column('days_to_counter', sa.Integer(), nullable=True),
    *_keys('region_referral'),
    )
    with op.batch_alter_table('region_referral', schema=None) as batch_op:
        batch_op.create_index('ix_region_referral_import', ['import_id'], unique=False)
        batch_op.create_index('ix_region_referral_period', ['period', 'direction', 'domain', 'commune_code', 'month_sent',
                              'counter_month', 'outcome', 'days_to_counter'], unique=False)

    op.create_table('region_indicator',
    *_rows_of_an_import(),
    sa.Column('indicator', sa.String(length=48), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('dimension', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('base', sa.Integer(), nullable=True),
    *_keys('region_indicator'),
    )
    with op.batch_alter_table('region_indicator', schema=None) as batch_op:
        batch_op.create_index('ix_region_indicator_import', ['import_id'], unique=False)
        batch_op.create_index('ix_region_indicator_period', ['period', 'indicator', 'dimension', 'key', 'commune_code',
                              'value', 'base'], unique=False)


def downgrade() -> None:
    for table in ('region_indicator', 'region_referral', 'region_person', 'region_import', 'region_office_key',
                  'region_office'):
        op.drop_table(table)
