"""Confirmations show once: on the page after the post, gone after the next tab click."""

from tests.web.cohort_client import Browser

SAVED = "Your profile is saved."
PROFILE = {"utc_offset": "60", "offers": "spreadsheets", "needs": ""}


def test_saved_message_shows_once_then_a_tab_click_clears_it(app, test_platform):
    learner = Browser(app, test_platform, "learner-1")
    after = learner.post("/learner/profile", PROFILE, follow_redirects=True)
    assert SAVED in after.get_data(as_text=True)
    assert SAVED not in learner.get("/learner/").get_data(as_text=True)
    assert SAVED not in learner.get("/learner/profile").get_data(as_text=True)


def test_in_a_cookieless_frame_the_message_also_shows_once(app, test_platform):
    import html
    import re

    from tests.web.test_launch_sessions import TOKEN, cookieless_launch

    browser, home = cookieless_launch(app, test_platform)
    page = browser.get(home).get_data(as_text=True)
    profile = html.unescape(re.search(r'href="([^"]*/learner/profile[^"]*)"', page).group(1))
    form = browser.get(profile).get_data(as_text=True)
    csrf = TOKEN.search(form).group(1)
    posted = browser.post(profile, data={"csrf_token": csrf, **PROFILE})
    assert posted.status_code == 302 and "lt=" in posted.location
    after = browser.get(posted.location).get_data(as_text=True)
    assert SAVED in after
    tab = html.unescape(re.search(r'href="([^"]*/learner/\?[^"]*)"', after).group(1))
    assert SAVED not in browser.get(tab).get_data(as_text=True)
    assert SAVED not in browser.get(posted.location).get_data(as_text=True)
