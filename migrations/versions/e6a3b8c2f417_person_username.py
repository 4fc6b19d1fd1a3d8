"""People keep their LMS login (Moodle username, Canvas login id) for group imports

Revision ID: e6a3b8c2f417
Revises: e7a3c5b19f62
Create Date: 2026-12-01 23:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e6a3b8c2f417'
down_revision = 'e7a3c5b19f62'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('username', sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('username')
