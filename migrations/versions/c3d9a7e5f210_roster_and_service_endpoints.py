"""Service endpoints from launches (NRPS on the course, AGS on the resource link); roster sync

Revision ID: c3d9a7e5f210
Revises: 1e1c27c54f96
Create Date: 2026-12-02 08:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c3d9a7e5f210'
down_revision = '1e1c27c54f96'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('nrps_url', sa.String(length=1024), nullable=True))
        batch_op.add_column(sa.Column('nrps_versions', sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column('roster_differences_url', sa.String(length=2048), nullable=True)
        )
    with op.batch_alter_table('resource_link', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ags_lineitems_url', sa.String(length=1024), nullable=True))
        batch_op.add_column(sa.Column('ags_lineitem_url', sa.String(length=1024), nullable=True))
        batch_op.add_column(sa.Column('ags_scopes', sa.Text(), nullable=True))
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.alter_column('last_launch_at', existing_type=sa.DateTime(timezone=True),
                              nullable=True)
        batch_op.add_column(
            sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(sa.Column('left_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'roster_sync',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('trigger', sa.String(length=16), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('listed', sa.Integer(), nullable=False),
        sa.Column('added', sa.Integer(), nullable=False),
        sa.Column('updated', sa.Integer(), nullable=False),
        sa.Column('inactive', sa.Integer(), nullable=False),
        sa.Column('differences', sa.Boolean(), nullable=False),
        sa.Column('error', sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('running', 'done', 'failed')",
                           name=op.f('ck_roster_sync_status_known')),
        sa.ForeignKeyConstraint(['course_id'], ['course.id'],
                                name=op.f('fk_roster_sync_course_id_course'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_sync')),
    )
    op.create_index('ix_roster_sync_course_started', 'roster_sync', ['course_id', 'started_at'])
    op.create_table(
        'membership_end',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('cohort_id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reason', sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'],
                                name=op.f('fk_membership_end_cohort_id_cohort'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['course_id'], ['course.id'],
                                name=op.f('fk_membership_end_course_id_course'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'],
                                name=op.f('fk_membership_end_person_id_person'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_membership_end')),
    )
    op.create_index('ix_membership_end_course_person', 'membership_end',
                    ['course_id', 'person_id'])


def downgrade():
    op.drop_index('ix_membership_end_course_person', table_name='membership_end')
    op.drop_table('membership_end')
    op.drop_index('ix_roster_sync_course_started', table_name='roster_sync')
    op.drop_table('roster_sync')
    op.execute("UPDATE enrolment SET last_launch_at = CURRENT_TIMESTAMP WHERE last_launch_at IS NULL")
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.drop_column('left_at')
        batch_op.drop_column('active')
        batch_op.alter_column('last_launch_at', existing_type=sa.DateTime(timezone=True),
                              nullable=False)
    with op.batch_alter_table('resource_link', schema=None) as batch_op:
        batch_op.drop_column('ags_scopes')
        batch_op.drop_column('ags_lineitem_url')
        batch_op.drop_column('ags_lineitems_url')
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('roster_differences_url')
        batch_op.drop_column('nrps_versions')
        batch_op.drop_column('nrps_url')
