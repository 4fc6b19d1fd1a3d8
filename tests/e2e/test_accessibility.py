"""Every page, learner and staff, checked in Chromium: axe-core inside the tool's frame at 1280
and 320 px, no sideways scroll at 320 px, and a learner's round done with the keyboard alone.

One server and one demo course for the module (loaded with the sandbox's own button); each
person launches once and their pages are visited in that launch, so the module stays quick.
"""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Frame, Page, expect

from .conftest import sandbox_button

pytestmark = pytest.mark.e2e

TIMEOUT_MS = 20_000
WIDTHS = (1280, 320)
#: axe-core 4.14.1, vendored with its licence (see vendor/README.md): no network at test time.
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
SERIOUS = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations
    .filter((v) => v.impact === "critical" || v.impact === "serious")
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3)
      .map((n) => n.target.join(" ")).join(", ")}`);
}"""
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
LEARNER_PAGES = [
    "/learner/",
    "/learner/challenges",
    "/learner/profile",
    "/learner/cohort",
    "/learner/exchange/",
    "/learner/exchange/offer",
    "/learner/exchange/ask",
    "/learner/exchange/notices",
    "/learner/rhythm",
    "/learner/privacy",
]
STAFF_PAGES = [
    "/instructor/",
    "/instructor/challenges",
    "/instructor/settings",
    "/instructor/cohorts",
    "/instructor/exchange/",
    "/instructor/exchange/moderation",
    "/instructor/exchange/settings",
    "/instructor/export",
    "/instructor/persistence",
    "/instructor/persistence/settings",
]


class Person:
    """One launched browser: the sandbox page, its tool frame, and a 320 px page beside it."""

    def __init__(self, browser: Browser, base: str, user: str, heading: str) -> None:
        self.base = base
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(TIMEOUT_MS)
        self.lms = self.context.new_page()
        self.lms.goto(f"{base}/sandbox/?storage=0")
        sandbox_button(self.lms, f'button[data-user="{user}"]').click()
        tool = self.lms.frame_locator('iframe[name="tool"]')
        expect(tool.get_by_role("heading", level=1)).to_contain_text(heading)
        frame = self.lms.frame(name="tool")
        assert frame is not None
        self.frame: Frame = frame
        self.narrow: Page = self.context.new_page()
        self.narrow.set_viewport_size({"width": 320, "height": 800})

    def open(self, path: str) -> None:
        """Follow a link inside the tool's frame, as the LMS page shows it."""
        response = self.frame.goto(self.base + path)
        assert response is not None and response.status < 400, (path, response)

    def links(self, pattern: str) -> list[str]:
        """The tool's own links on the page in the frame whose path matches ``pattern``."""
        hrefs = self.frame.eval_on_selector_all("main a[href]", "els => els.map(e => e.href)")
        paths = [re.sub(r"^https?://[^/]+", "", h).split("#")[0] for h in hrefs]
        return sorted({p for p in paths if re.search(pattern, p)})


def serious_violations(frame: Frame) -> list[str]:
    frame.evaluate(AXE + ";0")  # through the debugger: the page's script policy stays as it is
    return frame.evaluate(SERIOUS)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def demo_course(live_tool: str, browser: Browser) -> str:
    """Load the demo course once with the sandbox's "Load a demo course" button."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(f"{live_tool}/sandbox/")
    page.get_by_role("button", name="Load a demo course").click()
    expect(page.get_by_text("The demo course is ready")).to_be_visible()
    context.close()
    return live_tool


@pytest.fixture(scope="module")
def people(demo_course: str, browser: Browser) -> Iterator[dict[str, Person]]:
    launched = {
        "learner": Person(browser, demo_course, "learner-2", "Welcome"),
        "staff": Person(browser, demo_course, "instructor-1", ""),
    }
    yield launched
    for person in launched.values():
        person.context.close()


def every_page(person: Person, pages: list[str], more: dict[str, str]) -> list[str]:
    """The audience's pages, plus a few reached through links (a gift, a board, an edit)."""
    found: list[str] = []
    for listing, pattern in more.items():
        person.open(listing)
        found += person.links(pattern)[:2]
    return pages + found


def check_pages(person: Person, pages: list[str]) -> None:
    problems: list[str] = []
    for width in WIDTHS:
        person.lms.set_viewport_size({"width": width, "height": 900})
        for path in pages:
            person.open(path)
            problems += [f"{width}px {path}: {v}" for v in serious_violations(person.frame)]
    for path in pages:
        person.narrow.goto(person.base + path)
        sideways = person.narrow.evaluate(SIDEWAYS)
        if sideways > 0:
            problems.append(f"320px {path}: scrolls {sideways}px sideways")
    assert not problems, "\n".join(problems)


def test_learner_pages_have_no_serious_axe_violations_and_fit_320_px(people):
    learner = people["learner"]
    pages = every_page(learner, LEARNER_PAGES, {"/learner/exchange/": r"/exchange/gifts/\d+$"})
    check_pages(learner, pages)


def test_staff_pages_have_no_serious_axe_violations_and_fit_320_px(people):
    staff = people["staff"]
    pages = every_page(
        staff,
        STAFF_PAGES,
        {
            "/instructor/cohorts": r"/cohorts/\d+/board$",
            "/instructor/challenges": r"/challenges/\d+/edit$",
        },
    )
    check_pages(staff, pages)


def test_a_form_with_errors_sends_focus_to_a_summary_that_leads_to_each_field(people):
    learner = people["learner"]
    learner.lms.set_viewport_size({"width": 320, "height": 900})
    learner.open("/learner/exchange/offer")
    learner.frame.get_by_label("Title").fill("ab")
    learner.frame.get_by_role("button", name="Offer it").click()
    summary = learner.frame.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Use 3 to 120 characters for the title.")
    expect(learner.frame.get_by_label("Title")).to_have_value("ab")
    assert not serious_violations(learner.frame)


#: Counts messages taken out of the page after it loaded: each one moves what is under the pointer.
WATCH_MESSAGES = """new MutationObserver((records) => {
  const gone = records.flatMap((r) => [...r.removedNodes]).filter((n) => n.classList
    && n.classList.contains("flash"));
  window.messagesTakenOut = (window.messagesTakenOut || 0) + gone.length;
}).observe(document, { childList: true, subtree: true });"""


def test_a_message_after_a_post_stays_in_place_and_is_read_out(people):
    learner = people["learner"]
    learner.context.add_init_script(WATCH_MESSAGES)
    learner.open("/learner/profile")
    with learner.frame.expect_navigation():
        learner.frame.get_by_role("button", name="Save my profile").click()
    expect(learner.frame.locator("#messages")).to_have_text("Your profile is saved.")
    announcer = learner.frame.locator('#announcer[role="status"]')
    expect(announcer).to_have_text("Your profile is saved.")
    assert learner.frame.evaluate("() => window.messagesTakenOut || 0") == 0


SELECT_LOOK = """(s) => { const c = getComputedStyle(s), r = s.getBoundingClientRect();
  return { font: c.fontSize === getComputedStyle(document.body).fontSize,
           radius: c.borderTopLeftRadius, tall: r.height >= 40,
           inside: r.left >= 0 && r.right <= document.documentElement.clientWidth }; }"""
RING = "() => [document.activeElement.id, getComputedStyle(document.activeElement).outlineStyle]"


def test_the_cohorts_filter_select_looks_like_the_other_selects_and_shows_its_focus(people):
    staff = people["staff"]
    staff.lms.set_viewport_size({"width": 1280, "height": 900})
    staff.open("/instructor/cohorts")
    staff.narrow.goto(staff.base + "/instructor/cohorts")
    for page in (staff.frame, staff.narrow):
        select = page.locator("#challenge-filter")
        look = select.evaluate(SELECT_LOOK)
        assert look == {"font": True, "radius": "6px", "tall": True, "inside": True}
    staff.narrow.locator("#challenge-filter").focus()
    staff.narrow.keyboard.press("Shift+Tab")
    staff.narrow.keyboard.press("Tab")  # reached with the keyboard: the ring shows
    assert staff.narrow.evaluate(RING) == ["challenge-filter", "solid"]


# Keyboard only from here: Tab, Shift+Tab, Enter and Space (and the arrow keys a select takes).


def focused(frame: Frame) -> dict[str, Any]:
    return frame.evaluate(  # type: ignore[no-any-return]
        """() => { const e = document.activeElement;
          return { inside: document.hasFocus(), tag: e.tagName, id: e.id,
                   text: (e.innerText || e.value || "").trim(),
                   label: e.labels && e.labels[0] ? e.labels[0].innerText.trim() : "" }; }"""
    )


def tab_to(person: Person, name: str, limit: int = 120) -> None:
    """Press Tab until the focus is on the control whose text or label starts with ``name``."""
    for _ in range(limit):
        person.lms.keyboard.press("Tab")
        now = focused(person.frame)
        if now["inside"] and (now["text"].startswith(name) or now["label"].startswith(name)):
            return
    pytest.fail(f"Tab never reached “{name}”")


def press(person: Person, name: str, key: str = "Enter") -> None:
    tab_to(person, name)
    with person.frame.expect_navigation():
        person.lms.keyboard.press(key)


def message(person: Person) -> str:
    return person.frame.locator("#messages").inner_text()


OPEN_OFFER = """() => [...document.querySelectorAll("li.gift-offer")]
  .filter((li) => !li.querySelector("p.status"))
  .map((li) => li.querySelector("h3 a").innerText)[0]"""


def test_a_learner_picks_offers_takes_up_an_offer_and_replies_with_the_keyboard_alone(
    people, browser
):
    # Dana started late: no picks yet, so picking places her in a cohort with room.
    dana = Person(browser, people["learner"].base, "learner-4", "Welcome")
    try:
        press(dana, "Challenges")
        press(dana, "Add as 1st")  # the first card's button, reached by Tab alone
        expect(dana.frame.locator("#messages")).to_contain_text("You joined a cohort")

        press(dana, "Exchange")
        press(dana, "Offer something")
        press(dana, "Offer it")  # nothing typed yet: the errors come first, all at once
        expect(dana.frame.locator("#error-summary")).to_be_focused()
        dana.lms.keyboard.press("Tab")
        assert focused(dana.frame)["text"].startswith("Title:")
        dana.lms.keyboard.press("Enter")  # the summary's link leads to its field
        expect(dana.frame.locator("#title")).to_be_focused()
        dana.lms.keyboard.type("I can walk you through pivot tables")
        press(dana, "Offer it")
        expect(dana.frame.get_by_role("heading", level=1)).to_have_text(
            "I can walk you through pivot tables"
        )

        press(dana, "Exchange")
        offer = dana.frame.evaluate(OPEN_OFFER)
        assert offer, "the demo course has an open offer in every cohort"
        press(dana, offer)
        press(dana, "Claim this offer", key="Space")
        expect(dana.frame.locator("#messages")).to_contain_text("It's yours")

        tab_to(dana, "Your message")  # the conversation the claim opened: reply in it
        dana.lms.keyboard.type("Thank you! Could we go through it on Thursday evening?")
        press(dana, "Send")
        expect(dana.frame.locator("#messages")).to_contain_text("Sent.")
        expect(dana.frame.locator("#conversation")).to_contain_text("on Thursday evening?")
    finally:
        dana.context.close()
