"""The line item each resource link's participation column uses, once found or created."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from cohorts.db import get_or_create
from cohorts.models import GradeLineItem, utcnow

#: Marks Communitas's column among the line items of a resource link.
TAG = "communitas-participation"
LABEL = "Community participation"


def known_line_item(
    session: Session, course_id: int, resource_link_id: str, tag: str = TAG
) -> GradeLineItem | None:
    """Return the line item already recorded for this link, if any."""
    return session.scalars(
        select(GradeLineItem).where(
            GradeLineItem.course_id == course_id,
            GradeLineItem.resource_link_id == resource_link_id,
            GradeLineItem.tag == tag,
        )
    ).one_or_none()


def record_line_item(
    session: Session,
    course_id: int,
    resource_link_id: str,
    url: str,
    score_maximum: float,
    *,
    created: bool,
    tag: str = TAG,
) -> GradeLineItem:
    """Remember the platform's line item for this link (a concurrent record wins the race)."""
    row = get_or_create(
        session,
        select(GradeLineItem).where(
            GradeLineItem.course_id == course_id,
            GradeLineItem.resource_link_id == resource_link_id,
            GradeLineItem.tag == tag,
        ),
        lambda: GradeLineItem(
            course_id=course_id,
            resource_link_id=resource_link_id,
            tag=tag,
            url=url,
            score_maximum=score_maximum,
            created=created,
            found_at=utcnow(),
        ),
    )
    session.flush()
    return row
