"""One summary row per learner and course, kept with every event; indexes for big courses

Revision ID: 4f2a9c7e1b38
Revises: f3a9c1d7e5b2
Create Date: 2026-12-02 08:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '4f2a9c7e1b38'
down_revision = 'f3a9c1d7e5b2'
branch_labels = None
depends_on = None

#: The summary of every learner's weeks so far, as cohorts.activity.summary rebuilds it.
BACKFILL = """
INSERT INTO activity_learner (course_id, person_id, first_week, last_week, last_day,
    active_weeks, run_weeks, gifts, cohort_actions, early_events)
SELECT course_id, person_id, min(week), max(week), max(last_day), count(*),
    sum(CASE WHEN run = last_run THEN 1 ELSE 0 END), sum(gifts), sum(cohort_actions),
    sum(CASE WHEN week < first + 2 THEN events ELSE 0 END)
FROM (
    SELECT course_id, person_id, week, last_day, events, cohort_actions,
        gifts_given + gifts_received AS gifts,
        week - row_number() OVER (PARTITION BY course_id, person_id ORDER BY week) AS run,
        max(week) OVER (PARTITION BY course_id, person_id)
            - count(*) OVER (PARTITION BY course_id, person_id) AS last_run,
        min(week) OVER (PARTITION BY course_id, person_id) AS first
    FROM activity_week
) AS weeks
GROUP BY course_id, person_id
"""


def upgrade():
    op.create_table('activity_learner',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('first_week', sa.Integer(), nullable=False),
    sa.Column('last_week', sa.Integer(), nullable=False),
    sa.Column('last_day', sa.Integer(), nullable=False),
    sa.Column('active_weeks', sa.Integer(), nullable=False),
    sa.Column('run_weeks', sa.Integer(), nullable=False),
    sa.Column('gifts', sa.Integer(), nullable=False),
    sa.Column('cohort_actions', sa.Integer(), nullable=False),
    sa.Column('early_events', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_activity_learner_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_activity_learner_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_learner')),
    sa.UniqueConstraint('course_id', 'person_id', name=op.f('uq_activity_learner_course_id_person_id'))
    )
    op.execute(BACKFILL)
    with op.batch_alter_table('activity_event', schema=None) as batch_op:
        batch_op.create_index('ix_activity_event_person_id', ['person_id'], unique=False)
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.create_index('ix_post_author_id', ['author_id'], unique=False)
    with op.batch_alter_table('gift', schema=None) as batch_op:
        batch_op.create_index('ix_gift_course_id_created_at', ['course_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('gift', schema=None) as batch_op:
        batch_op.drop_index('ix_gift_course_id_created_at')
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.drop_index('ix_post_author_id')
    with op.batch_alter_table('activity_event', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_event_person_id')
    op.drop_table('activity_learner')
