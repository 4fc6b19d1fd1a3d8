"""Pending logins keep what their launch needs (platform storage, login parameters)

Revision ID: 5c1a7e2b9d40
Revises: 38dd512d4f50
Create Date: 2026-11-24 10:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '5c1a7e2b9d40'
down_revision = '38dd512d4f50'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('login_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('info', sa.Text(), nullable=False, server_default='{}'))


def downgrade():
    with op.batch_alter_table('login_state', schema=None) as batch_op:
        batch_op.drop_column('info')
