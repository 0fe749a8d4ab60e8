"""Markdown from organisers rendered to safe HTML: markdown-it-py, then nh3 strips anything unsafe."""
from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"linkify": False, "html": False}).enable("table")

_ALLOWED_TAGS = {
    "p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre", "h2", "h3",
    "h4", "hr", "table", "thead", "tbody", "tr", "th", "td",
}


def render_markdown(text: str) -> str:
    html = _md.render(text)
    return nh3.clean(html, tags=_ALLOWED_TAGS, attributes={"a": {"href", "title"}},
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")
