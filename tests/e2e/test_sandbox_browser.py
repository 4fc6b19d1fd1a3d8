"""Real browser, real server: the sandbox LMS launches Communitas in its iframe.

This is what a person trying Communitas with `make run` sees; the in-process launch tests
cannot catch a broken cookie, autopost form, script policy or frame resize.
"""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, FrameLocator, Page, expect

from .conftest import sandbox_button

pytestmark = pytest.mark.e2e

TIMEOUT_MS = 15_000
#: True once static/sandbox.js has applied a height the tool reported by lti.frameResize.
FRAME_RESIZED = """() => {
  const frame = document.getElementById("tool");
  const doc = frame.contentDocument;
  if (!frame.style.height || !doc || !doc.documentElement) return false;
  const wanted = Math.max(Math.ceil(doc.documentElement.scrollHeight), 200);
  return parseInt(frame.style.height, 10) === wanted;
}"""

#: Widths that would make a phone scroll sideways, in the LMS page and inside the tool.
NO_SIDEWAYS_SCROLL = """() => {
  const doc = document.getElementById("tool").contentDocument.documentElement;
  return {page: document.documentElement.scrollWidth, tool: doc.scrollWidth,
          frame: doc.clientWidth};
}"""


def launch(page: Page, base: str, user: str) -> FrameLocator:
    """Open the sandbox course and press "Launch as" for ``user``."""
    if not page.url.startswith(base + "/sandbox"):
        page.goto(base + "/sandbox/")
    sandbox_button(page, f'button[data-user="{user}"]').click()
    return page.frame_locator('iframe[name="tool"]')


def assert_frame_resized(page: Page) -> None:
    """The tool posted its height and the LMS iframe took it, so nothing scrolls inside."""
    page.wait_for_function(FRAME_RESIZED, timeout=TIMEOUT_MS)
    box = page.locator("#tool").bounding_box()
    content = page.evaluate(
        "document.getElementById('tool').contentDocument.documentElement.scrollHeight"
    )
    assert box is not None and box["height"] >= content, (box, content)


def test_learner_and_instructor_launch_in_the_sandbox(
    browser: Browser, live_tool: str, screenshots: Path
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    try:
        tool = launch(page, live_tool, "learner-1")
        expect(tool.get_by_role("heading", level=1)).to_have_text("Welcome, Ana Souza")
        expect(tool.locator("body")).to_contain_text("Data Literacy for Everyone")
        assert_frame_resized(page)
        page.screenshot(path=str(screenshots / "e2e-learner.png"), full_page=True)

        tool = launch(page, live_tool, "instructor-1")
        expect(tool.get_by_role("heading", level=1)).to_contain_text("community overview")
        assert_frame_resized(page)
        page.screenshot(path=str(screenshots / "e2e-instructor.png"), full_page=True)
        tall = page.locator("#tool").bounding_box()["height"]

        # Back to a shorter page: the frame shrinks instead of leaving a blank area.
        tool = launch(page, live_tool, "learner-1")
        expect(tool.get_by_role("heading", level=1)).to_have_text("Welcome, Ana Souza")
        page.wait_for_function(
            f"parseInt(document.getElementById('tool').style.height, 10) < {tall}"
        )
        assert not errors, f"the browser reported errors: {errors}"
    finally:
        context.close()


def test_learner_launch_on_a_320_px_screen(
    browser: Browser, live_tool: str, screenshots: Path
) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        tool = launch(page, live_tool, "learner-1")
        expect(tool.get_by_role("heading", level=1)).to_have_text("Welcome, Ana Souza")
        assert_frame_resized(page)
        tool.get_by_role("heading", level=1).scroll_into_view_if_needed()
        page.screenshot(path=str(screenshots / "e2e-learner-320.png"), full_page=True)
        widths = page.evaluate(NO_SIDEWAYS_SCROLL)
        assert widths["page"] <= 320 and widths["tool"] <= widths["frame"], widths
    finally:
        context.close()


#: The tool frame's document is a new one (a reload ran) showing the learner's home again.
RELOADED_HOME = """() => !window.beforeReload && location.pathname === "/learner/"
  && document.querySelector("h1")
  && document.querySelector("h1").textContent === "Welcome, Ana Souza"
"""


def test_reloading_or_going_back_after_a_launch_shows_the_page_not_an_error(
    browser: Browser, live_tool: str
) -> None:
    """The launch answers with the learner's home itself, at the launch's address. The page
    then takes its own address, so a reload or the Back button asks for the page again
    instead of posting the launch, which works only once."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    launches: list[str] = []
    refused: list[str] = []
    page.on("request", lambda r: launches.append(r.method) if "/lti/launch" in r.url else None)
    page.on("response", lambda r: refused.append(f"{r.status} {r.url}") if r.status > 399 else None)
    try:
        tool = launch(page, live_tool, "learner-1")
        expect(tool.get_by_role("heading", level=1)).to_have_text("Welcome, Ana Souza")
        frame = page.frame(name="tool")
        assert frame is not None
        frame.wait_for_function("() => location.pathname === '/learner/'")

        tool.get_by_role("navigation").get_by_role("link", name="Challenges").click()
        expect(tool.get_by_role("heading", level=1)).to_contain_text("Challenges in")
        frame.evaluate("history.back()")
        expect(tool.get_by_role("heading", level=1)).to_have_text("Welcome, Ana Souza")

        frame.evaluate("window.beforeReload = true; setTimeout(() => location.reload(), 0)")
        frame.wait_for_function(RELOADED_HOME)
        assert launches == ["POST"], launches  # the launch was posted once, never again
        assert not refused, refused
    finally:
        context.close()
