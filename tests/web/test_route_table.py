"""Every route of the tool is in an authorization table, so none ships unguarded by accident."""

from collections import defaultdict

import pytest

from . import test_cohort_authz as cohorts
from . import test_exchange_authz as exchange
from . import test_grades_authz as grades
from .test_cohort_authz import call

#: Routes outside the audience blueprints, with what an anonymous browser gets.
PUBLIC = [
    ("GET", "/", 401),
    ("GET", "/lti/jwks", 200),
    ("GET", "/lti/config/canvas.json", 200),
    ("GET", "/lti/login", 400),
    ("GET", "/lti/login/blocked", 400),
    ("POST", "/lti/login", 400),
    ("POST", "/lti/launch", 400),
    ("GET", "/lti/register", 400),
    ("POST", "/lti/register", 400),
    ("GET", "/lti/deep-link", 401),
    ("POST", "/lti/deep-link", 401),
    ("GET", "/admin/doctor", 401),
    ("GET", "/admin/doctor/{case}", 401),
    ("POST", "/sign-out", 303),
    ("GET", "/signed-out", 200),
]


def tables() -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = [(m, p) for m, p, _ in PUBLIC]
    for module in (cohorts, exchange, grades):
        for name in dir(module):
            table = getattr(module, name)
            if name.isupper() and isinstance(table, list):
                rows += [(row[0], row[1]) for row in table]
    return rows


def test_every_route_of_the_app_is_in_an_authorization_table(app):
    adapter = app.url_map.bind("localhost")
    ids = defaultdict(lambda: "7")
    covered = set()
    for method, path in tables():
        endpoint, _ = adapter.match(path.format_map(ids), method=method)
        covered.add((endpoint, method))
    missing = [
        (rule.endpoint, method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and not rule.endpoint.startswith("sandbox.")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
        if (rule.endpoint, method) not in covered
    ]
    assert missing == []


@pytest.mark.parametrize(("method", "path", "expected"), PUBLIC)
def test_public_routes_answer_an_anonymous_browser_without_an_error(
    app, world, method, path, expected
):
    clients, ids = world
    assert call(app, clients["anonymous"], method, path.format(**ids)).status_code == expected
