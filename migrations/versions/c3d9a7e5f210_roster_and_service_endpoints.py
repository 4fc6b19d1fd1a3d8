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


def downgrade():
    with op.batch_alter_table('resource_link', schema=None) as batch_op:
        batch_op.drop_column('ags_scopes')
        batch_op.drop_column('ags_lineitem_url')
        batch_op.drop_column('ags_lineitems_url')
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('roster_differences_url')
        batch_op.drop_column('nrps_versions')
        batch_op.drop_column('nrps_url')
