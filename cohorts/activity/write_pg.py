"""An event, its week and the learner's summary written in one PostgreSQL statement.

One round trip instead of three keeps an event write well under a millisecond. Events nearly
always arrive in order (this week, for a learner seen before), so the summary is moved forward
from the week just upserted instead of being rebuilt from every week of the learner: the week's
``events`` coming back as 1 says the week is new, which is all the streak and the active-week
count need. When the summary is missing or the event lands before its last week, the UPDATE
matches nothing and ``events`` rebuilds the summary from the weeks instead, so any order stays
right.
"""

from sqlalchemy import text

WRITE_EVENT = text(
    """
WITH event AS (
    INSERT INTO activity_event (course_id, person_id, cohort_id, kind, occurred_at, day)
    VALUES (:course_id, :person_id, COALESCE(CAST(:cohort_id AS INTEGER), (
        SELECT m.cohort_id FROM membership m JOIN cohort c ON c.id = m.cohort_id
        WHERE m.course_id = :course_id AND m.person_id = :person_id
          AND c.status = 'published')), :kind, :occurred_at, :day)
), this_week AS (
    INSERT INTO activity_week (course_id, person_id, week, events, sessions, cohort_actions,
        gifts_given, gifts_received, asks_answered, last_day)
    VALUES (:course_id, :person_id, :week, 1, :sessions, :cohort_actions, :gifts_given,
        :gifts_received, :asks_answered, :day)
    ON CONFLICT (course_id, person_id, week) DO UPDATE SET
        events = activity_week.events + 1,
        sessions = activity_week.sessions + excluded.sessions,
        cohort_actions = activity_week.cohort_actions + excluded.cohort_actions,
        gifts_given = activity_week.gifts_given + excluded.gifts_given,
        gifts_received = activity_week.gifts_received + excluded.gifts_received,
        asks_answered = activity_week.asks_answered + excluded.asks_answered,
        last_day = GREATEST(activity_week.last_day, excluded.last_day)
    RETURNING events = 1 AS new_week
)
UPDATE activity_learner AS s SET
    last_week = :week,
    last_day = GREATEST(s.last_day, :day),
    active_weeks = s.active_weeks + CASE WHEN w.new_week THEN 1 ELSE 0 END,
    run_weeks = CASE
        WHEN NOT w.new_week THEN s.run_weeks
        WHEN :week = s.last_week + 1 THEN s.run_weeks + 1
        ELSE 1 END,
    gifts = s.gifts + :gifts_given + :gifts_received,
    cohort_actions = s.cohort_actions + :cohort_actions,
    early_events = s.early_events + CASE WHEN :week < s.first_week + 2 THEN 1 ELSE 0 END
FROM this_week AS w
WHERE s.course_id = :course_id AND s.person_id = :person_id AND s.last_week <= :week
RETURNING s.id
"""
)
