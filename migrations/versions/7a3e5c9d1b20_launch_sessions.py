"""Launch sessions live on the server, so sign-out and a new launch can revoke them

Revision ID: 7a3e5c9d1b20
Revises: e7b3f5a1c9d2
Create Date: 2026-12-01 23:30:00

"""
from alembic import op
import sqlalchemy as sa

import cohorts.models.base


revision = '7a3e5c9d1b20'
down_revision = 'e7b3f5a1c9d2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'launch_session',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('enrolment_id', sa.Integer(), nullable=False),
        sa.Column('data', sa.Text(), nullable=False),
        sa.Column('created_at', cohorts.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('seen_at', cohorts.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['enrolment_id'], ['enrolment.id'],
            name=op.f('fk_launch_session_enrolment_id_enrolment'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_launch_session')),
    )
    with op.batch_alter_table('launch_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_launch_session_enrolment_id'), ['enrolment_id'])
        batch_op.create_index('ix_launch_session_seen_at', ['seen_at'])


def downgrade():
    op.drop_table('launch_session')
