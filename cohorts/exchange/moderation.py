"""Reports and moderation: hide reported content, let staff restore or remove it, never lose it."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from cohorts.db import core_rows, get_or_create
from cohorts.errors import DomainError, NotFound
from cohorts.exchange import rules
from cohorts.exchange.notifications import notify
from cohorts.exchange.targets import Target, gift_target, message_target, targets_of
from cohorts.exchange.threads import find_message
from cohorts.exchange.visibility import get_gift, not_hidden
from cohorts.membership import published_cohort_of
from cohorts.models import (
    TARGET_TYPES,
    Cohort,
    ModerationCase,
    Person,
    Post,
    Report,
)

TARGETS = TARGET_TYPES


def find_target(
    session: Session, course_id: int, person_id: int, target_type: str, target_id: int, staff: bool
) -> Target:
    """Return a gift or board post the person may see in this course, or raise NotFound."""
    if target_type == "gift":
        return gift_target(get_gift(session, course_id, person_id, target_id, staff=staff))
    if target_type == "message":
        message, _, gift = find_message(session, course_id, person_id, target_id, staff)
        return message_target(message, gift)
    if target_type != "post":
        raise NotFound("There is nothing like that to report.")
    query = (
        select(Post)
        .join(Cohort, Cohort.id == Post.cohort_id)
        .where(Post.id == target_id, Cohort.course_id == course_id)
    )
    if not staff:  # hidden and removed messages are shown to learners nowhere, this page too
        cohort = published_cohort_of(session, course_id, person_id)
        query = query.where(
            Post.cohort_id == (cohort.id if cohort else -1), not_hidden("post", Post.id)
        )
    post = session.scalars(query).one_or_none()
    if post is None:
        raise NotFound("That message is not on your cohort's board.")
    return Target(
        "post", post.id, post.author_id, "Board message", post.body, post.cohort_id, post.created_at
    )


def what(target: Target) -> str:
    """Name the item in a notice to its author."""
    if target.type == "message":
        return "message in an exchange conversation"
    return f"“{target.title}”" if target.type == "gift" else "board message"


def tell_author(session: Session, course_id: int, target: Target, text: str, now: datetime) -> None:
    """Leave the item's author a moderation notice (never reporters' names or words)."""
    if target.author_id is None:
        return
    notify(
        session,
        course_id,
        target.author_id,
        "moderated",
        text,
        gift_id=target.id if target.type == "gift" else None,
        now=now,
    )


def case_of(session: Session, course_id: int, target: Target, now: datetime) -> ModerationCase:
    """Return the item's moderation case, opening one on its first report."""
    query = select(ModerationCase).where(
        ModerationCase.target_type == target.type, ModerationCase.target_id == target.id
    )
    return get_or_create(
        session,
        query,
        lambda: ModerationCase(
            course_id=course_id,
            target_type=target.type,
            target_id=target.id,
            state="open",
            author_id=target.author_id,
            updated_at=now,
        ),
    )


@dataclass(frozen=True, slots=True)
class QueueItem:
    """A case waiting for staff, with its content and every reason given."""

    case: ModerationCase
    target: Target
    author: str
    #: (reporter, category label, their words) for each report, oldest first.
    reasons: list[tuple[str, str, str]]
    #: The cohort it was written in ("" when the cohort is gone).
    cohort: str = ""


def queue(
    session: Session,
    course_id: int,
    states: Sequence[str] = ("open", "hidden"),
    limit: int | None = None,
) -> list[QueueItem]:
    """Return the course's reported items in these states, hidden ones first (at most
    ``limit``, the latest first then), each with its content, author and reports."""
    query = select(ModerationCase).where(
        ModerationCase.course_id == course_id, ModerationCase.state.in_(states)
    )
    if limit is None:
        query = query.order_by(ModerationCase.state, ModerationCase.updated_at)
    else:
        query = query.order_by(ModerationCase.updated_at.desc(), ModerationCase.id.desc())
    cases = session.scalars(query.limit(limit)).all()
    if not cases:
        return []
    targets = targets_of(session, cases)
    authors = {c.author_id for c in cases if c.author_id}
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(authors)))}
    cohort_ids = {t.cohort_id for t in targets.values() if t.cohort_id}
    cohorts = dict(
        session.execute(select(Cohort.id, Cohort.name).where(Cohort.id.in_(cohort_ids))).all()
    )
    reasons: dict[tuple[str, int], list[tuple[str, str, str]]] = {}
    for kind in TARGETS:
        ids = {c.target_id for c in cases if c.target_type == kind}
        if not ids:
            continue
        for target_id, name, category, words in session.execute(
            select(Report.target_id, Person, Report.category, Report.reason)
            .join(Person, Person.id == Report.reporter_id)
            .where(
                Report.course_id == course_id,
                Report.target_type == kind,
                Report.target_id.in_(ids),
            )
            .order_by(Report.created_at, Report.id)
        ):
            label = rules.CATEGORY_LABELS[category]
            reasons.setdefault((kind, target_id), []).append((name.display_name, label, words))
    items = []
    for case in cases:
        target = targets[case.id]
        author = people.get(case.author_id) if case.author_id else None
        items.append(
            QueueItem(
                case,
                target,
                author.display_name if author else "Former member",
                reasons.get((case.target_type, case.target_id), []),
                cohorts.get(target.cohort_id or -1, ""),
            )
        )
    return items


def _stored_target(session: Session, case: ModerationCase) -> Target:
    return targets_of(session, [case])[case.id]


def decide(
    session: Session, course_id: int, staff_id: int, case_id: int, decision: str, now: datetime
) -> ModerationCase:
    """Restore an item or remove it (kept in the database, never shown to learners)."""
    case = session.scalars(
        select(ModerationCase).where(
            ModerationCase.id == case_id, ModerationCase.course_id == course_id
        )
    ).one_or_none()
    if case is None:
        raise NotFound("That report is not in this course.")
    if decision not in ("restore", "remove"):
        raise DomainError("Choose restore or remove.")
    case.state = "restored" if decision == "restore" else "removed"
    case.decided_by_id, case.updated_at = staff_id, now
    if decision == "remove" and case.author_id is not None:
        target = _stored_target(session, case)
        given = session.scalars(
            select(Report.category)
            .where(Report.target_type == case.target_type, Report.target_id == case.target_id)
            .distinct()
        ).all()
        kinds = "; ".join(sorted(rules.CATEGORY_LABELS[c].lower() for c in given)) or "a report"
        # The category only: reporters' own words never reach the author.
        tell_author(
            session,
            course_id,
            target,
            f"Staff removed your {what(target)}. It was reported as: {kinds}.",
            now,
        )
    session.flush()
    return case


def hide(
    session: Session, course_id: int, staff_id: int, target_type: str, target_id: int, now: datetime
) -> ModerationCase:
    """Hide an item at once on staff's own judgement; it waits in the queue to be restored."""
    target = find_target(session, course_id, staff_id, target_type, target_id, staff=True)
    case = case_of(session, course_id, target, now)
    if case.state in ("hidden", "removed"):
        raise DomainError("This is already hidden from learners.")
    case.state, case.decided_by_id, case.updated_at = "hidden", staff_id, now
    tell_author(
        session,
        course_id,
        target,
        f"Course staff hid your {what(target)} while they look at it.",
        now,
    )
    session.flush()
    return case


#: Built once: every visit to a cohort's board asks for it.
_HIDDEN_POSTS = (
    select(ModerationCase.target_id)
    .join(Post, Post.id == ModerationCase.target_id)
    .where(
        ModerationCase.target_type == "post",
        Post.cohort_id == bindparam("cohort_id"),
        ModerationCase.state.in_(("hidden", "removed")),
    )
)


def hidden_post_ids(session: Session, cohort_id: int) -> set[int]:
    """Return the ids of board posts learners must not see (hidden for review or removed)."""
    return set(core_rows(session, _HIDDEN_POSTS, {"cohort_id": cohort_id}).scalars())
