"""Indexes for the learner pages of a big course: pick counts from the index alone, a
person's picks and memberships found without reading the tables whole

Revision ID: b8e4d2a6c1f3
Revises: a6d2f8c4e913
Create Date: 2026-12-02 15:40:00

"""

from alembic import op


revision = "b8e4d2a6c1f3"
down_revision = "a6d2f8c4e913"
branch_labels = None
depends_on = None


def upgrade():
    # (challenge, rank) serves everything the challenge index did, and lets PostgreSQL count a
    # challenge's picks and first picks without reading the table.
    op.create_index("ix_choice_challenge_id_rank", "choice", ["challenge_id", "rank"])
    op.drop_index("ix_choice_challenge_id", table_name="choice")
    # The privacy page counts a person's records across courses, and erasing a person deletes
    # them: both looked for picks and memberships by person through every row.
    op.create_index("ix_choice_person_id", "choice", ["person_id"])
    op.create_index("ix_membership_person_id", "membership", ["person_id"])


def downgrade():
    op.drop_index("ix_membership_person_id", table_name="membership")
    op.drop_index("ix_choice_person_id", table_name="choice")
    op.create_index("ix_choice_challenge_id", "choice", ["challenge_id"])
    op.drop_index("ix_choice_challenge_id_rank", table_name="choice")
