"""The sandbox gradebook refuses scores the way Moodle and Canvas do."""

import pytest

from sandbox import gradebook
from sandbox.gradebook import ServiceError
from sandbox.profiles import CANVAS, DEFAULT, MOODLE

BASE = "https://lms/ags/42/lineitems"


def score(user: str, timestamp: str, **extra) -> dict:
    body = {"userId": user, "scoreGiven": 5, "scoreMaximum": 10, "timestamp": timestamp}
    return body | {"activityProgress": "Completed", "gradingProgress": "FullyGraded"} | extra


@pytest.fixture
def item(tmp_path):
    path = tmp_path / "ags.json"
    made = gradebook.add_lineitem(path, BASE, {"label": "x", "scoreMaximum": 10}, "42")
    return path, made["id"]


def test_moodle_refuses_a_timestamp_in_the_same_second_with_409(item):
    path, line = item
    gradebook.add_score(path, line, score("learner-1", "2026-12-02T10:00:00.100+00:00"), MOODLE)
    with pytest.raises(ServiceError) as refused:
        gradebook.add_score(path, line, score("learner-1", "2026-12-02T10:00:00.900+00:00"), MOODLE)
    assert refused.value.status == 409
    assert "Refusing score with an earlier timestamp" in str(refused.value)
    gradebook.add_score(path, line, score("learner-1", "2026-12-02T10:00:01+00:00"), MOODLE)


def test_moodle_wants_both_progress_fields_and_a_gradable_user(item):
    path, line = item
    bare = {"userId": "learner-1", "scoreGiven": 1, "timestamp": "2026-12-02T10:00:00Z"}
    for refused in (bare, score("instructor-1", "2026-12-02T10:00:00Z")):
        with pytest.raises(ServiceError, match="Incorrect score received"):
            gradebook.add_score(path, line, refused, MOODLE)


def test_canvas_accepts_an_equal_timestamp_but_not_an_earlier_one(item):
    path, line = item
    gradebook.add_score(path, line, score("learner-1", "2026-12-02T10:00:00Z"), CANVAS)
    gradebook.add_score(path, line, score("learner-1", "2026-12-02T10:00:00Z"), CANVAS)
    with pytest.raises(ServiceError, match="before last updated timestamp"):
        gradebook.add_score(path, line, score("learner-1", "2026-12-02T09:59:59Z"), CANVAS)


def test_the_lenient_sandbox_still_refuses_a_timestamp_that_does_not_increase(item):
    path, line = item
    gradebook.add_score(path, line, score("learner-1", "2026-12-02T10:00:00Z"), DEFAULT)
    with pytest.raises(ServiceError) as refused:
        gradebook.add_score(path, line, score("learner-1", "2026-12-02T10:00:00Z"), DEFAULT)
    assert refused.value.status == 409
    gradebook.add_score(path, line, score("learner-2", "2026-12-02T10:00:00Z"), DEFAULT)


def test_line_items_are_found_by_tag_and_resource_link(tmp_path):
    path = tmp_path / "ags.json"
    mine = {"label": "Ours", "scoreMaximum": 5, "tag": "ours", "resourceLinkId": "r1"}
    gradebook.add_lineitem(path, BASE, mine, "42")
    gradebook.add_lineitem(path, BASE, {**mine, "resourceLinkId": "r2"}, "42")
    gradebook.add_lineitem(path, BASE, {**mine, "tag": "theirs"}, "42")
    found = gradebook.lineitems(path, "42", tag="ours", resource_link_id="r1")
    assert [(i["tag"], i["resourceLinkId"]) for i in found] == [("ours", "r1")]
    assert gradebook.lineitems(path, "other-course") == []


def test_planned_failures_are_used_up_in_order(tmp_path):
    path = tmp_path / "ags.json"
    gradebook.fail_next(path, 503, 2)
    gradebook.fail_next(path, 429, 1, "7")
    taken = [gradebook.take_failure(path) for _ in range(4)]
    assert taken == [(503, None), (503, None), (429, "7"), None]
