"""Turn a safe subset of Markdown into sanitised HTML for gifts, asks and notes."""

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_MARKDOWN = MarkdownIt("zero", {"breaks": True, "html": False}).enable(
    [
        "emphasis",
        "link",
        "list",
        "backticks",
        "fence",
        "code",
        "newline",
        "escape",
        "blockquote",
        "autolink",
    ]
)
TAGS = {"p", "a", "em", "strong", "ul", "ol", "li", "code", "pre", "br", "blockquote"}
ATTRIBUTES = {"a": {"href"}}
SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> Markup:
    """Render Markdown, then keep only the allowed tags; links get rel=noopener and nofollow."""
    html = _MARKDOWN.render(text or "")
    clean = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    # Safe to mark: nh3 removed every tag and attribute outside the lists above.
    return Markup(clean)
