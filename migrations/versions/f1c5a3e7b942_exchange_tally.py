"""Finished exchanges given and received per person, the moment each gift was first taken
up (indexed for answered asks), and a covering index for learners active per week: the staff Exchange and Persistence
pages of a big course read these instead of grouping every exchange and weekly row

Revision ID: f1c5a3e7b942
Revises: e4b7c2a9d615
Create Date: 2026-12-02 19:40:00

"""

import sqlalchemy as sa
from alembic import op

import cohorts.models.base

revision = "f1c5a3e7b942"
down_revision = "e4b7c2a9d615"
branch_labels = None
depends_on = None

ONE_SIDED = "(gave > 0) <> (received > 0)"
DONE = "('given', 'received', 'thanked')"
ANSWERED = "direction = 'ask' AND first_taken_at IS NOT NULL"


def upgrade():
    op.create_table(
        "exchange_tally",
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("gave", sa.Integer(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "gave >= 0 AND received >= 0", name=op.f("ck_exchange_tally_counts_positive")
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_exchange_tally_course_id_course"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_exchange_tally_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("course_id", "person_id", name=op.f("pk_exchange_tally")),
    )
    with op.batch_alter_table("exchange_tally", schema=None) as batch_op:
        batch_op.create_index(
            "ix_exchange_tally_one_sided",
            ["course_id"],
            unique=False,
            sqlite_where=sa.text(ONE_SIDED),
            postgresql_where=sa.text(ONE_SIDED),
        )
    op.execute(
        "INSERT INTO exchange_tally (course_id, person_id, gave, received) "
        "SELECT course_id, pid, sum(g), sum(r) FROM ("
        f" SELECT course_id, giver_id AS pid, 1 AS g, 0 AS r FROM exchange WHERE status IN {DONE}"
        " UNION ALL"
        f" SELECT course_id, receiver_id, 0, 1 FROM exchange WHERE status IN {DONE}"
        ") AS sides GROUP BY course_id, pid"
    )
    with op.batch_alter_table("gift", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("first_taken_at", cohorts.models.base.UTCDateTime(), nullable=True)
        )
    op.execute(
        "UPDATE gift SET first_taken_at = (SELECT min(exchange.claimed_at) FROM exchange"
        " WHERE exchange.gift_id = gift.id AND exchange.course_id = gift.course_id)"
    )
    with op.batch_alter_table("gift", schema=None) as batch_op:
        batch_op.create_index(
            "ix_gift_answered_asks",
            ["course_id", "created_at", "first_taken_at"],
            unique=False,
            sqlite_where=sa.text(ANSWERED),
            postgresql_where=sa.text(ANSWERED),
        )
    with op.batch_alter_table("activity_week", schema=None) as batch_op:
        batch_op.create_index(
            "ix_activity_week_course_id_week_person_id",
            ["course_id", "week", "person_id"],
            unique=False,
        )
        batch_op.drop_index("ix_activity_week_course_id_week")


def downgrade():
    with op.batch_alter_table("activity_week", schema=None) as batch_op:
        batch_op.create_index(
            "ix_activity_week_course_id_week", ["course_id", "week"], unique=False
        )
        batch_op.drop_index("ix_activity_week_course_id_week_person_id")
    with op.batch_alter_table("gift", schema=None) as batch_op:
        batch_op.drop_index("ix_gift_answered_asks")
        batch_op.drop_column("first_taken_at")
    with op.batch_alter_table("exchange_tally", schema=None) as batch_op:
        batch_op.drop_index("ix_exchange_tally_one_sided")
    op.drop_table("exchange_tally")
