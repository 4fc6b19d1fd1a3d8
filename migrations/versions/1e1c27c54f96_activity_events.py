"""Activity events, a weekly rollup per learner, engagement settings and alert follow-ups

Revision ID: 1e1c27c54f96
Revises: 9b4d2f6a8c31
Create Date: 2026-12-01 23:07:49.167328

"""
from alembic import op
import sqlalchemy as sa

import cohorts.models.base


revision = '1e1c27c54f96'
down_revision = '9b4d2f6a8c31'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('activity_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('weight_sessions', sa.Float(), nullable=False),
    sa.Column('weight_cohort', sa.Float(), nullable=False),
    sa.Column('weight_given', sa.Float(), nullable=False),
    sa.Column('weight_received', sa.Float(), nullable=False),
    sa.Column('weight_answered', sa.Float(), nullable=False),
    sa.Column('inactive_days', sa.Integer(), nullable=False),
    sa.CheckConstraint('inactive_days BETWEEN 3 AND 60', name=op.f('ck_activity_settings_inactive_range')),
    sa.CheckConstraint('weight_sessions BETWEEN 0 AND 3 AND weight_cohort BETWEEN 0 AND 3 AND weight_given BETWEEN 0 AND 3 AND weight_received BETWEEN 0 AND 3 AND weight_answered BETWEEN 0 AND 3', name=op.f('ck_activity_settings_weights_range')),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_activity_settings_course_id_course'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_settings')),
    sa.UniqueConstraint('course_id', name=op.f('uq_activity_settings_course_id'))
    )
    op.create_table('activity_week',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.Integer(), nullable=False),
    sa.Column('events', sa.Integer(), nullable=False),
    sa.Column('sessions', sa.Integer(), nullable=False),
    sa.Column('cohort_actions', sa.Integer(), nullable=False),
    sa.Column('gifts_given', sa.Integer(), nullable=False),
    sa.Column('gifts_received', sa.Integer(), nullable=False),
    sa.Column('asks_answered', sa.Integer(), nullable=False),
    sa.Column('last_day', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_activity_week_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_activity_week_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_week')),
    sa.UniqueConstraint('course_id', 'person_id', 'week', name=op.f('uq_activity_week_course_id_person_id_week'))
    )
    with op.batch_alter_table('activity_week', schema=None) as batch_op:
        batch_op.create_index('ix_activity_week_course_id_week', ['course_id', 'week'], unique=False)

    op.create_table('activity_event',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('occurred_at', cohorts.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('day', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('launch', 'cohort_view', 'post', 'pick', 'profile', 'offer', 'ask', 'claim', 'answer', 'give', 'receive', 'thank')", name=op.f('ck_activity_event_kind_known')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_activity_event_cohort_id_cohort'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_activity_event_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_activity_event_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_event'))
    )
    with op.batch_alter_table('activity_event', schema=None) as batch_op:
        batch_op.create_index('ix_activity_event_cohort_id_day', ['cohort_id', 'day'], unique=False)
        batch_op.create_index('ix_activity_event_course_id_person_id_day', ['course_id', 'person_id', 'day'], unique=False)

    op.create_table('alert_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('cohort_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', cohorts.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("action IN ('contacted', 'dismissed')", name=op.f('ck_alert_action_action_known')),
    sa.CheckConstraint("kind IN ('lonely', 'quiet_cohort', 'never_launched', 'inactive', 'falling')", name=op.f('ck_alert_action_kind_known')),
    sa.ForeignKeyConstraint(['by_id'], ['person.id'], name=op.f('fk_alert_action_by_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_alert_action_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_alert_action_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_alert_action_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_action'))
    )
    with op.batch_alter_table('alert_action', schema=None) as batch_op:
        batch_op.create_index('ix_alert_action_course_id_at', ['course_id', 'at'], unique=False)



def downgrade():
    with op.batch_alter_table('alert_action', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_action_course_id_at')

    op.drop_table('alert_action')
    with op.batch_alter_table('activity_event', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_event_course_id_person_id_day')
        batch_op.drop_index('ix_activity_event_cohort_id_day')

    op.drop_table('activity_event')
    with op.batch_alter_table('activity_week', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_week_course_id_week')

    op.drop_table('activity_week')
    op.drop_table('activity_settings')
