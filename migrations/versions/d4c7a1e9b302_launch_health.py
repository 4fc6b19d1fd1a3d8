"""Launch health counters per registration, deployment, outcome and day (admin doctor)

Revision ID: d4c7a1e9b302
Revises: fc6e685f774f
Create Date: 2026-11-25 09:10:00

"""
from alembic import op
import sqlalchemy as sa

import cohorts.models.base


revision = 'd4c7a1e9b302'
down_revision = 'fc6e685f774f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('launch_health',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('deployment_id', sa.String(length=255), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('launches', sa.Integer(), nullable=False),
    sa.Column('cookie_launches', sa.Integer(), nullable=False),
    sa.Column('storage_launches', sa.Integer(), nullable=False),
    sa.Column('nrps_launches', sa.Integer(), nullable=False),
    sa.Column('ags_launches', sa.Integer(), nullable=False),
    sa.Column('ags_scopes', sa.Text(), nullable=True),
    sa.Column('last_offset', sa.Float(), nullable=True),
    sa.Column('worst_offset', sa.Float(), nullable=True),
    sa.Column('last_reason', sa.String(length=255), nullable=True),
    sa.Column('last_at', cohorts.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['platform_id'], ['platform.id'], name=op.f('fk_launch_health_platform_id_platform'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_launch_health')),
    sa.UniqueConstraint('platform_id', 'deployment_id', 'outcome', 'day', name=op.f('uq_launch_health_platform_id_deployment_id_outcome_day'))
    )


def downgrade():
    op.drop_table('launch_health')
