"""Who may reach the participation grade pages: staff only; learners and guests never."""

import pytest

from .test_cohort_authz import call

#: (method, path, what staff get in the authorization world, where the column is off).
GRADES_ROUTES = [
    ("GET", "/instructor/grades", 200),
    ("POST", "/instructor/grades/settings", 400),  # no fields posted
    ("POST", "/instructor/grades/publish", 400),  # the column is off
    ("POST", "/instructor/grades/retry", 302),  # nothing refused: nothing to retry
]


@pytest.mark.parametrize(("method", "path", "expected"), GRADES_ROUTES)
def test_grade_pages_are_for_staff_only(app, world, method, path, expected):
    clients, _ = world
    assert call(app, clients["staff"], method, path).status_code == expected
    for role, status in (("learner", 403), ("peer", 403), ("guest", 403), ("anonymous", 401)):
        assert call(app, clients[role], method, path).status_code == status, role


def test_learners_see_no_link_to_the_grade_pages(app, world):
    clients, _ = world
    for path in ("/learner/", "/learner/rhythm"):
        assert "/instructor/grades" not in clients["learner"].get(path).get_data(as_text=True)
