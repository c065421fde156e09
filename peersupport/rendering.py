"""The one road from Markdown to HTML.

Everything a person writes in Markdown (course content, and later learners'
reflections and essays) becomes HTML here and nowhere else: Python-Markdown,
then ``bleach.clean`` with an explicit allowlist. Templates mark only the HTML
this module returns (stored beside its source in ``*_html`` fields) as safe.

The renderer never raises and never hangs. Python-Markdown has two known
failure modes on hostile or unlucky input:

* deep nesting (``"- " * 496 + "x"``) exhausts the recursion limit;
* unmatched ``[`` or ``(`` make its inline patterns rescan the rest of the
  paragraph, so a few hundred of them in one long paragraph take many seconds.

Text past a length cap, text whose estimated inline cost is too high, and any
text the library fails on are shown as escaped plain text instead: every word
kept, only the formatting lost.
"""

import logging
import re
import threading
from dataclasses import dataclass

import bleach
import markdown
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

logger = logging.getLogger(__name__)

LEARNER_PROTOCOLS = frozenset({"http", "https", "mailto"})
# Course content may also link a phone number so it can be tapped to call
# ("call [116 123](tel:116123)" on the resources page). A tel: link only
# offers to dial; it runs nothing. Learners' writing has no need of it.
CONTENT_PROTOCOLS = LEARNER_PROTOCOLS | {"tel"}

LEARNER_TAGS = frozenset(
    {
        "p", "br", "hr", "strong", "em", "b", "i", "del", "sup", "sub", "code", "pre",
        "blockquote", "ul", "ol", "li", "a",
        "h2", "h3", "h4", "h5", "h6",
        "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
CONTENT_TAGS = LEARNER_TAGS | {"h1", "img", "abbr", "dl", "dt", "dd"}

LEARNER_ATTRIBUTES = {"a": ["href", "title"], "th": ["align"], "td": ["align"]}
CONTENT_ATTRIBUTES = {
    **LEARNER_ATTRIBUTES,
    "img": ["src", "alt", "title"],
    "abbr": ["title"],
    # Headings keep the ids the toc extension gives them, so a page can link
    # to a section (the "Need support now?" link does).
    **{f"h{level}": ["id"] for level in range(1, 7)},
}

# Past these, text is shown plain. A learner's answer may be long (an essay is
# a few thousand words; the journal accepts up to ~50,000 characters).
MAX_MARKDOWN_CHARS = 200_000
# Rough count of character scans Python-Markdown's inline patterns make: each
# unmatched bracket can rescan the rest of its paragraph. 2,000,000 scans take
# about one second on a 2-core machine; ordinary writing scores a few thousand.
MAX_INLINE_COST = 2_000_000

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class Profile:
    """What a kind of text may contain once rendered."""

    name: str
    tags: frozenset
    attributes: dict
    protocols: frozenset  # the schemes a link or image address may use
    raw_html: bool  # whether HTML typed into the Markdown is parsed (then sanitised)
    heading_ids: bool


CONTENT = Profile(
    "content",
    CONTENT_TAGS,
    CONTENT_ATTRIBUTES,
    CONTENT_PROTOCOLS,
    raw_html=True,
    heading_ids=True,
)
LEARNER = Profile(
    "learner",
    LEARNER_TAGS,
    LEARNER_ATTRIBUTES,
    LEARNER_PROTOCOLS,
    raw_html=False,
    heading_ids=False,
)


def render_markdown(text: str | None, profile: Profile = CONTENT) -> str:
    """Return sanitised HTML for ``text``; never raises, never hangs."""
    if not text:
        return ""
    if len(text) > MAX_MARKDOWN_CHARS or inline_cost(text) > MAX_INLINE_COST:
        return plain_text_html(text)
    try:
        converted = _converter(profile).reset().convert(text)
    except Exception as error:  # RecursionError, and anything else the library trips on
        # Log the kind of failure only: the text may be a learner's private
        # writing, and a RecursionError's traceback runs to thousands of lines.
        logger.warning("Markdown shown as plain text: %s", type(error).__name__)
        # A conversion that failed half-way leaves the instance's parser in a
        # broken state that reset() does not clear: build a fresh one next time.
        _converters.__dict__.pop(profile.name, None)
        return plain_text_html(text)
    return sanitise_html(converted, profile)


def preview_html(text: str | None, profile: Profile = CONTENT) -> SafeString:
    """What saving ``text`` would store, for a page to show before it is
    stored: a tutor's feedback given back after a refused save, beside the
    words they typed. Marked safe here, where it is sanitised, so that
    templates never mark anything safe but stored HTML and this."""
    return mark_safe(render_markdown(text, profile))  # noqa: S308 -- sanitised just above


def render_learner_markdown(text: str | None) -> str:
    """Render a learner's own writing: no images, no raw HTML."""
    return render_markdown(text, LEARNER)


def sanitise_html(html: str, profile: Profile = CONTENT) -> str:
    return bleach.clean(
        html,
        tags=profile.tags,
        attributes=profile.attributes,
        protocols=profile.protocols,
        strip=True,
        strip_comments=True,
    )


def plain_text_html(text: str) -> str:
    """Escaped text with its paragraphs and line breaks, and nothing else."""
    paragraphs = _PARAGRAPH_BREAK.split(text.replace("\r\n", "\n").strip())
    return "\n".join(
        "<p>" + escape(paragraph).replace("\n", "<br>") + "</p>"
        for paragraph in paragraphs
        if paragraph.strip()
    )


def inline_cost(text: str) -> int:
    """Estimate the work Python-Markdown's inline patterns will do on ``text``.

    For each paragraph: the number of brackets and parentheses left open,
    times the paragraph's length, since each one can make the link patterns
    scan to the paragraph's end. Matched pairs cost next to nothing.
    """
    total = 0
    for paragraph in _PARAGRAPH_BREAK.split(text):
        if "[" not in paragraph and "(" not in paragraph and "<" not in paragraph:
            continue
        unclosed = 0
        square = round_ = 0
        for char in paragraph:
            if char == "[":
                square += 1
            elif char == "]":
                if square:
                    square -= 1
                else:
                    unclosed += 1
            elif char == "(":
                round_ += 1
            elif char == ")" and round_:
                round_ -= 1
            elif char == "<":
                unclosed += 1
        unclosed += square + round_
        total += unclosed * len(paragraph)
    return total


_converters = threading.local()


def _converter(profile: Profile) -> markdown.Markdown:
    """One Markdown instance per profile and thread: building one loads every
    extension, which costs more than most conversions. Instances are not
    thread-safe, hence one per thread; ``reset()`` clears state between texts."""
    converter = getattr(_converters, profile.name, None)
    if converter is None:
        extensions = ["extra", "sane_lists", "smarty"]
        if profile.heading_ids:
            extensions.append("toc")
        converter = markdown.Markdown(extensions=extensions, output_format="html")
        if not profile.raw_html:
            # Typed HTML is shown as the characters typed, not parsed.
            converter.preprocessors.deregister("html_block")
            converter.inlinePatterns.deregister("html")
        setattr(_converters, profile.name, converter)
    return converter
