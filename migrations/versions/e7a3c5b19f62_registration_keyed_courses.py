"""Courses and people keyed by registration (issuer + client id); pending registrations; invites

Revision ID: e7a3c5b19f62
Revises: d4c7a1e9b302
Create Date: 2026-12-01 23:10:00

Existing courses take the client id of the registration holding their deployment (or the
issuer's first registration); existing people take the client id of their first enrolment's
course. Rows no registration explains get an empty client id, which no launch can reach.
"""
from alembic import op
import sqlalchemy as sa

import cohorts.models.base


revision = 'e7a3c5b19f62'
down_revision = 'd4c7a1e9b302'
branch_labels = None
depends_on = None

FIRST_CLIENT = (
    "(SELECT p.client_id FROM platform p WHERE p.issuer = {table}.issuer ORDER BY p.id LIMIT 1)"
)
COURSE_CLIENT = (
    "(SELECT p.client_id FROM platform p JOIN deployment d ON d.platform_id = p.id "
    "WHERE p.issuer = course.issuer AND d.deployment_id = course.deployment_id "
    "ORDER BY p.id LIMIT 1)"
)
PERSON_CLIENT = (
    "(SELECT c.client_id FROM enrolment e JOIN course c ON c.id = e.course_id "
    "WHERE e.person_id = person.id ORDER BY e.id LIMIT 1)"
)


def _fill(table, first_choice):
    op.execute(f"UPDATE {table} SET client_id = {first_choice} WHERE client_id IS NULL")
    op.execute(
        f"UPDATE {table} SET client_id = {FIRST_CLIENT.format(table=table)} "
        "WHERE client_id IS NULL"
    )
    op.execute(f"UPDATE {table} SET client_id = '' WHERE client_id IS NULL")


def upgrade():
    with op.batch_alter_table('platform', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('status', sa.String(length=16), nullable=False, server_default='active')
        )
    op.create_table('registration_invite',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('note', sa.String(length=255), nullable=True),
    sa.Column('created_at', cohorts.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', cohorts.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', cohorts.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('platform_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['platform_id'], ['platform.id'], name=op.f('fk_registration_invite_platform_id_platform'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_invite')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_registration_invite_token_hash'))
    )
    for table in ('course', 'person'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('client_id', sa.String(length=255), nullable=True))
    _fill('course', COURSE_CLIENT)
    _fill('person', PERSON_CLIENT)
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.alter_column('client_id', existing_type=sa.String(length=255), nullable=False)
        batch_op.drop_constraint('uq_course_issuer_deployment_id_context_id', type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_course_issuer_client_id_deployment_id_context_id'),
            ['issuer', 'client_id', 'deployment_id', 'context_id'],
        )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.alter_column('client_id', existing_type=sa.String(length=255), nullable=False)
        batch_op.drop_constraint('uq_person_issuer_sub', type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_person_issuer_client_id_sub'), ['issuer', 'client_id', 'sub']
        )


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_constraint('uq_person_issuer_client_id_sub', type_='unique')
        batch_op.create_unique_constraint('uq_person_issuer_sub', ['issuer', 'sub'])
        batch_op.drop_column('client_id')
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_constraint('uq_course_issuer_client_id_deployment_id_context_id', type_='unique')
        batch_op.create_unique_constraint(
            'uq_course_issuer_deployment_id_context_id', ['issuer', 'deployment_id', 'context_id']
        )
        batch_op.drop_column('client_id')
    op.drop_table('registration_invite')
    with op.batch_alter_table('platform', schema=None) as batch_op:
        batch_op.drop_column('status')
