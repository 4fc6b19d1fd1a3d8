"""Each cohort's share of the stored quality report; indexes for the staff exchange figures

Revision ID: a6d2f8c4e913
Revises: c3d8e1f0a7b5
Create Date: 2026-12-02 12:10:00

"""

from alembic import op
import sqlalchemy as sa


revision = "a6d2f8c4e913"
down_revision = "c3d8e1f0a7b5"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "cohort_quality",
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("overlap_hours", sa.Float(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("first", sa.Integer(), nullable=False),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name=op.f("fk_cohort_quality_cohort_id_cohort"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_cohort_quality_course_id_course"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("cohort_id", name=op.f("pk_cohort_quality")),
    )
    with op.batch_alter_table("cohort_quality", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cohort_quality_course_id"), ["course_id"], unique=False
        )
    with op.batch_alter_table("gift", schema=None) as batch_op:
        batch_op.create_index(
            "ix_gift_course_id_iso_week_direction_kind",
            ["course_id", "iso_week", "direction", "kind"],
            unique=False,
        )
    with op.batch_alter_table("exchange", schema=None) as batch_op:
        batch_op.create_index(
            "ix_exchange_course_id_gift_id_claimed_at",
            ["course_id", "gift_id", "claimed_at"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("exchange", schema=None) as batch_op:
        batch_op.drop_index("ix_exchange_course_id_gift_id_claimed_at")
    with op.batch_alter_table("gift", schema=None) as batch_op:
        batch_op.drop_index("ix_gift_course_id_iso_week_direction_kind")
    with op.batch_alter_table("cohort_quality", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cohort_quality_course_id"))
    op.drop_table("cohort_quality")
