"""Every limit the domain enforces, written once for services, forms, tables and templates."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    """An inclusive range of lengths or numbers."""

    low: int
    high: int

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int | float) and self.low <= value <= self.high


TITLE = Span(3, 120)
CHALLENGE_DESCRIPTION_MAX = 500
GIFT_BODY_MAX = 4000
TAGS_MAX = 300
POST_BODY_MAX = 2000
THANKS_NOTE_MAX = 280
MESSAGE_BODY_MAX = 4000
#: Messages one exchange's conversation may hold: a short thread, not a chat room.
THREAD_MESSAGES_MAX = 100
REPORT_DETAILS_MAX = 300
REPORT_CATEGORIES = ("unkind", "spam", "private", "cheating", "off_topic", "other")
#: Reports one member may file in ten minutes, and in a day.
REPORTS_PER_TEN_MINUTES = 5
REPORTS_PER_DAY = 20
#: Reports in a week against one person's items, from two members or more, that staff hear of.
PILE_ON_REPORTS = 4
COHORT_NAME = Span(2, 80)
DISPLAY_NAME = Span(2, 60)
COHORT_SIZE = Span(2, 20)
WEIGHT = Span(0, 3)
WEEKLY_CAP = Span(1, 100)
REPORT_THRESHOLD = Span(1, 20)
#: Past this many cohorts the staff page shows one challenge at a time, so it stays quick to
#: load and the move form lists dozens of people rather than thousands.
ONE_CHALLENGE_AT_A_TIME = 60
CHALLENGE_KINDS = ("challenge", "opportunity")
GIFT_KINDS = ("feedback", "explanation", "resource", "encouragement", "practice", "other")
#: A roster sync reads at most this many members over at most this many pages, asking for
#: pages of this size (platforms may send smaller ones); a longer roster fails in words.
ROSTER_MAX_MEMBERS = 50_000
ROSTER_MAX_PAGES = 1_000
ROSTER_PAGE_SIZE = 500
