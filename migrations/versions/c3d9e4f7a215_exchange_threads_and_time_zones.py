"""Conversations on exchanges, reportable messages, and named time zones on profiles

Revision ID: c3d9e4f7a215
Revises: 207e8ad96659
Create Date: 2026-12-02 08:30:00

Existing UTC offsets become zones this way. A whole-hour offset becomes the fixed zone
``Etc/GMT-N`` (UTC+N; the sign is POSIX's, reversed): it keeps exactly the hours the learner
told us, all year. Guessing the offset's most common city zone would add summer time the
learner may not have (UTC+01:00 is Lagos as well as Berlin; UTC−05:00 is Bogotá as well as
New York) and silently move their free hours by one for half the year; the profile page
instead asks them to choose their city. Offsets that are not whole hours have no fixed
zone, and each belongs to a few places: they map to the most populous zone using it
(UTC+05:30 is Asia/Kolkata). An offset no place uses rounds to the nearest whole hour.
"""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa

import cohorts.models.base


revision = 'c3d9e4f7a215'
down_revision = '207e8ad96659'
branch_labels = None
depends_on = None

#: Offsets (minutes east of UTC) that are not whole hours, and the zone that uses them most.
FRACTIONAL = {
    -570: 'Pacific/Marquesas',
    -210: 'America/St_Johns',
    -150: 'America/St_Johns',
    210: 'Asia/Tehran',
    270: 'Asia/Kabul',
    330: 'Asia/Kolkata',
    345: 'Asia/Kathmandu',
    390: 'Asia/Yangon',
    525: 'Australia/Eucla',
    570: 'Australia/Darwin',
    630: 'Australia/Adelaide',
    765: 'Pacific/Chatham',
    825: 'Pacific/Chatham',
}
OLD_TARGETS = "target_type IN ('gift', 'post')"
NEW_TARGETS = "target_type IN ('gift', 'post', 'message')"
OLD_KINDS = "kind IN ('claimed', 'answered', 'given', 'thanked', 'moderated')"
NEW_KINDS = "kind IN ('claimed', 'answered', 'given', 'thanked', 'moderated', 'message')"


def zone_for_offset(minutes):
    """The zone an earlier offset becomes (see the module's docstring for why)."""
    if minutes in FRACTIONAL:
        return FRACTIONAL[minutes]
    hours = int((abs(minutes) + 30) // 60) * (1 if minutes >= 0 else -1)
    if hours == 0:
        return 'UTC'
    return f"Etc/GMT{'-' if hours > 0 else '+'}{abs(hours)}"


def upgrade():
    op.create_table('exchange_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('exchange_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', cohorts.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(body) BETWEEN 1 AND 4000', name=op.f('ck_exchange_message_body_length')),
    sa.ForeignKeyConstraint(['author_id'], ['person.id'], name=op.f('fk_exchange_message_author_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_exchange_message_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['exchange_id'], ['exchange.id'], name=op.f('fk_exchange_message_exchange_id_exchange'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_message'))
    )
    with op.batch_alter_table('exchange_message', schema=None) as batch_op:
        batch_op.create_index('ix_exchange_message_author_id_created_at', ['author_id', 'created_at'], unique=False)
        batch_op.create_index('ix_exchange_message_exchange_id_created_at', ['exchange_id', 'created_at'], unique=False)

    with op.batch_alter_table('exchange', schema=None) as batch_op:
        batch_op.add_column(sa.Column('giver_read_at', cohorts.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('receiver_read_at', cohorts.models.base.UTCDateTime(timezone=True), nullable=True))
    for table in ('report', 'moderation_case'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'ck_{table}_target_known'), type_='check')
            batch_op.create_check_constraint(batch_op.f(f'ck_{table}_target_known'), NEW_TARGETS)
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_notification_kind_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_notification_kind_known'), NEW_KINDS)

    with op.batch_alter_table('profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))
    profile = sa.table('profile', sa.column('utc_offset'), sa.column('time_zone'))
    conn = op.get_bind()
    offsets = conn.execute(
        sa.select(profile.c.utc_offset).where(profile.c.utc_offset.is_not(None)).distinct()
    ).scalars().all()
    for minutes in offsets:  # one statement per distinct offset, not per learner
        conn.execute(
            profile.update()
            .where(profile.c.utc_offset == minutes)
            .values(time_zone=zone_for_offset(minutes))
        )
    with op.batch_alter_table('profile', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_profile_offset_range'), type_='check')
        batch_op.drop_column('utc_offset')


def downgrade():
    with op.batch_alter_table('profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('utc_offset', sa.Integer(), nullable=True))
    profile = sa.table('profile', sa.column('utc_offset'), sa.column('time_zone'))
    conn = op.get_bind()
    now = datetime.now(UTC)
    zones = conn.execute(
        sa.select(profile.c.time_zone).where(profile.c.time_zone.is_not(None)).distinct()
    ).scalars().all()
    for zone in zones:  # the zone's offset today: an offset cannot say more
        offset = now.astimezone(ZoneInfo(zone)).utcoffset()
        minutes = int(offset.total_seconds() // 60) if offset else 0
        conn.execute(
            profile.update().where(profile.c.time_zone == zone).values(utc_offset=minutes)
        )
    with op.batch_alter_table('profile', schema=None) as batch_op:
        batch_op.create_check_constraint(
            batch_op.f('ck_profile_offset_range'), 'utc_offset BETWEEN -720 AND 840'
        )
        batch_op.drop_column('time_zone')

    conn.execute(sa.text("DELETE FROM notification WHERE kind = 'message'"))
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_notification_kind_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_notification_kind_known'), OLD_KINDS)
    for table in ('report', 'moderation_case'):
        conn.execute(sa.text(f"DELETE FROM {table} WHERE target_type = 'message'"))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'ck_{table}_target_known'), type_='check')
            batch_op.create_check_constraint(batch_op.f(f'ck_{table}_target_known'), OLD_TARGETS)
    with op.batch_alter_table('exchange', schema=None) as batch_op:
        batch_op.drop_column('receiver_read_at')
        batch_op.drop_column('giver_read_at')

    with op.batch_alter_table('exchange_message', schema=None) as batch_op:
        batch_op.drop_index('ix_exchange_message_exchange_id_created_at')
        batch_op.drop_index('ix_exchange_message_author_id_created_at')
    op.drop_table('exchange_message')
