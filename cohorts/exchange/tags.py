"""Tags that meet: "stats" and "statistics", "essays" and "essay" are one topic.

Tags are stored as people typed them (lowercased); matching and suggestions compare their
canonical form, and a match says in the member's own words why it matched.
"""

from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

#: Short forms and other spellings people use, mapped to one word. Kept small on purpose:
#: only pairs nobody would mean differently.
SYNONYMS = {
    "stats": "statistics",
    "stat": "statistics",
    "statistic": "statistics",
    "maths": "math",
    "mathematics": "math",
    "js": "javascript",
    "ml": "machine learning",
    "proof reading": "proofreading",
}
#: Endings that look plural but are not (statistics, physics, focus, analysis, class).
KEEP_ENDINGS = ("ics", "ss", "us", "is", "os")


def singular(word: str) -> str:
    """Return the singular of a simple English plural; leave anything else as it is."""
    if len(word) <= 3 or word.endswith(KEEP_ENDINGS):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    return word


@lru_cache(maxsize=8192)
def canonical(tag: str) -> str:
    """The form two tags share when they mean the same: lowercase, singular, synonyms joined.

    Remembered per spelling: a course uses a few hundred, and its exchange page and tag
    suggestions ask for thousands on every visit."""
    text = " ".join(tag.replace("-", " ").replace("_", " ").split()).lower()
    if text in SYNONYMS:
        return SYNONYMS[text]
    words = text.split(" ")
    words[-1] = singular(words[-1])
    text = " ".join(words)
    return SYNONYMS.get(text, text)


def canonical_set(tags: Iterable[str]) -> set[str]:
    """Canonical forms of several tags."""
    return {canonical(t) for t in tags if t.strip()}


def _own_words(wanted: set[str], tags: Iterable[str]) -> list[str]:
    """The member's own spelling of each tag that meets one of ``wanted``, in their order."""
    seen: dict[str, str] = {}
    for tag in tags:
        form = canonical(tag)
        if form in wanted and form not in seen:
            seen[form] = tag
    return list(seen.values())


def explain_match(
    ask_tags: Iterable[str], offer_tags: Iterable[str], past_tags: Iterable[str]
) -> str:
    """Say why an ask fits a member, in their words: "you offered statistics"."""
    wanted = canonical_set(ask_tags)
    offered = _own_words(wanted, offer_tags)
    gave = [t for t in _own_words(wanted, past_tags) if canonical(t) not in canonical_set(offered)]
    parts = []
    if offered:
        parts.append(f"you offered {_join(offered)}")
    if gave:
        parts.append(f"you already helped with {_join(gave)}")
    return " and ".join(parts)


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def suggestions(texts: Iterable[str], limit: int = 200) -> list[str]:
    """The tags to suggest from comma-separated lists: one spelling per topic, the one used
    most (ties: the canonical spelling, then the fuller one), commonest topics first."""
    spellings: dict[str, Counter[str]] = {}
    for text in texts:
        for raw in text.split(","):
            tag = " ".join(raw.split()).lower()
            if tag:
                spellings.setdefault(canonical(tag), Counter())[tag] += 1
    ranked = sorted(spellings.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    best = [
        min(used, key=lambda t: (-used[t], t != form, -len(t), t)) for form, used in ranked[:limit]
    ]
    return sorted(best)
