"""On a page with several forms, the form that failed gets its own error summary, others none."""

from .cohort_client import Browser
from .exchange_world import browsers, publish_cohort
from .test_cohort_pages import add_challenges, staff
from .test_exchange_pages import HOME, gift_id

__all__ = ["staff"]  # the fixture, used by name


def form_at(html: str, action: str) -> str:
    """The HTML of the form posting to ``action``."""
    start = html.index(f'action="{action}"')
    return html[start : html.index("</form>", start)]


def test_a_refused_suggestion_gets_a_summary_in_its_own_form_only(app, test_platform, staff):
    add_challenges(staff)
    learner = Browser(app, test_platform, "learner-2")
    page = learner.post(
        "/learner/challenges/propose",
        {"title": "x", "kind": "challenge"},
        form_page="/learner/challenges",
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert html.count('id="error-summary"') == 1
    propose = form_at(html, "/learner/challenges/propose")
    assert 'id="error-summary"' in propose and 'tabindex="-1"' in propose
    assert 'href="#title">Title: Use 3 to 120 characters for the title.</a>' in propose
    assert "error-summary" not in form_at(html, "/learner/challenges")  # the picks form


def test_a_refused_gift_edit_opens_its_form_with_the_summary_and_the_report_form_has_none(
    app, test_platform
):
    people = browsers(app, test_platform, "learner-1", "learner-2")
    publish_cohort("Otters", ["learner-1", "learner-2"])
    ana = people["learner-1"]
    ana.post(HOME + "offer", {"kind": "other", "title": "Chart review", "body": "Happy to"})
    gift = gift_id("Chart review")
    path = f"{HOME}gifts/{gift}"
    page = ana.post(path + "/edit", {"title": "ab", "body": "Happy to"}, form_page=path)
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert html.count('id="error-summary"') == 1
    assert '<details class="card" open>' in html  # the summary is not hidden in a closed box
    assert 'href="#title">' in form_at(html, path + "/edit")


def test_a_staff_settings_error_is_summarised_in_that_form_not_above_the_page(app, test_platform):
    staff = Browser(app, test_platform, "instructor-1")
    settings = {"enabled": "y", "score_maximum": "0", "target_active_weeks": "1"}
    page = staff.post("/instructor/grades/settings", settings, form_page="/instructor/grades")
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert html.count('id="error-summary"') == 1
    assert html.index('id="error-summary"') > html.index('id="messages"')
    assert 'href="#score_maximum"' in form_at(html, "/instructor/grades/settings")
