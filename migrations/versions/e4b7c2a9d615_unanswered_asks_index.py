"""The open-asks index also holds taken, created_at and id: the staff exchange page lists
the oldest unanswered asks and counts them from the index alone

Revision ID: e4b7c2a9d615
Revises: b8e4d2a6c1f3
Create Date: 2026-12-02 15:55:00

"""

from alembic import op


revision = "e4b7c2a9d615"
down_revision = "b8e4d2a6c1f3"
branch_labels = None
depends_on = None

COLUMNS = ["course_id", "direction", "status", "taken", "created_at", "id"]


def upgrade():
    with op.batch_alter_table("gift", schema=None) as batch_op:
        batch_op.create_index("ix_gift_course_id_direction_status_taken", COLUMNS, unique=False)
        batch_op.drop_index("ix_gift_course_id_direction_status")


def downgrade():
    with op.batch_alter_table("gift", schema=None) as batch_op:
        batch_op.create_index(
            "ix_gift_course_id_direction_status", ["course_id", "direction", "status"], unique=False
        )
        batch_op.drop_index("ix_gift_course_id_direction_status_taken")
