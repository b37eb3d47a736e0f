"""Renders the register's narrative text: a small Markdown subset, made safe.

Text is stored as paragraphs separated by blank lines and `- ` bullet lists. It is
escaped first, so any HTML or script typed into it is shown as typed, never run;
then rendered with Markdown and cleaned with nh3 down to a handful of tags. Finally
each glossary abbreviation found in the text (not in tags or attributes) is wrapped in
an `<abbr>` carrying its meaning; that step re-serialises every node itself, escaping
as it goes.
"""

import functools
import re
from html import escape
from html.parser import HTMLParser

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {"p", "ul", "ol", "li", "br", "abbr", "strong", "em"}
ALLOWED_ATTRIBUTES = {"abbr": {"title"}}
VOID_TAGS = {"br"}


def render(text, glossary=None) -> SafeString:
    """Returns the text as safe HTML, with glossary abbreviations marked up."""
    if not text:
        return mark_safe("")  # noqa: S308 - a constant empty string.

    escaped = escape(_blank_line_before_lists(str(text)), quote=False)
    html = markdown.markdown(escaped)
    html = sanitise(html)
    abbreviations = tuple(sorted(a for a in glossary or () if a))
    if abbreviations:
        pattern = _abbreviation_pattern(abbreviations)
        html = _AbbreviationWriter(pattern, glossary).run(html)
    # Safe: every tag and attribute left was allowed by nh3 and written escaped.
    return mark_safe(html)  # noqa: S308


def sanitise(html) -> str:
    """Drops every tag and attribute but the few the narrative text may use."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        clean_content_tags={"script", "style"},
        link_rel=None,
        strip_comments=True,
    )


def _blank_line_before_lists(text):
    """Separates a list from the line above it: the format allows that, Markdown not."""
    out = []
    for line in text.replace("\r\n", "\n").split("\n"):
        previous = out[-1] if out else ""
        if line.startswith("- ") and previous.strip() and not previous.startswith("- "):
            out.append("")
        out.append(line)
    return "\n".join(out)


@functools.lru_cache(maxsize=32)
def _abbreviation_pattern(abbreviations):
    """A regex matching any of the abbreviations as a whole word, longest first."""
    alternatives = sorted(abbreviations, key=len, reverse=True)
    return re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(a) for a in alternatives) + r")(?!\w)"
    )


class _AbbreviationWriter(HTMLParser):
    """Rewrites clean HTML, wrapping abbreviations found in text outside `<abbr>`."""

    def __init__(self, pattern, glossary):
        super().__init__(convert_charrefs=True)
        self.pattern = pattern
        self.glossary = glossary
        self.parts = []
        self.abbr_depth = 0

    def run(self, html):
        self.feed(html)
        self.close()
        return "".join(self.parts)

    def handle_starttag(self, tag, attrs):
        if tag == "abbr":
            self.abbr_depth += 1
        attributes = "".join(
            f' {name}="{escape(value or "", quote=True)}"' for name, value in attrs
        )
        self.parts.append(f"<{tag}{attributes}>")

    def handle_startendtag(self, tag, attrs):
        self.parts.append(f"<{tag}>" if tag in VOID_TAGS else f"<{tag}></{tag}>")

    def handle_endtag(self, tag):
        if tag == "abbr" and self.abbr_depth:
            self.abbr_depth -= 1
        if tag not in VOID_TAGS:
            self.parts.append(f"</{tag}>")

    def handle_data(self, data):
        if self.abbr_depth:
            self.parts.append(escape(data, quote=False))
            return
        position = 0
        for match in self.pattern.finditer(data):
            word = match.group()
            self.parts.append(escape(data[position : match.start()], quote=False))
            self.parts.append(
                f'<abbr title="{escape(self.glossary[word], quote=True)}">'
                f"{escape(word, quote=False)}</abbr>"
            )
            position = match.end()
        self.parts.append(escape(data[position:], quote=False))
