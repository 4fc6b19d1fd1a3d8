"""The score outbox on a plain Session: idempotent queueing, supersession, back-off, giving up."""

from datetime import timedelta

from sqlalchemy import select

from cohorts.activity.events import record_activity
from cohorts.grades import delivery, outbox
from cohorts.grades.delivery import Outcome
from cohorts.grades.measures import learner_counts
from cohorts.grades.rules import GradeRule, LearnerScore, learner_scores
from cohorts.models import Course, Enrolment, GradeLineItem, Person, ScorePost, utcnow

NOW = utcnow().replace(microsecond=0)


def world(session, learners: int = 2):
    course = Course(issuer="https://lms", client_id="c", deployment_id="d", context_id="x")
    session.add(course)
    session.flush()
    people = []
    for i, role in enumerate(["staff"] + ["learner"] * learners):
        person = Person(issuer="https://lms", client_id="c", sub=f"u{i}")
        session.add(person)
        session.flush()
        session.add(Enrolment(course_id=course.id, person_id=person.id, role=role))
        people.append(person)
    item = GradeLineItem(
        course_id=course.id, resource_link_id="r", tag="t", url="https://lms/li/1", score_maximum=10
    )
    session.add(item)
    session.flush()
    return course, people, item


def score(person, points: float) -> LearnerScore:
    return LearnerScore(person.id, person.sub, points, 10.0)


def rows(session) -> list[ScorePost]:
    return list(session.scalars(select(ScorePost).order_by(ScorePost.id)))


def test_counts_come_from_the_rollup_and_staff_are_never_scored(session):
    course, (teacher, ana, ben), _ = world(session)
    for person in (teacher, ana, ana):
        record_activity(session, course.id, person.id, "give", NOW)
    counts = {c.user_id: c.counts["gifts_given"] for c in learner_counts(session, course.id)}
    assert counts == {"u1": 2, "u2": 0}
    scored = learner_scores(learner_counts(session, course.id), GradeRule(10, {"gifts_given": 2}))
    assert [(s.user_id, s.score) for s in scored] == [("u1", 10.0), ("u2", 0.0)]


def test_the_same_score_is_queued_once_and_a_newer_one_replaces_it_while_waiting(session):
    course, (_, ana, ben), item = world(session)
    first = outbox.queue_scores(session, course.id, item.id, [score(ana, 5), score(ben, 2)], NOW)
    again = outbox.queue_scores(session, course.id, item.id, [score(ana, 5), score(ben, 2)], NOW)
    assert (first.queued, again.queued, again.unchanged) == (2, 0, 2)
    newer = outbox.queue_scores(session, course.id, item.id, [score(ana, 7)], NOW)
    assert newer.queued == 1
    waiting = [(r.user_id, r.score_given, r.status) for r in rows(session)]
    assert waiting == [("u1", 7.0, "pending"), ("u2", 2.0, "pending")]


def test_a_sent_score_is_not_sent_again_and_a_change_gets_a_later_timestamp(session):
    course, (_, ana, _), item = world(session)
    outbox.queue_scores(session, course.id, item.id, [score(ana, 5)], NOW)
    [claimed] = outbox.claim_due(session, NOW)
    outbox.record_outcomes(session, [(claimed, Outcome("sent", status=204))], NOW)
    assert outbox.queue_scores(session, course.id, item.id, [score(ana, 5)], NOW).queued == 0
    outbox.queue_scores(session, course.id, item.id, [score(ana, 6)], NOW)
    sent, waiting = rows(session)
    assert (sent.status, waiting.status) == ("sent", "pending")
    assert waiting.timestamp == sent.timestamp + timedelta(seconds=1)


def test_failures_back_off_and_give_up_after_the_last_attempt(session):
    course, (_, ana, _), item = world(session)
    outbox.queue_scores(session, course.id, item.id, [score(ana, 5)], NOW)
    now, stamps = NOW, []
    for attempt in range(1, delivery.MAX_ATTEMPTS + 1):
        [claimed] = outbox.claim_due(session, now)
        stamps.append(claimed.timestamp)
        busy = Outcome("retry", "The platform was unavailable (503).", 503)
        outbox.record_outcomes(session, [(claimed, busy)], now, base_delay=10)
        [row] = rows(session)
        assert row.attempts == attempt
        if attempt < delivery.MAX_ATTEMPTS:
            assert row.next_attempt_at == now + timedelta(seconds=10 * 2 ** (attempt - 1))
            assert outbox.claim_due(session, now) == []  # not before its time
            now = row.next_attempt_at
    assert row.status == "failed" and row.reason.startswith("Gave up after 8 attempts")
    assert stamps == sorted(set(stamps))  # each retry carried a later timestamp


def test_a_score_overtaken_while_in_flight_is_not_retried(session):
    course, (_, ana, _), item = world(session)
    outbox.queue_scores(session, course.id, item.id, [score(ana, 5)], NOW)
    [claimed] = outbox.claim_due(session, NOW)
    outbox.queue_scores(session, course.id, item.id, [score(ana, 8)], NOW)  # published meanwhile
    outbox.record_outcomes(session, [(claimed, Outcome("retry", "timeout"))], NOW)
    assert [(r.score_given, r.status) for r in rows(session)] == [
        (5.0, "superseded"),
        (8.0, "pending"),
    ]


def test_waiting_for_a_free_connection_is_not_an_attempt(session):
    course, (_, ana, _), item = world(session)
    outbox.queue_scores(session, course.id, item.id, [score(ana, 5)], NOW)
    [claimed] = outbox.claim_due(session, NOW)
    outbox.record_outcomes(session, [(claimed, delivery.error_outcome("busy", "full"))], NOW)
    [row] = rows(session)
    assert (row.status, row.attempts) == ("pending", 0)


def test_refused_scores_can_be_queued_again_once(session):
    course, (_, ana, _), item = world(session)
    outbox.queue_scores(session, course.id, item.id, [score(ana, 5)], NOW)
    [claimed] = outbox.claim_due(session, NOW)
    refusal = Outcome("failed", "The platform refused the score (400).", 400)
    outbox.record_outcomes(session, [(claimed, refusal)], NOW)
    assert outbox.requeue_failed(session, NOW, course.id) == 1
    assert outbox.requeue_failed(session, NOW, course.id) == 0
    assert [(r.status, r.attempts) for r in rows(session)] == [("pending", 0)]


def test_a_learners_score_history_holds_only_their_scores_in_that_course(session):
    from cohorts.grades import history

    course, (_, ana, ben), item = world(session)
    other = Course(issuer="https://lms", client_id="c", deployment_id="d", context_id="y")
    session.add(other)
    session.flush()
    elsewhere = GradeLineItem(
        course_id=other.id, resource_link_id="r", tag="t", url="https://lms/li/2", score_maximum=10
    )
    session.add(elsewhere)
    session.flush()
    outbox.queue_scores(session, course.id, item.id, [score(ana, 5), score(ben, 2)], NOW)
    outbox.queue_scores(session, other.id, elsewhere.id, [score(ana, 9)], NOW)
    [claimed, _] = outbox.claim_due(session, NOW, course_id=course.id)
    sent = Outcome("sent", "", 200, "")
    outbox.record_outcomes(session, [(claimed, sent)], NOW)
    mine = history.scores_of(session, course.id, ana.id)
    assert [(s.score, s.status, s.answer) for s in mine] == [
        (5.0, "Sent", "Accepted by the platform (200).")
    ]
    assert mine[0].sent_at is not None
    assert [s.score for s in history.scores_of(session, other.id, ana.id)] == [9.0]
