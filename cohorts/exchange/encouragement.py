"""One click to tell a quiet cohort member they are missed: a small gift, given at once."""

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from cohorts.activity.events import record_activity
from cohorts.errors import DomainError, NotFound
from cohorts.exchange import tally
from cohorts.exchange.gifts import offer_gift
from cohorts.exchange.notifications import notify
from cohorts.membership import my_cohort
from cohorts.models import Exchange, Gift, Membership, Person

BODY = "Thinking of you: the cohort misses you. Come back when you can, we would love to see you."


def encourage(
    session: Session, course_id: int, person_id: int, mate_id: int, now: datetime
) -> Exchange:
    """Give a cohort mate an encouragement; once a week per mate, so it stays meaningful."""
    cohort = my_cohort(session, course_id, person_id)
    mate = session.scalar(
        select(Person)
        .join(Membership, Membership.person_id == Person.id)
        .where(Membership.cohort_id == cohort.id, Person.id == mate_id, Person.id != person_id)
    )
    if mate is None:
        raise NotFound("That person is not in your cohort.")
    lately = session.scalar(
        select(func.count(Exchange.id))
        .join(Gift, Gift.id == Exchange.gift_id)
        .where(
            Exchange.giver_id == person_id,
            Exchange.receiver_id == mate_id,
            Gift.kind == "encouragement",
            Exchange.given_at > now - timedelta(days=7),
        )
    )
    if lately:
        raise DomainError(f"You already encouraged {mate.display_name} this week.")
    first_name = mate.display_name.split(" ")[0]
    gift = offer_gift(
        session,
        course_id,
        person_id,
        kind="encouragement",
        title=f"Encouragement for {first_name}",
        body=BODY,
        tags="",
        capacity=1,
        ends_at=None,
        course_wide=False,
        now=now,
    )
    session.execute(update(Gift).where(Gift.id == gift.id).values(taken=1, first_taken_at=now))
    row = Exchange(
        gift_id=gift.id,
        course_id=course_id,
        seat=1,
        giver_id=person_id,
        receiver_id=mate_id,
        claimed_by_id=mate_id,
        status="given",
        claimed_at=now,
        given_at=now,
    )
    session.add(row)
    session.flush()
    tally.moved(session, course_id, person_id, mate_id, None, row.status)
    record_activity(session, course_id, person_id, "give", now, cohort_id=cohort.id)
    giver = session.get_one(Person, person_id).display_name
    notify(
        session,
        course_id,
        mate_id,
        "given",
        f"{giver} sent you some encouragement: “{BODY}” Confirm when you have read it.",
        gift_id=gift.id,
        now=now,
    )
    return row
