"""People whose LMS sends no name may choose the name classmates see

Revision ID: c3d8e1f0a7b5
Revises: 4f2a9c7e1b38
Create Date: 2026-12-02 08:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c3d8e1f0a7b5'
down_revision = '4f2a9c7e1b38'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chosen_name', sa.String(length=60), nullable=True))


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('chosen_name')
