"""The one Markdown renderer: script-free output, and it never raises or hangs."""

import pytest

from assessments.models import Assignment
from courses.models import Course
from peersupport.rendering import (
    MAX_MARKDOWN_CHARS,
    plain_text_html,
    render_learner_markdown,
    render_markdown,
)
from reflections.models import ReflectionPrompt
from sessions.models import Lesson, Session
from tests.html_audit import assert_script_free, script_problems

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="#" onclick="alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](jav&#x61;script:alert(1))",
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<svg onload=alert(1)><circle r=1></circle></svg>",
    "<math><mtext><script>alert(1)</script></mtext></math>",
    "<iframe src=https://example.org></iframe>",
    "<style>body{display:none}</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<!-- a comment --><b>x</b>",
    '[x](https://example.org "title" onmouseover="alert(1)")',
    '<https://example.org/"onmouseover="alert(1)>',
    "[ref]\n\n[ref]: javascript:alert(1)",
    "![x](javascript:alert(1))",
    '<div onmouseover="alert(1)">hover</div>',
    "<object data=javascript:alert(1)></object>",
    "<form action=javascript:alert(1)><button>go</button></form>",
]


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_markdown_renders_script_free(payload):
    assert_script_free(render_markdown(payload))
    assert_script_free(render_learner_markdown(payload))


def test_the_audit_itself_catches_what_it_looks_for():
    assert script_problems('<a href=" JaVa\tScript:x">a</a><img src=x onerror=y><!-- c -->') == [
        "a[href=' JaVa\\tScript:x']",
        "img[onerror]",
        "<!-- comment -->",
    ]


def test_ordinary_markdown_keeps_its_formatting():
    html = render_markdown(
        "## Aim\n\nA **bold** [link](https://example.org) and a list:\n\n- one\n- two"
    )
    assert '<h2 id="aim">Aim</h2>' in html
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.org">link</a>' in html
    assert "<li>one</li>" in html


def test_mailto_links_are_kept():
    assert 'href="mailto:help@example.org"' in render_markdown("[mail](mailto:help@example.org)")


def test_learner_text_shows_typed_html_as_text_and_has_no_images():
    html = render_learner_markdown("I wrote <b>this</b> ![me](https://example.org/me.png)")
    assert "&lt;b&gt;this&lt;/b&gt;" in html
    assert "<img" not in html


def test_deeply_nested_lists_fall_back_to_plain_text():
    text = "- " * 496 + "x"
    html = render_markdown(text)
    assert html == plain_text_html(text)


@pytest.mark.parametrize(
    "text",
    [
        "[" * 5000,
        "[" * 1000 + "word " * 19000,
        "[a](b " * 1000 + "word " * 19000,
        "<a " * 1000 + "word " * 19000,
    ],
    ids=["brackets", "brackets-before-long-paragraph", "open-links", "open-tags"],
)
def test_bracket_floods_fall_back_to_plain_text_instead_of_hanging(text):
    assert render_markdown(text) == plain_text_html(text)


def test_text_past_the_length_cap_is_shown_whole_as_plain_text():
    text = "word " * (MAX_MARKDOWN_CHARS // 5 + 10)
    html = render_markdown(text)
    assert html.count("word") == text.count("word")


def test_plain_text_fallback_escapes_and_keeps_paragraphs():
    html = plain_text_html("<b>one</b>\nline\n\ntwo")
    assert html == "<p>&lt;b&gt;one&lt;/b&gt;<br>line</p>\n<p>two</p>"


def test_a_few_unmatched_brackets_still_render_as_markdown():
    html = render_markdown("My notes [draft and **bold** (see later")
    assert "<strong>bold</strong>" in html


def test_empty_text_renders_empty():
    assert render_markdown("") == ""
    assert render_markdown(None) == ""


@pytest.mark.django_db
@pytest.mark.parametrize("payload", HOSTILE[:6])
def test_every_markdown_field_of_the_course_is_stored_script_free(course, payload):
    rows = [
        course,
        Session.objects.get(number=3),
        Lesson.objects.get(),
        ReflectionPrompt.objects.first(),
        Assignment.objects.first(),
    ]
    for row in rows:
        for source in row.markdown_fields:
            setattr(row, source, f"Intro\n\n{payload}")
        row.save()
        row.refresh_from_db()
        for target in row.markdown_fields.values():
            html = getattr(row, target)
            assert "Intro" in html
            assert_script_free(html)
    assert Course.objects.count() == 1


@pytest.mark.django_db
def test_rerender_markdown_command_rewrites_stale_html(course, capsys):
    from django.core.management import call_command

    Session.objects.filter(number=1).update(body_html="<script>stale</script>")
    call_command("rerender_markdown")
    assert "<script" not in Session.objects.get(number=1).body_html
    assert "course_sessions.Session: 1 of 11 re-rendered" in capsys.readouterr().out


def test_a_failed_render_does_not_spoil_the_next():
    render_markdown("- " * 496 + "x")  # fails inside Python-Markdown
    assert render_markdown("**fine**") == "<p><strong>fine</strong></p>"
