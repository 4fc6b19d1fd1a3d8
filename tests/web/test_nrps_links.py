"""Roster pages are followed by their Link header, and never to another host."""

from cohorts.roster.rules import DELETED
from lti_app.lti.services import nrps


def test_link_headers_name_next_and_differences_in_any_form():
    header = (
        '<https://lms.example/nrps?page=2>; rel="next", '
        "<https://lms.example/nrps?since=9>; rel=differences, "
        '<https://lms.example/nrps?page=1>; rel="first prev"'
    )
    found = nrps.links(header)
    assert found["next"] == "https://lms.example/nrps?page=2"
    assert found["differences"] == "https://lms.example/nrps?since=9"
    assert found["prev"] == "https://lms.example/nrps?page=1"
    assert nrps.links(None) == {} and nrps.links("garbage") == {}


def test_a_next_link_is_followed_only_on_the_rosters_own_origin():
    base = "https://lms.example/nrps?page=1"
    assert nrps._same_origin("/nrps?page=2", base) == "https://lms.example/nrps?page=2"
    assert nrps._same_origin("https://evil.example/x", base) is None
    assert nrps._same_origin("http://lms.example/nrps?page=2", base) is None


def test_the_tool_asks_for_large_pages_unless_the_url_says_otherwise():
    assert nrps.with_page_size("https://lms/nrps") == "https://lms/nrps?limit=500"
    assert nrps.with_page_size("https://lms/nrps?rlid=7") == "https://lms/nrps?rlid=7&limit=500"
    assert nrps.with_page_size("https://lms/nrps?limit=50") == "https://lms/nrps?limit=50"


def test_roster_entries_without_a_usable_user_id_are_left_out():
    assert nrps.member({"roles": []}) is None
    assert nrps.member({"user_id": 42}) is None
    assert nrps.member({"user_id": "x" * 300}) is None
    assert nrps.member("not an object") is None
    entry = nrps.member(
        {"user_id": "u1", "status": DELETED, "roles": ["Learner", 7], "name": " Ana "}
    )
    assert entry is not None
    assert (entry.role, entry.lti_roles, entry.status, entry.name) == (
        "learner",
        ("Learner",),
        DELETED,
        "Ana",
    )
