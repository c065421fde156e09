"""The course outline, and previous/next, as HTML.

Written here rather than as a template: the outline is on every session and
lesson page, and the template engine took about 3,400 function calls to
draw its dozen lines, a third of a lesson page's work (the benchmark's
lesson page fell from 0.45 to 0.30 × the floor). Built with f-strings it
takes a few hundred. The cost in clarity is that the markup lives in
Python; the rule that keeps it safe is simple: every text goes through
``_e`` (html.escape, quotes included), and only numbers and the fixed
markup below are put in as they are. What each line says is worked out in
courses/player.py.
"""

from html import escape

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

TICK = '<span aria-hidden="true">✓ </span>'


def _e(text) -> str:
    return escape(str(text), quote=True)


def _current(is_current: bool) -> str:
    return ' aria-current="page"' if is_current else ""


@register.simple_tag
def course_outline(outline, session):
    """The outline as a <details>: folded above the page on a phone, a
    sidebar from 992 px (site.css; site.js where ::details-content is unknown)."""
    lines = "".join(_session_line(entry) for entry in outline)
    return mark_safe(  # noqa: S308 - every text in it is escaped by _e
        '<details class="outline" data-outline data-open-when-wide>'
        '<summary class="outline-toggle">'
        '<span class="outline-toggle-label">Course outline</span>'
        f'<span class="outline-toggle-where">Session {int(session.number)} of {len(outline)}</span>'
        "</summary>"
        '<nav class="outline-body" aria-label="Course outline">'
        '<p class="outline-heading" aria-hidden="true">Course outline</p>'
        f'<ol class="outline-sessions list-unstyled">{lines}</ol>'
        "</nav></details>"
    )


def _session_line(entry) -> str:
    own = entry.own_page
    tick = TICK if entry.completed else ""
    lessons = "".join(_lesson_line(item) for item in entry.lessons)
    return (
        f'<li class="outline-session state-{_e(entry.state)}'
        f'{" is-current" if entry.is_current else ""}">'
        f'<a class="outline-link" href="{_e(own.page.url)}"{_current(own.is_current)}>'
        f'<span class="outline-title">{int(entry.session.number)}. {_e(entry.session.title)}</span>'
        f'<span class="outline-state">{tick}{_e(entry.state_text)}</span>'
        "</a>"
        + (f'<ol class="outline-lessons list-unstyled">{lessons}</ol>' if lessons else "")
        + "</li>"
    )


def _lesson_line(item) -> str:
    opened = f'<span class="outline-state">{TICK}Opened</span>' if item.visited else ""
    return (
        f'<li><a class="outline-link outline-lesson" href="{_e(item.page.url)}"'
        f"{_current(item.is_current)}>"
        f'<span class="outline-title">{_e(item.page.title)}</span>{opened}</a></li>'
    )


@register.simple_tag
def course_pager(previous_page, next_page):
    """Previous and next, across session boundaries (plain links: the browser's
    back button and deep links work as ever)."""
    if previous_page is None and next_page is None:
        return ""
    links = []
    if previous_page is not None:
        links.append(
            _pager_link(
                previous_page, "previous", "prev", '<span aria-hidden="true">← </span>Previous'
            )
        )
    if next_page is not None:
        links.append(
            _pager_link(next_page, "next", "next", 'Next<span aria-hidden="true"> →</span>')
        )
    return mark_safe(  # noqa: S308 - every text in it is escaped by _e
        f'<nav class="pager" aria-label="Previous and next">{"".join(links)}</nav>'
    )


def _pager_link(page, side: str, rel: str, direction: str) -> str:
    title = page.title if page.lesson else f"Session {page.session.number}: {page.title}"
    return (
        f'<a class="pager-link pager-{side}" href="{_e(page.url)}" rel="{rel}">'
        f'<span class="pager-direction">{direction}</span>'
        f'<span class="pager-title">{_e(title)}</span></a>'
    )
