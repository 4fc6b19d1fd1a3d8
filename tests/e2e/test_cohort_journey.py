"""A whole cohort round in a real browser, through the sandbox LMS and its iframe.

The instructor lists challenges, twenty learners pick and describe themselves, staff form,
edit and publish cohorts, a late learner is placed on their own, and members meet on their
board. The in-process page tests check each step alone; this one catches what only breaks
when the steps follow each other in a browser, and leaves screenshots for people to review.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, FrameLocator, Locator, Page, expect

from sandbox.demo import USERS

from .conftest import sandbox_button

pytestmark = pytest.mark.e2e

TIMEOUT_MS = 15_000
WIDTHS = (1280, 320)
#: True once the iframe shows a fresh tool page, not the one shown before the launch.
FRESH_TOOL_PAGE = """() => {
  const doc = document.getElementById("tool").contentDocument;
  return !!doc && doc.readyState === "complete" && !!doc.body && !doc.body.dataset.stale
    && /^\\/(learner|instructor)\\//.test(doc.location.pathname);
}"""
#: True once the LMS iframe and the page in it kept their heights for one poll.
FRAME_STILL = """() => {
  const frame = document.getElementById("tool");
  const doc = frame.contentDocument;
  const inner = doc ? doc.documentElement.scrollHeight : 0;
  const now = frame.getBoundingClientRect().height + ":" + inner;
  const still = frame.dataset.seen === now;
  frame.dataset.seen = now;
  return still;
}"""
#: True once the LMS iframe has taken the height the tool reported.
FRAME_RESIZED = """() => {
  const frame = document.getElementById("tool");
  const doc = frame.contentDocument;
  if (!frame.style.height || !doc || !doc.documentElement) return false;
  const wanted = Math.max(Math.ceil(doc.documentElement.scrollHeight), 200);
  return parseInt(frame.style.height, 10) === wanted;
}"""

POPULAR = "Finding time to study"
NEWS = "Reading statistics in the news"
PORTFOLIO = "Building a data portfolio"
RARE = "Cleaning messy spreadsheets"
CHALLENGES = [
    (POPULAR, "Work, family and coursework all compete for the same evenings.", "challenge"),
    (NEWS, "Headlines quote percentages and charts we are not sure how to judge.", "challenge"),
    (PORTFOLIO, "Turn the course exercises into projects an employer can look at.", "opportunity"),
    (RARE, "Real data arrives with merged cells, typos and dates in three formats.", "challenge"),
]
#: Ranked picks per learner: the first challenge is popular, the last has two takers only,
#: and both must land on their second choice because a cohort needs at least three.
PICKS: dict[int, tuple[str, ...]] = {
    1: (POPULAR, NEWS, PORTFOLIO),
    2: (POPULAR, PORTFOLIO),
    3: (POPULAR,),
    4: (POPULAR, NEWS),
    5: (POPULAR, PORTFOLIO, NEWS),
    6: (POPULAR,),
    7: (POPULAR, NEWS),
    8: (POPULAR,),
    9: (NEWS, POPULAR),
    10: (NEWS,),
    11: (NEWS, PORTFOLIO),
    12: (NEWS, POPULAR, PORTFOLIO),
    13: (NEWS,),
    14: (PORTFOLIO, POPULAR),
    15: (PORTFOLIO,),
    16: (PORTFOLIO, NEWS),
    17: (PORTFOLIO,),
    18: (PORTFOLIO, POPULAR),
    19: (RARE, NEWS),
    20: (RARE, PORTFOLIO, POPULAR),
}
#: Learners who also fill their profile: UTC+01:00, evenings in common, offers meet needs.
PROFILES: dict[int, tuple[tuple[str, ...], str, str]] = {
    1: (("Mon evening", "Wed evening", "Sat morning"), "spreadsheets, statistics", "python"),
    2: (("Mon evening", "Wed evening", "Thu evening"), "proofreading, python", "statistics"),
    3: (("Mon evening", "Wed evening"), "time management", "spreadsheets"),
    4: (("Mon evening", "Wed evening", "Sat morning"), "charts", "python"),
    19: (("Tue evening", "Thu evening"), "excel", "statistics"),
}


@contextmanager
def lms_page(browser: Browser, base: str) -> Iterator[tuple[Page, list[str]]]:
    """A fresh browser tab on the sandbox LMS page, collecting script errors and 5xx answers."""
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    try:
        page.goto(base + "/sandbox/")
        yield page, errors
    finally:
        context.close()


def name_of(n: int) -> str:
    return USERS[f"learner-{n}"].name


def mark_stale(page: Page) -> None:
    page.evaluate("""() => {
      const doc = document.getElementById("tool").contentDocument;
      if (doc && doc.body) doc.body.dataset.stale = "1";
    }""")


def launch(page: Page, user: str) -> FrameLocator:
    """Press "Launch as" for ``user`` and wait until the iframe shows their first page."""
    mark_stale(page)
    sandbox_button(page, f'button[data-user="{user}"]').click()
    settle(page)
    return page.frame_locator('iframe[name="tool"]')


def settle(page: Page) -> None:
    """Wait for the new page and for the LMS frame to stop changing height, so nothing moves
    under the next click (a click landing while the frame resizes can miss its button)."""
    page.wait_for_function(FRESH_TOOL_PAGE, timeout=TIMEOUT_MS)
    page.wait_for_function(FRAME_STILL, polling=100, timeout=TIMEOUT_MS)


def press(page: Page, target: Locator) -> None:
    """Click a link or submit button in the tool and wait for the page it leads to."""
    mark_stale(page)
    target.click()
    settle(page)


def tab(page: Page, tool: FrameLocator, name: str) -> None:
    """Follow one of the tool's tabs, as a person would from the tab bar."""
    press(page, tool.get_by_role("navigation").get_by_role("link", name=name, exact=True))


def shoot(page: Page, screenshots: Path, name: str) -> None:
    """Save the tool as the LMS shows it, on a laptop and on a small phone."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        page.wait_for_function(FRAME_RESIZED, timeout=TIMEOUT_MS)
        # The tool's own body: the LMS frame keeps its tallest height, the content does not.
        tool = page.frame_locator('iframe[name="tool"]')
        tool.locator("body").screenshot(path=str(screenshots / f"journey-{name}-{width}.png"))
    page.set_viewport_size({"width": WIDTHS[0], "height": 800})


def add_challenges_and_settings(page: Page, tool: FrameLocator) -> None:
    tab(page, tool, "Challenges")
    expect(tool.get_by_role("heading", level=1)).to_have_text("Challenges")
    for count, (title, description, kind) in enumerate(CHALLENGES, start=1):
        tool.get_by_label("Title").fill(title)
        tool.get_by_label("Short description").fill(description)
        tool.get_by_label("Kind").select_option(kind)
        press(page, tool.get_by_role("button", name="Add challenge"))
        expect(tool.get_by_role("heading", name=f"Open challenges ({count})")).to_be_visible()
        expect(tool.get_by_role("row").filter(has_text=title)).to_contain_text(description)
    expect(tool.get_by_role("row").filter(has_text=PORTFOLIO)).to_contain_text("opportunity")

    tab(page, tool, "Formation settings")
    tool.get_by_label("Target cohort size").fill("4")
    tool.get_by_label("Largest cohort allowed").fill("6")
    press(page, tool.get_by_role("button", name="Save settings"))
    expect(tool.get_by_label("Target cohort size")).to_have_value("4")
    expect(tool.get_by_label("Largest cohort allowed")).to_have_value("6")


def pick(page: Page, tool: FrameLocator, picks: tuple[str, ...]) -> None:
    tab(page, tool, "Challenges")
    for rank, title in enumerate(picks, start=1):
        ordinal = {1: "1st", 2: "2nd", 3: "3rd"}[rank]
        press(page, tool.get_by_role("button", name=f"Add as {ordinal} choice: {title}"))


def fill_profile(
    page: Page, tool: FrameLocator, day_parts: tuple[str, ...], offers: str, needs: str
) -> None:
    tab(page, tool, "My profile")
    expect(tool.get_by_role("heading", level=1)).to_have_text("My profile")
    tool.get_by_label("Your time zone").select_option("Africa/Lagos")
    for part in day_parts:
        tool.get_by_label(part, exact=True).check()
    tool.get_by_label("What you can offer others").fill(offers)
    tool.get_by_label("What you would like help with").fill(needs)
    press(page, tool.get_by_role("button", name="Save my profile"))
    expect(tool.get_by_label(day_parts[0], exact=True)).to_be_checked()
    expect(tool.get_by_label("What you can offer others")).to_have_value(offers)


def draft_cards(tool: FrameLocator) -> Locator:
    return tool.locator('section[aria-labelledby="drafts-title"] li.cohort')


def card_named(tool: FrameLocator, name: str) -> Locator:
    return tool.locator("li.cohort").filter(
        has=tool.get_by_role("heading", level=3, name=name, exact=True)
    )


def cards_by_name(cards: Locator) -> dict[str, str]:
    """Each card's heading and text, read once so the test can decide what to edit."""
    return {card.locator("h3").inner_text(): card.inner_text() for card in cards.all()}


def test_a_cohort_round_from_challenges_to_the_cohort_board(
    browser: Browser, live_tool: str, screenshots: Path
) -> None:
    with lms_page(browser, live_tool) as (page, errors):
        # The instructor describes the course's challenges and asks for cohorts of four.
        tool = launch(page, "instructor-1")
        expect(tool.get_by_role("heading", level=1)).to_contain_text("community overview")
        add_challenges_and_settings(page, tool)

        # Twenty learners pick ranked challenges; some describe when they are free.
        for n, picks in PICKS.items():
            tool = launch(page, f"learner-{n}")
            expect(tool.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Welcome, "))
            pick(page, tool, picks)
            expect(tool.locator("ol.picks li").first).to_contain_text(picks[0])
            if n == 1:
                expect(tool.locator("li.challenge").filter(has_text=POPULAR)).to_contain_text(
                    "1 person has picked it"
                )
                shoot(page, screenshots, "learner-challenges")
            if n in PROFILES:
                fill_profile(page, tool, *PROFILES[n])
                if n == 1:
                    shoot(page, screenshots, "learner-profile")
        tab(page, tool, "Home")
        expect(tool.get_by_role("heading", name="Waiting for your cohort")).to_be_visible()
        tab(page, tool, "Challenges")
        expect(tool.locator("li.challenge").filter(has_text=RARE)).to_contain_text(
            "2 people have picked it"
        )

        # Staff form drafts and read the quality report.
        tool = launch(page, "instructor-1")
        expect(tool.locator(".stats")).to_contain_text("20 learners")
        expect(tool.locator(".stats")).to_contain_text("1 staff member")
        shoot(page, screenshots, "instructor-overview")
        tab(page, tool, "Cohorts")
        expect(tool.get_by_role("heading", level=1)).to_have_text("Cohorts")
        press(page, tool.get_by_role("button", name="Form draft cohorts"))
        expect(tool.get_by_role("heading", name=re.compile(r"^Drafts \(\d+\)"))).to_be_visible()
        expect(tool.get_by_role("heading", name="Quality of the current cohorts")).to_be_visible()
        report = tool.locator(".stats")
        expect(report).to_contain_text("placed on their first choice")
        expect(report.locator(".stat").filter(has_text="one of their choices")).to_contain_text(
            "100%"
        )
        drafts = cards_by_name(draft_cards(tool))
        assert not any(RARE in text for text in drafts.values()), drafts
        shoot(page, screenshots, "instructor-cohorts-draft")

        # Bring a learner into Ben's draft, keep that draft as it is, re-form the rest.
        ben, ana = name_of(2), name_of(1)
        target = next(name for name, text in drafts.items() if ben in text)
        others = [
            name_of(n)
            for n, picks in PICKS.items()
            if picks[0] == POPULAR and n not in PROFILES and USERS[f"learner-{n}"].share_pii
        ]
        mover = (
            ana
            if ana not in drafts[target]
            else next(name for name in others if name not in drafts[target])
        )
        tool.get_by_label("Learner", exact=True).select_option(label=mover)
        tool.get_by_label("Into draft cohort").select_option(label=target)
        press(page, tool.get_by_role("button", name="Move", exact=True))
        expect(card_named(tool, target)).to_contain_text(mover)

        press(page, card_named(tool, target).get_by_role("button", name=f"Lock {target}"))
        expect(card_named(tool, target).locator(".status-locked")).to_have_text("Locked")
        expect(
            card_named(tool, target).get_by_role("button", name=f"Unlock {target}")
        ).to_be_visible()
        kept = card_named(tool, target).locator(".members").text_content() or ""

        press(page, tool.get_by_role("button", name="Re-form unlocked drafts"))
        # Found by its lock: a fresh draft may be given the same name again.
        card = draft_cards(tool).filter(has=tool.locator(".status-locked"))
        expect(card.locator(".members")).to_have_text(kept)

        renamed = "Evening study allies"
        card.locator("summary", has_text="Rename").click()
        card.get_by_label("New name").fill(renamed)
        press(page, card.get_by_role("button", name="Save name"))
        expect(card_named(tool, renamed)).to_contain_text(ben)

        press(page, tool.get_by_role("link", name=re.compile(r"^Publish \d+ draft cohorts?…$")))
        press(page, tool.get_by_role("button", name=re.compile(r"^Publish \d+ cohorts?$")))
        expect(tool.get_by_role("heading", name=re.compile(r"^Drafts"))).to_have_count(0)
        published = tool.locator('section[aria-labelledby="published-title"]')
        expect(published.get_by_role("heading", level=2)).not_to_have_text("Published cohorts (0)")
        expect(published.locator("li.cohort").filter(has_text=renamed)).to_contain_text(ben)
        shoot(page, screenshots, "instructor-cohorts-published")

        tab(page, tool, "Export")
        expect(tool.get_by_role("heading", level=1)).to_have_text("Export cohorts as LMS groups")
        expect(tool.get_by_role("row").filter(has_text=ben)).to_contain_text(renamed)
        shoot(page, screenshots, "instructor-export")

        # A late learner picks and lands in a published cohort without staff.
        tool = launch(page, "learner-21")
        pick(page, tool, (POPULAR,))
        expect(tool.get_by_role("heading", name="Why this cohort")).to_be_visible()
        expect(tool.locator(".why")).to_contain_text(f"{POPULAR}, your first choice")
        expect(tool.locator(".members")).to_contain_text(f"{name_of(21)} (you)")

        # One of the two who picked the rare challenge is on their second choice.
        tool = launch(page, "learner-19")
        tab(page, tool, "My cohort")
        expect(tool.get_by_role("heading", name="Why this cohort")).to_be_visible()
        expect(tool.locator(".why")).to_contain_text(f"{NEWS}, your second choice")
        expect(tool.locator(".members")).to_contain_text(f"{name_of(19)} (you)")

        # Ben meets his cohort, posts on its board, and a member reads it.
        tool = launch(page, "learner-2")
        tab(page, tool, "My cohort")
        expect(tool.get_by_role("heading", level=1)).to_have_text(renamed)
        members = tool.locator(".members")
        expect(members).to_contain_text(f"{ben} (you)")
        why = tool.locator(".why")
        expect(why).to_contain_text(f"{POPULAR}, your first choice")
        # Ana, Chen and Divya share Ben's Monday and Wednesday evenings; Ana offers statistics.
        expect(why).to_contain_text(
            re.compile(
                r"You are free at the same time as [^.]*Ana Souza[^.]* for about 8 hours a week\."
            )
        )
        expect(why).to_contain_text("Ana Souza offers what you need: statistics.")
        expect(why.locator("li")).to_have_count(3)
        shoot(page, screenshots, "learner-cohort")
        hello = "Hello everyone! Shall we meet on Monday evenings to plan our study weeks?"
        tool.get_by_label("Your message").fill(hello)
        press(page, tool.get_by_role("button", name="Post", exact=True))
        expect(tool.locator("article.post").first).to_contain_text(hello)

        named = {USERS[f"learner-{n}"].name: n for n in PICKS if USERS[f"learner-{n}"].share_pii}
        listed = members.inner_text()
        mate = next(n for name, n in named.items() if n != 2 and name in listed)
        tool = launch(page, f"learner-{mate}")
        tab(page, tool, "My cohort")
        expect(tool.get_by_role("heading", level=1)).to_have_text(renamed)
        expect(tool.locator(".members")).to_contain_text(ben)
        expect(tool.get_by_role("heading", name="Why this cohort")).to_be_visible()
        post = tool.locator("article.post").first
        expect(post).to_contain_text(hello)
        expect(post.locator(".meta")).to_contain_text(ben)
        shoot(page, screenshots, "learner-cohort-board")
        assert not errors, f"the browser reported errors: {errors}"


def test_a_saved_form_says_so_after_the_redirect_in_the_lms_frame(
    browser: Browser, live_tool: str
) -> None:
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto(live_tool + "/sandbox/")
        tool = launch(page, "instructor-1")
        tab(page, tool, "Formation settings")
        press(page, tool.get_by_role("button", name="Save settings"))
        expect(tool.locator("p.flash")).to_have_text("Formation settings saved.")
    finally:
        context.close()
