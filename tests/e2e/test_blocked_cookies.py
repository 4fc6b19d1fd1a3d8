"""A browser that blocks third-party cookies: the LMS page on 127.0.0.1, the tool on localhost.

Platform storage carries the launch when the LMS offers it; otherwise Communitas offers a new
window, which is first-party and keeps its cookies. Dynamic registration works there too.
"""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, Playwright, expect

from .conftest import CHROMIUM, CHROMIUM_ARGS, complete_in_new_window, sandbox_button

pytestmark = pytest.mark.e2e
TIMEOUT_MS = 15_000


@pytest.fixture
def blocking_browser(tmp_path: Path, playwright: Playwright) -> Iterator[BrowserContext]:
    """Chromium with the profile setting "block third-party cookies" switched on."""
    profile = tmp_path / "profile"
    (profile / "Default").mkdir(parents=True)
    prefs = {"profile": {"cookie_controls_mode": 1}}
    (profile / "Default" / "Preferences").write_text(json.dumps(prefs))
    context = playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_ARGS,
        viewport={"width": 1200, "height": 900},
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context
    finally:
        context.close()


def lms_page(context: BrowserContext, tool_base: str, storage: bool) -> Page:
    page = context.new_page()
    lms = tool_base.replace("localhost", "127.0.0.1")
    page.goto(f"{lms}/sandbox/?storage={'1' if storage else '0'}")
    return page


def assert_third_party_cookies_blocked(page: Page) -> None:
    """Probe the browser rather than trust the setting: a cookie set in the frame must not stick."""
    frame = page.frame(name="post_message_forwarding")
    assert frame is not None
    frame.wait_for_load_state()
    stored = frame.evaluate(
        "document.cookie = 'probe=1; SameSite=None; Secure; Path=/'; document.cookie"
    )
    assert "probe=1" not in stored, "third-party cookies are not blocked in this profile"


def test_launches_go_through_platform_storage_when_cookies_are_blocked(
    blocking_browser: BrowserContext, cross_site_tool: str, screenshots: Path
) -> None:
    page = lms_page(blocking_browser, cross_site_tool, storage=True)
    assert_third_party_cookies_blocked(page)
    sandbox_button(page, 'button[data-user="learner-1"]').click()
    tool = page.frame_locator('iframe[name="tool"]')
    expect(tool.get_by_role("heading", level=1)).to_have_text("Welcome, Ana Souza")
    page.screenshot(path=str(screenshots / "e2e-blocked-cookies-learner.png"), full_page=True)
    # Later pages stay bound to the launch through the launch token, not a cookie.
    tool.get_by_role("link", name="Home").first.click()
    expect(tool.get_by_role("heading", level=1)).to_have_text("Welcome, Ana Souza")

    sandbox_button(page, 'button[data-user="instructor-1"]').click()
    expect(tool.get_by_role("heading", level=1)).to_contain_text("community overview")


def test_without_platform_storage_the_tool_opens_in_a_new_window(
    blocking_browser: BrowserContext, cross_site_tool: str, screenshots: Path
) -> None:
    page = lms_page(blocking_browser, cross_site_tool, storage=False)
    assert_third_party_cookies_blocked(page)
    sandbox_button(page, 'button[data-user="learner-2"]').click()
    shot = screenshots / "e2e-blocked-cookies-new-window.png"
    complete_in_new_window(blocking_browser, page, "Welcome, Ben Carter", shot)


def test_dynamic_registration_then_launch_with_cookies_blocked(
    blocking_browser: BrowserContext, cross_site_tool: str
) -> None:
    page = lms_page(blocking_browser, cross_site_tool, storage=True)
    sandbox_button(page, 'button[data-user="register"]').click()
    tool = page.frame_locator('iframe[name="tool"]')
    tool.get_by_role("button", name="Register Communitas").click()
    expect(page.locator("#registration-status")).to_contain_text("Registration finished")
    page.reload()
    expect(page.locator("body")).to_contain_text("communitas-dyn-")
    sandbox_button(page, 'button[data-user="learner-3"]').click()
    expect(tool.get_by_role("heading", level=1)).to_have_text("Welcome, Chen Wei")
