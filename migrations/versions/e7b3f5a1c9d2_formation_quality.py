"""The last formation's quality claim: the method, the figures and the bounds it proved

Revision ID: e7b3f5a1c9d2
Revises: e6a3b8c2f417
Create Date: 2026-12-01 23:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e7b3f5a1c9d2'
down_revision = 'e6a3b8c2f417'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('formation_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quality', sa.Text(), nullable=False, server_default='{}'))


def downgrade():
    with op.batch_alter_table('formation_settings', schema=None) as batch_op:
        batch_op.drop_column('quality')
