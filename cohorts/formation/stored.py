"""The quality report kept with a course's cohorts: updated on change, read by pages.

Each cohort's share of the report (size, shared hours, score, how its members ranked its
challenge) is stored in its own `CohortQuality` row, and the course's figures are SQL
aggregates over those rows. A change to one cohort (a late joiner, a removal, a move)
recomputes that cohort's row only, not every learner of the course; forming or publishing
recomputes them all.
"""

import json
import time
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, delete, func, insert, select
from sqlalchemy.orm import Session

from cohorts.db import get_or_create
from cohorts.formation.learners import load_learners, members_by_cohort
from cohorts.formation.scoring import assemble, cohort_score, overlap_hours
from cohorts.formation.settings import get_settings, settings_of
from cohorts.formation.values import Learner, Preparer, Settings, Unplaced, rank_of
from cohorts.models import Cohort, CohortQuality, Enrolment, FormationReport, Membership

#: Figures of the report that only make sense at formation time.
NOT_STORED = ("seconds", "method", "proven", "placed_bound", "rank_bound", "worst_overlap_bound")
CURRENT = ("draft", "published")


def formation_learner(person_id: int) -> Learner:
    """A learner with no picks, for members whose enrolment is gone."""
    return Learner(str(person_id), ())


def course_report(session: Session, course_id: int) -> dict[str, Any]:
    """The quality report recomputed from every learner and cohort (the reference figures)."""
    settings = settings_of(get_settings(session, course_id))
    cohorts = session.execute(
        select(Cohort.id, Cohort.challenge_id).where(
            Cohort.course_id == course_id, Cohort.status.in_(CURRENT)
        )
    ).all()
    members = members_by_cohort(session, [cid for cid, _ in cohorts])
    learners = load_learners(session, course_id)
    preparer = Preparer()
    groups = [
        (
            str(cid),
            str(challenge_id),
            [preparer.member(learners.get(pid) or formation_learner(pid)) for pid in members[cid]],
            None,
        )
        for cid, challenge_id in cohorts
    ]
    placed = {pid for ids in members.values() for pid in ids}
    unplaced = [Unplaced(str(pid), "") for pid in learners if pid not in placed]
    report = assemble(groups, unplaced, settings, time.perf_counter()).report.as_dict()
    return {key: value for key, value in report.items() if key not in NOT_STORED}


def _parts(
    session: Session, course_id: int, cohorts: Sequence[tuple[int, int]], settings: Settings
) -> list[dict[str, Any]]:
    """One `CohortQuality` row per (cohort id, challenge id), reading only their members."""
    members = members_by_cohort(session, [cid for cid, _ in cohorts])
    ids = sorted({pid for group in members.values() for pid in group})
    learners = load_learners(session, course_id, only=ids) if ids else {}
    preparer = Preparer()
    rows = []
    for cohort_id, challenge_id in cohorts:
        key = str(challenge_id)
        group = [
            preparer.member(learners.get(pid) or formation_learner(pid))
            for pid in members[cohort_id]
        ]
        rows.append(
            {
                "cohort_id": cohort_id,
                "course_id": course_id,
                "members": len(group),
                "overlap_hours": overlap_hours(group),
                "score": cohort_score(group, key, settings),
                "first": sum(1 for m in group if m.choices[:1] == (key,)),
                "matched": sum(1 for m in group if key in m.choices),
                "rank": sum(rank_of(m.choices, key) for m in group),
            }
        )
    return rows


def _update_parts(
    session: Session, course_id: int, changed: Collection[int] | None, settings: Settings
) -> None:
    """Recompute the rows of ``changed`` cohorts (None: all) and of cohorts missing one."""
    current = and_(Cohort.course_id == course_id, Cohort.status.in_(CURRENT))
    kept = select(CohortQuality.cohort_id).where(CohortQuality.course_id == course_id)
    if changed is not None:
        kept = kept.where(CohortQuality.cohort_id.not_in(changed))
    session.execute(
        delete(CohortQuality).where(
            CohortQuality.course_id == course_id,
            CohortQuality.cohort_id.not_in(select(Cohort.id).where(current)),
        )
    )
    if changed is None:
        session.execute(delete(CohortQuality).where(CohortQuality.course_id == course_id))
    elif changed:
        session.execute(delete(CohortQuality).where(CohortQuality.cohort_id.in_(changed)))
    stale = session.execute(
        select(Cohort.id, Cohort.challenge_id)
        .where(current, Cohort.id.not_in(kept))
        .order_by(Cohort.id)
    ).all()
    rows = _parts(session, course_id, [(cid, ch) for cid, ch in stale], settings)
    if rows:
        session.execute(insert(CohortQuality), rows)


def _median_overlap(session: Session, course_id: int, count: int) -> float:
    """The median of the cohorts' shared hours, by ORDER BY with OFFSET (any database)."""
    if not count:
        return 0.0
    middle = session.scalars(
        select(CohortQuality.overlap_hours)
        .join(Cohort, Cohort.id == CohortQuality.cohort_id)
        .where(CohortQuality.course_id == course_id, Cohort.status.in_(CURRENT))
        .order_by(CohortQuality.overlap_hours)
        .offset((count - 1) // 2)
        .limit(2 - count % 2)
    ).all()
    return float(sum(middle) / len(middle))


def aggregate_report(session: Session, course_id: int, settings: Settings) -> dict[str, Any]:
    """The course's report from the stored cohort rows, in two aggregate queries and a count."""
    viable = CohortQuality.members.between(settings.minimum, settings.maximum)
    count, placed, smallest, largest, worst_hours, worst_score, first, matched, rank = (
        session.execute(
            select(
                func.count(CohortQuality.cohort_id),
                func.coalesce(func.sum(CohortQuality.members), 0),
                func.coalesce(func.min(CohortQuality.members), 0),
                func.coalesce(func.max(CohortQuality.members), 0),
                func.coalesce(func.min(CohortQuality.overlap_hours), 0.0),
                func.coalesce(func.min(CohortQuality.score), 0.0),
                func.coalesce(func.sum(case((viable, CohortQuality.first), else_=0)), 0),
                func.coalesce(func.sum(case((viable, CohortQuality.matched), else_=0)), 0),
                func.coalesce(func.sum(CohortQuality.rank), 0),
            )
            .join(Cohort, Cohort.id == CohortQuality.cohort_id)
            .where(CohortQuality.course_id == course_id, Cohort.status.in_(CURRENT))
        ).one()
    )
    placed_ids = (
        select(Membership.person_id)
        .join(Cohort, Cohort.id == Membership.cohort_id)
        .where(Membership.course_id == course_id, Cohort.status.in_(CURRENT))
    )
    unplaced = session.scalar(
        select(func.count(Enrolment.id)).where(
            Enrolment.course_id == course_id,
            Enrolment.role == "learner",
            Enrolment.active.is_(True),
            Enrolment.person_id.not_in(placed_ids),
        )
    )
    learners = int(placed) + int(unplaced or 0)
    return {
        "learners": learners,
        "placed": int(placed),
        "cohorts": int(count),
        "first_choice_share": int(first) / learners if learners else 0.0,
        "any_choice_share": int(matched) / learners if learners else 0.0,
        "size_min": int(smallest),
        "size_max": int(largest),
        "median_overlap_hours": _median_overlap(session, course_id, int(count)),
        "worst_overlap_hours": float(worst_hours),
        "worst_cohort_score": float(worst_score),
        "total_rank": int(rank),
    }


def refresh_report(
    session: Session, course_id: int, now: datetime, changed: Collection[int] | None = None
) -> dict[str, Any]:
    """Bring the stored report up to date after cohorts changed.

    ``changed`` names the cohorts whose members changed (their rows are recomputed); None
    recomputes every cohort, as after forming. Cohorts that left the draft and published
    ones drop out; learners who left the course drop out of the learner count.
    """
    session.flush()
    settings = settings_of(get_settings(session, course_id))
    _update_parts(session, course_id, changed, settings)
    report = aggregate_report(session, course_id, settings)
    row = get_or_create(
        session,
        select(FormationReport).where(FormationReport.course_id == course_id),
        lambda: FormationReport(course_id=course_id, report="{}", computed_at=now),
    )
    row.report, row.computed_at = json.dumps(report), now
    session.flush()
    return report


def stored_report(session: Session, course_id: int) -> tuple[dict[str, Any], datetime | None]:
    """The stored report and when it was computed; empty before the first formation."""
    row = session.get(FormationReport, course_id)
    if row is None:
        return {}, None
    return json.loads(row.report), row.computed_at
