"""Reports name a category, their item's author and the day they count toward hiding

Revision ID: 9b4d2f6a8c31
Revises: 7a3e5c9d1b20
Create Date: 2026-12-01 23:45:00

"""
from datetime import UTC, date, datetime

from alembic import op
import sqlalchemy as sa


revision = '9b4d2f6a8c31'
down_revision = '7a3e5c9d1b20'
branch_labels = None
depends_on = None

CATEGORIES = "category IN ('unkind', 'spam', 'private', 'cheating', 'off_topic', 'other')"


def upgrade():
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('author_id', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('category', sa.String(length=16), nullable=False, server_default='other')
        )
        batch_op.add_column(sa.Column('counted_day', sa.Date(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_report_author_id_person'), 'person', ['author_id'], ['id'],
            ondelete='SET NULL',
        )
        batch_op.create_check_constraint(batch_op.f('ck_report_category_known'), CATEGORIES)
        batch_op.create_unique_constraint(
            batch_op.f('uq_report_reporter_id_author_id_counted_day'),
            ['reporter_id', 'author_id', 'counted_day'],
        )
    _backfill()
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.alter_column('category', server_default=None)


def _backfill():
    """Earlier reports get their item's author; each reporter's first one per author and day
    keeps counting toward hiding."""
    conn = op.get_bind()
    report = sa.table(
        'report', sa.column('id'), sa.column('target_type'), sa.column('target_id'),
        sa.column('reporter_id'), sa.column('author_id'), sa.column('created_at'),
        sa.column('counted_day'),
    )
    case = sa.table(
        'moderation_case', sa.column('target_type'), sa.column('target_id'), sa.column('author_id')
    )
    author = (
        sa.select(case.c.author_id)
        .where(case.c.target_type == report.c.target_type, case.c.target_id == report.c.target_id)
        .scalar_subquery()
    )
    conn.execute(report.update().values(author_id=author))
    seen = set()
    rows = conn.execute(
        sa.select(report.c.id, report.c.reporter_id, report.c.author_id, report.c.created_at)
        .order_by(report.c.id)
    ).all()
    for row_id, reporter, author_id, created in rows:
        day = (
            created.astimezone(UTC).date()
            if isinstance(created, datetime)
            else date.fromisoformat(str(created)[:10])
        )
        if (reporter, author_id, day) not in seen:
            seen.add((reporter, author_id, day))
            conn.execute(report.update().where(report.c.id == row_id).values(counted_day=day))


def downgrade():
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('uq_report_reporter_id_author_id_counted_day'), type_='unique'
        )
        batch_op.drop_constraint(batch_op.f('ck_report_category_known'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_report_author_id_person'), type_='foreignkey')
        batch_op.drop_column('counted_day')
        batch_op.drop_column('category')
        batch_op.drop_column('author_id')
