"""Words of the exchange written for their reader: where an exchange stands for you, and
gentle notes that speak to the reader rather than about them."""

from collections.abc import Mapping, Sequence

from cohorts.exchange.rules import Reciprocity

#: (status, you give it) -> what the exchange asks of you now, or where it stands.
EXCHANGE_STATUS = {
    ("claimed", True): "Taken up: give it when you are ready, then mark it as given",
    ("claimed", False): "Taken up: they will mark it as given when it is done",
    ("given", True): "Marked as given: waiting for them to confirm",
    ("given", False): "Marked as given: confirm you received it",
    ("received", True): "They confirmed they received it",
    ("received", False): "You received it: say thank you if you like",
    ("thanked", True): "Received, and they thanked you",
    ("thanked", False): "Received and thanked",
    ("withdrawn", True): "Withdrawn",
    ("withdrawn", False): "Withdrawn",
}
FINISHED = ("received", "thanked", "withdrawn")


def gift_finished(state: str, exchange_statuses: Sequence[str]) -> bool:
    """Whether a gift has nothing left to do: ended, withdrawn, or every place taken and
    given. Finished gifts no longer offer editing or withdrawing."""
    if state in ("withdrawn", "expired"):
        return True
    return state == "full" and all(s != "claimed" for s in exchange_statuses)


def gift_status(direction: str, state: str, finished: bool = False) -> str:
    """Where a gift stands, in a few words."""
    if state == "full":
        if direction == "offer":
            return "All places taken"
        return "Answered" if finished else "Someone is answering it"
    return {"open": "Open", "withdrawn": "Withdrawn", "expired": "Ended"}[state]


def exchange_status(status: str, giving: bool) -> str:
    """Where an exchange stands, said to one of its two people."""
    return EXCHANGE_STATUS[(status, giving)]


def exchange_heading(status: str, giving: bool) -> str:
    """ "You give" while it is under way, "You gave" once it is done."""
    if status in ("given", "received", "thanked"):
        return "You gave" if giving else "You received"
    if status == "withdrawn":
        return "You were going to give" if giving else "You were going to receive"
    return "You give" if giving else "You receive"


def nudges(
    names: Mapping[int, str],
    balance: Reciprocity,
    open_asks: Mapping[int, Sequence[str]],
    viewer_id: int | None = None,
) -> list[str]:
    """Write gentle notes about members who have not received yet, mentioning their asks;
    the reader's own note speaks to them ("You haven't ..."), never of them."""
    notes = []
    for person in sorted(balance.only_give | balance.neither, key=lambda p: names.get(p, "")):
        tags = open_asks.get(person)
        if person == viewer_id:
            notes.append(
                f"You haven't received anything yet; your ask about {', '.join(tags)} is open."
                if tags
                else "You haven't received anything yet. Ask for something you need: "
                "small asks are the easiest to answer."
            )
            continue
        name = names.get(person, "A member")
        if tags:
            notes.append(
                f"{name} hasn't received anything yet; their ask is about {', '.join(tags)}."
            )
        else:
            notes.append(f"{name} hasn't received anything yet.")
    return notes
