"""Malformed input anywhere gets a clear 4xx: NUL bytes, ids past the integer range, odd digits."""

import re

import pytest
from werkzeug.routing import IntegerConverter

from tests.conftest import Launcher

BIG = [str(2**31), str(2**63), str(10**30)]
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def browsers(app, test_platform):
    """A launched staff browser and learner browser, with the CSRF token of each session."""
    out = {}
    for role, user in (("staff", "instructor-1"), ("learner", "learner-1")):
        launcher = Launcher(app.test_client(), test_platform)
        assert launcher.launch(user).status_code == 200
        page = launcher.client.get(
            "/instructor/exchange/settings" if role == "staff" else "/learner/profile"
        )
        out[role] = (launcher.client, TOKEN.search(page.get_data(as_text=True)).group(1))
    return out


def int_routes(app):
    """Every route with an ``<int:>`` part, as (rule, methods, names of the int parts)."""
    for rule in app.url_map.iter_rules():
        ints = [
            name for name, conv in rule._converters.items() if isinstance(conv, IntegerConverter)
        ]
        if ints:
            yield rule, sorted(rule.methods - {"HEAD", "OPTIONS"}), ints


def fill(rule, ints, value):
    """Build the rule's path with ``value`` in every int part and a valid value elsewhere."""
    path = rule.rule
    for name in ints:
        path = path.replace(f"<int:{name}>", value)
    return re.sub(r"<any\(([a-z_]+)[^>]*\):[a-z_]+>", r"\1", path)


@pytest.mark.parametrize("value", [*BIG, "²", "١٢"])
def test_ids_past_the_integer_range_or_in_odd_digits_are_not_found(app, browsers, value):
    seen = 0
    for rule, methods, ints in int_routes(app):
        path = fill(rule, ints, value)
        for client, token in browsers.values():
            for method in methods:
                response = client.open(path, method=method, data={"csrf_token": token})
                assert 400 <= response.status_code < 500, (method, path, response.status_code)
                seen += 1
    assert seen > 40


FORMS = [
    ("staff", "/instructor/challenges", {"title": "Tide\x00pools", "kind": "challenge"}),
    ("staff", "/instructor/exchange/settings", {"weekly_cap": "5", "report_threshold": "2\x00"}),
    ("learner", "/learner/profile", {"offers": "maths\x00", "needs": "", "time_zone": ""}),
    ("learner", "/learner/challenges/propose", {"title": "Nul\x00l", "kind": "challenge"}),
    ("learner", "/learner/exchange/offer", {"kind": "other", "title": "A\x00b", "tags": ""}),
    ("learner", "/learner/exchange/ask", {"kind": "other\x00", "title": "Help me", "tags": ""}),
]


@pytest.mark.parametrize(("role", "path", "data"), FORMS)
def test_a_nul_byte_in_any_form_field_is_refused_clearly(browsers, role, path, data):
    client, token = browsers[role]
    response = client.post(path, data={"csrf_token": token, **data})
    assert response.status_code == 400
    assert "invisible control character" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("role", "path", "field"),
    [
        ("staff", "/instructor/exchange/settings", "weekly_cap"),
        ("staff", "/instructor/exchange/settings", "report_threshold"),
        ("staff", "/instructor/settings", "maximum"),
        ("staff", "/instructor/settings", "target"),
        ("learner", "/learner/exchange/offer", "capacity"),
    ],
)
def test_numbers_past_the_integer_range_in_forms_are_refused(browsers, role, path, field):
    client, token = browsers[role]
    base = {
        "weekly_cap": "5",
        "report_threshold": "2",
        "target": "5",
        "minimum": "3",
        "maximum": "6",
        "kind": "other",
        "title": "Big numbers",
        "tags": "",
        "capacity": "1",
    }
    for value in BIG:
        response = client.post(path, data={"csrf_token": token, **base, field: value})
        assert 400 <= response.status_code < 500, (path, field, value, response.status_code)


@pytest.mark.parametrize(
    ("path", "field"),
    [("/lti/login", "iss"), ("/lti/login", "client_id"), ("/lti/launch", "state")],
)
def test_a_nul_byte_before_sign_in_is_refused_clearly(client, test_platform, path, field):
    from sandbox.demo import USERS

    data = test_platform.login_initiation(USERS["learner-1"]) if path == "/lti/login" else {}
    data |= {field: "x\x00y", "id_token": "a.b.c"}
    for method in ("GET", "POST") if path == "/lti/login" else ("POST",):
        response = client.open(
            path,
            method=method,
            data=data if method == "POST" else None,
            query_string=data if method == "GET" else None,
        )
        assert response.status_code == 400, (path, method, response.status_code)
