"""Communitas embedded in a Moodle-like LMS on another site, over HTTPS, cookies blocked.

The sandbox LMS runs its Moodle profile on https://127.0.0.1:PORT (one-time message hints,
no platform storage, a fixed 600 px frame); the tool is https://localhost:PORT. Chromium
blocks third-party cookies, as it does by default now: only the tool's Partitioned cookies
survive in the frame. When even those are refused, the login offers a new window before
it goes to the platform, so Moodle's hint is spent once, in that window.
"""

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Playwright, expect

from .conftest import CHROMIUM, CHROMIUM_ARGS, complete_in_new_window, sandbox_button

pytestmark = pytest.mark.e2e
TIMEOUT_MS = 15_000


def chromium(playwright: Playwright, profile: Path, prefs: dict) -> Iterator[BrowserContext]:
    (profile / "Default").mkdir(parents=True)
    (profile / "Default" / "Preferences").write_text(json.dumps({"profile": prefs}))
    context = playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_ARGS,
        viewport={"width": 1280, "height": 900},
        ignore_https_errors=True,  # the test's own throwaway certificate
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def blocking_third_party(tmp_path: Path, playwright: Playwright) -> Iterator[BrowserContext]:
    """Chromium with "block third-party cookies" on."""
    yield from chromium(playwright, tmp_path / "profile", {"cookie_controls_mode": 1})


@pytest.fixture
def blocking_tool_in_frames(
    tmp_path: Path, playwright: Playwright, moodle_over_https: str
) -> Iterator[BrowserContext]:
    """Chromium that also refuses the tool's cookies whenever the LMS embeds it.

    Safari, and browsers set to block all cookies in frames, behave like this; the tool
    keeps its cookies as a page of its own.
    """
    port = urlsplit(moodle_over_https).port
    rule = f"https://localhost:{port},https://127.0.0.1:{port}"
    prefs = {
        "cookie_controls_mode": 1,
        "content_settings": {"exceptions": {"cookies": {rule: {"setting": 2}}}},
    }
    yield from chromium(playwright, tmp_path / "profile", prefs)


def moodle_course(context: BrowserContext, tool: str):
    page = context.new_page()
    page.goto(tool.replace("localhost", "127.0.0.1") + "/sandbox/?profile=moodle")
    return page


def test_embedded_launch_in_moodle_over_https_with_third_party_cookies_blocked(
    blocking_third_party: BrowserContext, moodle_over_https: str, screenshots: Path
) -> None:
    page = moodle_course(blocking_third_party, moodle_over_https)
    expect(page.locator("[data-testid=profiles]")).to_contain_text("Moodle 4.5")
    sandbox_button(page, 'button[data-user="learner-1"]').click()
    tool = page.frame_locator('iframe[name="tool"]')
    expect(tool.get_by_role("heading", level=1)).to_have_text("Welcome, Ana Souza")
    # Moodle ignores lti.frameResize: the frame keeps its 600 px.
    assert page.evaluate("document.getElementById('tool').clientHeight") == 600
    page.screenshot(path=str(screenshots / "e2e-moodle-https-learner.png"), full_page=True)
    sandbox_button(page, 'button[data-user="instructor-1"]').click()
    expect(tool.get_by_role("heading", level=1)).to_contain_text("community overview")
    assert_confirmation_in_view_after_a_post(page)


#: True when the page's confirmation message lies inside the (fixed) frame's viewport.
FLASH_IN_VIEW = """() => {
  const flash = document.querySelector(".flash");
  if (!flash) return false;
  const box = flash.getBoundingClientRect();
  return box.top >= 0 && box.bottom <= window.innerHeight;
}"""


def assert_confirmation_in_view_after_a_post(page) -> None:
    """In Moodle's 600 px frame, a saved form's confirmation is visible without scrolling."""
    tool = page.frame_locator('iframe[name="tool"]')
    tool.get_by_role("navigation").get_by_role("link", name="Formation settings").click()
    tool.get_by_label("Target cohort size").fill("4")
    tool.get_by_role("button", name="Save settings").click()
    frame = page.frame(name="tool")
    assert frame is not None
    frame.wait_for_function(FLASH_IN_VIEW, timeout=TIMEOUT_MS)


def test_new_window_fallback_completes_with_moodles_one_time_hint(
    blocking_tool_in_frames: BrowserContext, moodle_over_https: str, screenshots: Path
) -> None:
    page = moodle_course(blocking_tool_in_frames, moodle_over_https)
    sandbox_button(page, 'button[data-user="learner-2"]').click()
    shot = screenshots / "e2e-moodle-https-new-window.png"
    popup = complete_in_new_window(blocking_tool_in_frames, page, "Welcome, Ben Carter", shot)
    expect(popup.locator("body")).not_to_contain_text("Invalid request")
