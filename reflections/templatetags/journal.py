"""The journal's entries, built in Python.

The journal lists every answer a learner has written, 25 or more by the end of
the course, and is the heaviest learner page. Built with format_html, which
escapes every value as the template engine does, the entries cost about
0.03 ms less each than through a template loop: the page took 7.1 ms instead
of 8.0 ms with 25 answers (bench/).
"""

from django import template
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def journal_entries(answers):
    """Each answer as an <article>: the question, the answer, when it changed,
    whether it is shared, and links to edit and delete it."""
    return format_html_join("\n", "{}", ((_entry(answer),) for answer in answers))


def _entry(answer):
    prompt = answer.prompt
    lesson = (
        format_html(
            '<p class="small text-body-secondary mb-1">From the lesson “{}”</p>',
            prompt.lesson.title,
        )
        if prompt.lesson_id
        else ""
    )
    changed = formats.date_format(timezone.localtime(answer.updated_at), "j F Y, H:i")
    sharing = (
        mark_safe("<strong>Shared with your tutor</strong>")
        if answer.shared_with_tutor
        else "Private"
    )
    return format_html(
        '<article class="journal-entry border-start ps-3 my-3" aria-labelledby="entry-{pk}">\n'
        '  <h3 class="h6 fw-semibold" id="entry-{pk}">{question}</h3>\n'
        "  {lesson}\n"
        '  <div class="journal-text">{text_html}</div>\n'
        '  <p class="small text-body-secondary mb-1">Last changed {changed} · {sharing}</p>\n'
        '  <p class="journal-entry-actions small d-flex flex-wrap gap-3">\n'
        '    <a href="{edit}">Edit<span class="visually-hidden"> this answer</span></a>\n'
        '    <a href="{delete}">Delete<span class="visually-hidden"> this answer</span></a>\n'
        "  </p>\n"
        "</article>",
        pk=answer.pk,
        question=prompt.text,
        lesson=lesson,
        # Stored HTML, sanitised by peersupport/rendering.py when it was saved.
        text_html=mark_safe(answer.text_html),  # noqa: S308
        changed=changed,
        sharing=sharing,
        edit=prompt.page_url,
        delete=reverse("reflection_delete", args=[answer.pk]),
    )
