"""Full LTI launches through pylti1p3 with real RS256 tokens from the test platform."""

from sqlalchemy import func, select

from cohorts.models import Course, Enrolment, Person, ResourceLink
from lti_app.extensions import db
from tests.conftest import DELETE, page_address


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_learner_launch_lands_on_learner_home_with_name_and_course(launch_as):
    page = launch_as("learner-1")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert page_address(page) == "/learner/"
    assert "Welcome, Ana Souza" in html
    assert "Data Literacy for Everyone" in html


def test_instructor_launch_lands_on_instructor_overview(launch_as):
    page = launch_as("instructor-1")
    assert page_address(page) == "/instructor/"
    assert "community overview" in page.get_data(as_text=True)


def test_teaching_assistant_and_admin_are_staff(launch_as):
    assert page_address(launch_as("ta-1")) == "/instructor/"
    assert page_address(launch_as("admin-1")) == "/instructor/"


def test_unknown_role_gets_read_only_learner_page(launch_as):
    page = launch_as("mentor-1")
    assert page_address(page) == "/learner/"
    assert "guest" in page.get_data(as_text=True).lower()
    enrolment = db.session.scalars(select(Enrolment)).one()
    assert enrolment.role == "guest"


def test_launch_records_course_person_enrolment_and_link(launch_as):
    launch_as("learner-1")
    course = db.session.scalars(select(Course)).one()
    person = db.session.scalars(select(Person)).one()
    assert (course.context_id, course.title, course.label) == (
        "demo-course-101",
        "Data Literacy for Everyone",
        "DATA101",
    )
    assert (person.sub, person.name, person.email) == (
        "learner-1",
        "Ana Souza",
        "ana.souza@example.edu",
    )
    assert db.session.scalars(select(ResourceLink.link_id)).one() == "communitas-link-1"
    assert "membership#Learner" in db.session.scalars(select(Enrolment.lti_roles)).one()


def test_relaunch_updates_rather_than_duplicates(launch_as):
    launch_as("learner-1")
    launch_as("learner-1")
    launch_as("instructor-1")
    assert (count(Course), count(Person), count(Enrolment), count(ResourceLink)) == (1, 2, 2, 1)


def test_launch_without_names_stores_no_personal_data(launch_as):
    page = launch_as("learner-8")  # the platform withholds this learner's name and email
    person = db.session.scalars(select(Person)).one()
    assert (person.name, person.given_name, person.email) == (None, None, None)
    assert f"Participant {person.id}" in page.get_data(as_text=True)


def test_pages_without_launch_answer_401_and_point_to_the_course(client):
    for path in ("/", "/learner/", "/instructor/", "/lti/deep-link"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert "Open Communitas from your course" in response.get_data(as_text=True)


def test_learner_cannot_open_instructor_pages(launch_as, client):
    launch_as("learner-1")
    assert client.get("/instructor/").status_code == 403


def test_reloading_the_launched_page_works_through_the_session(launch_as, client):
    launch_as("learner-1")
    assert client.get("/").status_code == 302
    assert client.get("/learner/").status_code == 200


def test_later_launch_replaces_earlier_binding(launch_as, client):
    launch_as("instructor-1")
    launch_as("learner-2")
    assert client.get("/instructor/").status_code == 403
    assert "Ben Carter" in client.get("/learner/").get_data(as_text=True)


def test_pages_send_a_strict_script_policy(launch_as):
    page = launch_as("learner-1")
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"


def test_jwks_publishes_the_tool_key_without_private_parts(client):
    keys = client.get("/lti/jwks").get_json()["keys"]
    assert len(keys) == 1
    assert keys[0]["alg"] == "RS256" and keys[0]["kty"] == "RSA" and keys[0]["kid"]
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(keys[0])


def test_a_launch_from_outside_a_course_explains_where_communitas_lives(launcher):
    """1EdTech certification: a valid instructor or student launch without a context."""
    from sqlalchemy import func, select

    from cohorts.models import Course, Enrolment, Person
    from lti_app.extensions import db
    from tests.conftest import DELETE

    context = "https://purl.imsglobal.org/spec/lti/claim/context"
    for user in ("instructor-1", "learner-1"):
        response = launcher.launch(user, claims={context: DELETE})
        page = response.get_data(as_text=True)
        assert response.status_code == 200, page
        assert "Communitas lives in a course" in page
        assert ("To add it to a course" in page) == (user == "instructor-1")
    count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    assert (count(Person), count(Course), count(Enrolment)) == (2, 0, 0)


def test_a_launch_whose_page_cannot_be_read_is_kept_and_sends_the_browser_there(
    launcher, client, monkeypatch
):
    from sqlalchemy.exc import OperationalError

    import lti_app.learner.course as course

    read, failed = course.learner_status, []

    def fails_once(*args):
        if not failed:
            failed.append(True)
            raise OperationalError("SELECT", {}, Exception("server closed the connection"))
        return read(*args)

    monkeypatch.setattr(course, "learner_status", fails_once)
    response = launcher.launch("learner-1")
    assert response.status_code == 303 and response.location == "/learner/"
    assert db.session.scalar(select(Enrolment.last_launch_at)) is not None
    assert "Welcome, Ana Souza" in client.get(response.location).get_data(as_text=True)


def test_a_return_launch_that_leaves_out_names_shows_the_stored_ones(launcher):
    assert launcher.launch("learner-1").status_code == 200
    context = "https://purl.imsglobal.org/spec/lti/claim/context"
    left_out = {context: {"id": "demo-course-101"}, "name": DELETE, "given_name": DELETE}
    page = launcher.launch("learner-1", claims=left_out).get_data(as_text=True)
    assert "Welcome, Ana Souza" in page and "Data Literacy for Everyone" in page
