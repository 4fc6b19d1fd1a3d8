"""The stored quality report of a course's cohorts, and background formation runs

Revision ID: f3a9c1d7e5b2
Revises: c3d9e4f7a215
Create Date: 2026-12-02 08:15:00

"""
from alembic import op
import sqlalchemy as sa

import cohorts.models.base


revision = 'f3a9c1d7e5b2'
down_revision = 'c3d9e4f7a215'
branch_labels = None
depends_on = None

ACTIVE_RUN = "status IN ('queued', 'running')"


def upgrade():
    op.create_table('formation_report',
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('report', sa.Text(), nullable=False),
    sa.Column('computed_at', cohorts.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_formation_report_course_id_course'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('course_id', name=op.f('pk_formation_report'))
    )
    op.create_table('formation_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', cohorts.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', cohorts.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', cohorts.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('formed', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_formation_run_status_known')),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_formation_run_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['person.id'], name=op.f('fk_formation_run_requested_by_id_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_formation_run'))
    )
    op.create_index('uq_formation_run_active', 'formation_run', ['course_id'], unique=True,
                    postgresql_where=sa.text(ACTIVE_RUN), sqlite_where=sa.text(ACTIVE_RUN))


def downgrade():
    op.drop_index('uq_formation_run_active', table_name='formation_run',
                  postgresql_where=sa.text(ACTIVE_RUN), sqlite_where=sa.text(ACTIVE_RUN))
    op.drop_table('formation_run')
    op.drop_table('formation_report')
