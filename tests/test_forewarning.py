"""Forewarning: a lesson's own content note (loaded, exported, edited in the
admin, shown before the lesson), the recovery story as a quotation, and
phone numbers on "Support right now" that can be tapped to call."""

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from courses.content import DEFAULT_CONTENT_DIR, load_course, write_course
from courses.models import Course
from peersupport.rendering import render_learner_markdown, render_markdown
from sessions.models import Lesson
from tests.html_audit import script_problems

pytestmark = pytest.mark.django_db

STORY = "sessions/03-personal-recovery/lessons/01-a-personal-story-of-recovery.md"
STORY_URL = "/sessions/3/a-personal-story-of-recovery/"


def files_of(directory: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in sorted(Path(directory).rglob("*"))
        if path.is_file()
    }


# ---------------------------------------------------------------- a lesson's content note


def test_a_lessons_content_note_is_loaded_from_its_front_matter(empty_database):
    load_course(DEFAULT_CONTENT_DIR)
    lesson = Lesson.objects.get(slug="a-personal-story-of-recovery")
    assert lesson.content_note.startswith("This is one person’s own story")
    # Rendered once, on save, like every Markdown field; two paragraphs.
    assert lesson.content_note_html.count("<p>") == 2
    assert not lesson.edited_since_load


def test_the_recovery_storys_note_says_what_it_mentions_and_that_you_can_stop(course):
    note = Lesson.objects.get(slug="a-personal-story-of-recovery").content_note
    for mentioned in ["hospital", "fear", "anger", "family", "job", "police", "hope"]:
        assert mentioned in note
    assert "You can stop at any point" in note
    # Said calmly: no alarm words, no capitals, no exclamation marks.
    for alarming in ["warning", "trigger", "graphic", "disturbing", "!"]:
        assert alarming not in note.lower()


def test_load_then_export_gives_the_same_files_with_the_lessons_note(empty_database, tmp_path):
    load_course(DEFAULT_CONTENT_DIR)
    write_course(tmp_path, Course.objects.get())
    assert files_of(tmp_path) == files_of(DEFAULT_CONTENT_DIR)
    exported = (tmp_path / STORY).read_text(encoding="utf-8")
    # Where a person would write it: after the order, as a block, before the prompts.
    assert re.search(r"\norder: 1\ncontent_note: \|\n  This is one person’s", exported)
    assert exported.index("content_note:") < exported.index("prompts:")


def test_a_note_edited_in_the_database_survives_export_and_load(empty_database, tmp_path):
    load_course(DEFAULT_CONTENT_DIR)
    lesson = Lesson.objects.get(slug="a-personal-story-of-recovery")
    # Text YAML would misread if it were not written as a block.
    note = 'Mentions: "hospital" # not a comment\n\n- and a line like a list item'
    lesson.content_note = note
    lesson.save()
    write_course(tmp_path / "a", lesson.session.course)

    Lesson.objects.filter(pk=lesson.pk).update(content_note="")
    report = load_course(tmp_path / "a", force=True)
    assert report.updated == 1
    lesson.refresh_from_db()
    assert lesson.content_note == note
    write_course(tmp_path / "b", lesson.session.course)
    assert files_of(tmp_path / "a") == files_of(tmp_path / "b")


def test_a_lesson_without_a_note_has_no_content_note_line(empty_database, tmp_path):
    load_course(DEFAULT_CONTENT_DIR)
    Lesson.objects.update(content_note="")
    write_course(tmp_path, Course.objects.get())
    assert "content_note" not in (tmp_path / STORY).read_text(encoding="utf-8")


def test_a_lesson_note_from_the_files_reaches_a_coordinators_copy_unless_they_edited_it(
    empty_database, tmp_path
):
    content = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, content)
    load_course(content)
    path = content / STORY
    path.write_text(
        path.read_text(encoding="utf-8").replace("Read it at your own pace.", "Go gently."),
        encoding="utf-8",
    )
    report = load_course(content)
    assert (report.created, report.updated, report.kept) == (0, 1, [])
    assert "Go gently." in Lesson.objects.get().content_note


def test_the_lesson_page_shows_its_note_before_the_story(alice_client, course):
    lesson = Lesson.objects.get(slug="a-personal-story-of-recovery")
    html = alice_client.get(STORY_URL).content.decode()
    assert lesson.content_note_html in html
    assert "Content note" in html
    assert html.index(lesson.content_note_html) < html.index("When I was 26 years old")


def test_the_lesson_admin_edits_the_note_beside_a_preview(coordinator_client, course):
    lesson = Lesson.objects.get(slug="a-personal-story-of-recovery")
    html = coordinator_client.get(f"/admin/course_sessions/lesson/{lesson.pk}/change/")
    html = html.content.decode()
    assert 'name="content_note"' in html
    assert 'data-markdown-preview="content_note_preview"' in html
    assert "Content note, as learners see it" in html
    # Next to the body: the note, its preview, then the body.
    assert html.index('name="content_note"') < html.index('name="body"')
    listing = coordinator_client.get("/admin/course_sessions/lesson/").content.decode()
    assert "Content note" in listing


# ---------------------------------------------------------------- the story and its questions


def test_the_story_is_a_quotation_in_roman_type_not_italics(course):
    html = Lesson.objects.get(slug="a-personal-story-of-recovery").body_html
    quotation = html[html.index("<blockquote>") : html.index("</blockquote>")]
    assert "When I was 26 years old" in quotation
    assert "<em>" not in quotation and "<i>" not in quotation
    assert quotation.count("<p>") == 4  # the story's four paragraphs


def test_the_lessons_questions_are_grammatical(alice_client, course):
    html = alice_client.get(STORY_URL).content.decode()
    assert "What effect does hearing other people’s recovery stories have on me?" in html
    assert "What does hearing" not in html


# ---------------------------------------------------------------- phone numbers to tap

# Every number on "Support right now", and the address it must call.
PHONE_NUMBERS = {
    "999": "tel:999",
    "112": "tel:112",
    "911": "tel:911",
    "116 123": "tel:116123",
    "111": "tel:111",
    "988": "tel:988",
}
# Numbers in the section that are part of a name, not a number to call.
NOT_PHONE_NUMBERS = {"988 Suicide & Crisis Lifeline", "NHS 111"}
# A number standing alone (not "988lifeline.org", not "24 hours").
LOOSE_NUMBER = re.compile(r"(?<![\w.])\d{3}(?: \d{3})?(?![\w.])")


class Links(HTMLParser):
    """The text of each tel: link, and the section's text outside them."""

    def __init__(self):
        super().__init__()
        self.tel_links: list[tuple[str, str]] = []
        self.loose_text = ""
        self._href = None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href = dict(attrs).get("href", "")
            self._text = ""

    def handle_endtag(self, tag):
        if tag == "a":
            if self._href.startswith("tel:"):
                self.tel_links.append((self._text, self._href))
            self._href = None

    def handle_data(self, data):
        if self._href is not None:
            self._text += data
            if self._href.startswith("tel:"):
                return
        self.loose_text += data + " "


def support_section(html: str) -> str:
    """From the "Support right now" heading to the next heading or the page's end."""
    start = html.index('id="support-right-now"')
    end = html.find("<h2", start + 1)
    return html[start : end if end > 0 else html.index("</main>")]


def script_problems_but_tel(html: str) -> list[str]:
    """The suite's audit (tests/html_audit.py), with tel: links allowed in
    course content: a tel: link only offers to dial, it runs nothing."""
    return [p for p in script_problems(html) if not p.startswith("a[href='tel:")]


def test_every_number_on_support_right_now_can_be_tapped_to_call(client, course):
    html = client.get("/resources/").content.decode()
    links = Links()
    links.feed(support_section(html))
    assert sorted(links.tel_links) == sorted(PHONE_NUMBERS.items())
    for text, href in links.tel_links:
        assert href == "tel:" + text.replace(" ", "")
    # Any other number left in the section, outside a link, is a name.
    loose = links.loose_text
    for name in NOT_PHONE_NUMBERS:
        loose = loose.replace(name, "")
    assert LOOSE_NUMBER.findall(loose) == []


def test_without_a_course_the_emergency_numbers_can_still_be_tapped(client, empty_database):
    Course.objects.all().delete()
    html = client.get("/resources/").content.decode()
    links = Links()
    links.feed(support_section(html))
    assert links.tel_links == [("999", "tel:999"), ("112", "tel:112"), ("911", "tel:911")]


def test_course_content_may_link_a_phone_number_and_learners_writing_may_not():
    html = render_markdown("Call [116 123](tel:116123) or [+44 116 123](tel:+44116123).")
    assert '<a href="tel:116123">116 123</a>' in html
    assert '<a href="tel:+44116123">+44 116 123</a>' in html
    assert script_problems_but_tel(html) == []
    # (bleach reads "tel:116123", digits after the colon, as a host and port,
    # a relative address it lets through for any profile: harmless, since no
    # script fits in digits. A number with a "+" shows the allowlists differ.)
    assert "tel:" not in render_learner_markdown("Call [+44 116 123](tel:+44116123).")


@pytest.mark.parametrize(
    "payload",
    [
        "[x](tel:javascript:alert(1))",
        '<a href="tel:1" onclick="alert(1)">1</a>',
        "[x](javascript:tel:1)",
        "[x](sms:help)",
        "[x](data:text/html,tel)",
    ],
)
def test_allowing_tel_lets_nothing_unsafe_through(payload):
    html = render_markdown(payload)
    assert script_problems_but_tel(html) == []
    assert "onclick" not in html and "javascript:tel" not in html
    assert "sms:" not in html and "data:" not in html
