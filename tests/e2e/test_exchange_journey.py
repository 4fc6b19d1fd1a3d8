"""A gift and an anonymous ask walked through their conversations in a real browser.

Three learners share a published cohort. Ana offers feedback, Ben takes it and sends his chart,
Ana writes the feedback as she marks it given, Ben confirms and thanks. Chen asks anonymously;
Ana answers in the conversation, Chen replies, and neither Ana nor Ben ever sees Chen's name.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, FrameLocator, Page, expect

from sandbox.demo import USERS

from .test_cohort_journey import (
    FRESH_TOOL_PAGE,
    TIMEOUT_MS,
    launch,
    lms_page,
    mark_stale,
    press,
    shoot,
    tab,
)

pytestmark = pytest.mark.e2e

TOPIC = "Reading statistics in the news"
ANA, BEN, CHEN = (USERS[f"learner-{n}"].name for n in (1, 2, 3))


def open_in_tool(page: Page, url: str) -> FrameLocator:
    """Open a tool URL in the LMS frame, as a pasted or bookmarked link would."""
    mark_stale(page)
    page.evaluate("u => { document.getElementById('tool').contentWindow.location.href = u; }", url)
    page.wait_for_function(FRESH_TOOL_PAGE, timeout=TIMEOUT_MS)
    return page.frame_locator('iframe[name="tool"]')


def form_one_cohort(page: Page) -> None:
    """Staff add one challenge, three learners pick it, staff form and publish a cohort."""
    tool = launch(page, "instructor-1")
    tab(page, tool, "Challenges")
    tool.get_by_label("Title").fill(TOPIC)
    tool.get_by_label("Short description").fill("Judge the percentages headlines quote.")
    press(page, tool.get_by_role("button", name="Add challenge"))
    for n in (1, 2, 3):
        tool = launch(page, f"learner-{n}")
        tab(page, tool, "Challenges")
        press(page, tool.get_by_role("button", name=f"Add as 1st choice: {TOPIC}"))
        if n == 1:
            tab(page, tool, "My profile")
            tool.get_by_label("Your time zone").select_option("Europe/Lisbon")
            tool.get_by_label("What you can offer others").fill("statistics, charts")
            press(page, tool.get_by_role("button", name="Save my profile"))
    tool = launch(page, "instructor-1")
    tab(page, tool, "Cohorts")
    press(page, tool.get_by_role("button", name="Form draft cohorts"))
    press(page, tool.get_by_role("link", name="Publish 1 draft cohort…"))
    press(page, tool.get_by_role("button", name="Publish 1 cohort"))


def test_a_gift_and_an_anonymous_ask_go_through_their_conversations(
    browser: Browser, live_tool: str, screenshots: Path
) -> None:
    with lms_page(browser, live_tool) as (page, errors):
        form_one_cohort(page)

        # Ana offers feedback on one chart.
        tool = launch(page, "learner-1")
        tab(page, tool, "Exchange")
        press(page, tool.get_by_role("link", name="Offer something"))
        tool.get_by_label("What kind of help").select_option("feedback")
        tool.get_by_label("Title").fill("I review your chart")
        tool.get_by_label("Tags (comma separated)").fill("charts")
        tool.get_by_label("How many people can take it up").fill("1")
        press(page, tool.get_by_role("button", name="Offer it"))

        # Ben takes it and writes first.
        tool = launch(page, "learner-2")
        tab(page, tool, "Exchange")
        press(page, tool.get_by_role("link", name="I review your chart"))
        press(page, tool.get_by_role("button", name="Claim this offer"))
        expect(tool.get_by_role("heading", level=1)).to_contain_text(f"from {ANA}")
        tool.get_by_label("Your message").fill("Here is my chart: https://example.org/chart.png")
        press(page, tool.get_by_role("button", name="Send", exact=True))
        expect(tool.locator("li.message")).to_contain_text("example.org/chart.png")

        # Ana sees a new message, writes the feedback itself and marks it given.
        tool = launch(page, "learner-1")
        tab(page, tool, "Exchange")
        expect(tool.locator("li.exchange")).to_contain_text("1 new message")
        press(page, tool.get_by_role("link", name="Write your help and mark it as given"))
        expect(tool.locator("li.message")).to_contain_text("New")
        tool.get_by_label("Your help (optional)").fill(
            "Label the **y axis** and start it at zero; the trend is then honest."
        )
        press(page, tool.get_by_role("button", name="Mark as given"))
        expect(tool.locator("p.status")).to_have_text(
            "Marked as given: waiting for them to confirm"
        )
        expect(tool.locator("li.message").last.locator("strong").last).to_have_text("y axis")

        # Ben reads it, confirms he received it, and thanks Ana.
        tool = launch(page, "learner-2")
        tab(page, tool, "Exchange")
        expect(tool.locator("li.exchange p.status")).to_have_text(
            "Marked as given: confirm you received it"
        )
        press(page, tool.get_by_role("link", name="Confirm you received it"))
        expect(tool.locator("li.message").last).to_contain_text("start it at zero")
        tool.get_by_label("How helpful was it?").select_option("5")
        press(page, tool.get_by_role("button", name="I received it"))
        tool.get_by_label("Thank-you note").fill("Thank you, much clearer now!")
        press(page, tool.get_by_role("button", name="Send thanks"))
        expect(tool.locator("p.status")).to_have_text("Received and thanked")
        shoot(page, screenshots, "exchange-conversation")

        # Ana's finished offer offers nothing more to edit.
        tool = launch(page, "learner-1")
        tab(page, tool, "Exchange")
        press(page, tool.get_by_role("link", name="I review your chart").first)
        expect(tool.locator("li.exchange")).to_contain_text("Received, and they thanked you")
        expect(tool.get_by_text("Edit or withdraw")).to_have_count(0)

        # Chen asks anonymously about statistics ("stats").
        tool = launch(page, "learner-3")
        tab(page, tool, "Exchange")
        press(page, tool.get_by_role("link", name="Ask for help"))
        tool.get_by_label("What you need").fill("Why is log(1) zero?")
        tool.get_by_label("Tags (comma separated)").fill("stats")
        tool.get_by_label("Ask anonymously").check()
        press(page, tool.get_by_role("button", name="Send my ask"))

        # Ana's offer of statistics meets "stats"; she answers without learning who asked.
        tool = launch(page, "learner-1")
        tab(page, tool, "Exchange")
        card = tool.locator("li.gift").filter(has_text="Why is log(1) zero?")
        expect(card).to_contain_text("you offered statistics")
        expect(card).to_contain_text("by A classmate")
        press(page, card.get_by_role("link", name="Why is log(1) zero?"))
        press(page, tool.get_by_role("button", name="I can help with this"))
        expect(tool.get_by_role("heading", level=1)).to_contain_text("to A classmate")
        gift_url = live_tool + tool.get_by_role("link", name="Why is log(1) zero?").get_attribute(
            "href"
        )
        tool.get_by_label("Your message").fill("Because e to the power 0 is 1.")
        press(page, tool.get_by_role("button", name="Send", exact=True))
        thread_url = page.frame(name="tool").url

        # Chen replies in the same conversation.
        tool = launch(page, "learner-3")
        tab(page, tool, "Exchange")
        expect(tool.locator("li.exchange")).to_contain_text("1 new message")
        press(page, tool.get_by_role("link", name="Open the conversation"))
        expect(tool.locator("li.message")).to_contain_text("e to the power 0")
        expect(tool.locator("#conversation")).to_contain_text("you asked anonymously")
        tool.get_by_label("Your message").fill("Thanks! And why is log(10) one?")
        press(page, tool.get_by_role("button", name="Send", exact=True))
        shoot(page, screenshots, "exchange-anonymous-reply")

        # Ana reads the reply from "A classmate"; Chen's name is nowhere on her pages.
        tool = launch(page, "learner-1")
        tool = open_in_tool(page, thread_url)
        expect(tool.locator("li.message").last).to_contain_text("log(10)")
        expect(tool.locator("li.message").last).to_contain_text("A classmate")
        expect(tool.locator("body")).not_to_contain_text(CHEN)
        press(page, tool.get_by_role("navigation").get_by_role("link", name=re.compile("^Notices")))
        expect(tool.locator("body")).to_contain_text("A classmate wrote to you")
        expect(tool.locator("body")).not_to_contain_text(CHEN)

        # Ben, a classmate outside that exchange, can neither read it nor learn who asked.
        tool = launch(page, "learner-2")
        tool = open_in_tool(page, thread_url)
        expect(tool.locator("body")).not_to_contain_text("log(10)")
        expect(tool.locator("body")).not_to_contain_text(CHEN)
        tool = open_in_tool(page, gift_url)
        expect(tool.locator("article.gift-detail")).to_contain_text("by A classmate")
        expect(tool.locator("body")).not_to_contain_text(CHEN)
        assert not errors, f"the browser reported errors: {errors}"
