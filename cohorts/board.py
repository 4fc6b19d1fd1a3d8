"""A cohort's shared space: a small threaded board only its members can read."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from cohorts.activity.events import record_activity
from cohorts.errors import DomainError, NotFound
from cohorts.exchange.settings import check_post_rate, exchange_settings
from cohorts.limits import POST_BODY_MAX
from cohorts.membership import my_cohort
from cohorts.models import Post


@dataclass(frozen=True, slots=True)
class Thread:
    """A post and its replies, oldest first."""

    post: Post
    replies: tuple[Post, ...]


def add_post(
    session: Session,
    course_id: int,
    person_id: int,
    *,
    body: str,
    parent_id: int | None,
    now: datetime,
) -> Post:
    """Post on the learner's own cohort board; replies attach to the thread's first post."""
    cohort = my_cohort(session, course_id, person_id)
    check_post_rate(session, course_id, person_id, exchange_settings(session, course_id), now)
    body = body.strip()
    if not body:
        raise DomainError("Write something before posting.")
    if len(body) > POST_BODY_MAX:
        raise DomainError(f"Keep posts under {POST_BODY_MAX} characters; this one has {len(body)}.")
    root_id = None
    if parent_id is not None:
        parent = session.scalars(
            select(Post).where(Post.id == parent_id, Post.cohort_id == cohort.id)
        ).one_or_none()
        if parent is None:
            raise NotFound("The message you replied to is not on your cohort's board.")
        root_id = parent.parent_id or parent.id
    post = Post(
        cohort_id=cohort.id, author_id=person_id, parent_id=root_id, body=body, created_at=now
    )
    session.add(post)
    session.flush()
    record_activity(session, course_id, person_id, "post", now, cohort_id=cohort.id)
    return post


def threads(session: Session, cohort_id: int) -> list[Thread]:
    """Return the board of one cohort as threads, newest thread first."""
    posts = session.scalars(
        select(Post)
        .where(Post.cohort_id == cohort_id)
        .options(selectinload(Post.author))
        .order_by(Post.created_at, Post.id)
    ).all()
    replies: dict[int, list[Post]] = {}
    for post in posts:
        if post.parent_id is not None:
            replies.setdefault(post.parent_id, []).append(post)
    roots = [p for p in posts if p.parent_id is None]
    return [Thread(p, tuple(replies.get(p.id, ()))) for p in reversed(roots)]
