"""The course as shipped in content/ matches the seed it was written from."""

from pathlib import Path

import pytest

from assessments.models import Assignment
from reflections.models import ReflectionPrompt
from sessions.models import Lesson, Session

# A copy of ../shared/seed/000_e22d9db8a549d5cf.txt, the page the course was
# written from, kept here so the suite does not depend on a folder outside it.
SEED = (Path(__file__).parent / "data" / "seed_course_page.txt").read_text(encoding="utf-8")
SEED_LINES = [line.strip().replace("\xa0", " ").strip() for line in SEED.splitlines()]

# The only changes made to the seed's wording: obvious typos.
TYPO_FIXES = {
    "the role the role of peer support": "the role of peer support",
    "work. it is an opportunity": "work. It is an opportunity",
}


def seed_sessions():
    """(number, title or None, aim) for the eleven sessions, from the seed."""
    # Line 0 is "Course Content"; line 1 is session 1's aim (it has no title);
    # then each session's title and aim follow on two lines.
    sessions = [(1, None, SEED_LINES[1])]
    for number in range(2, 12):
        sessions.append((number, SEED_LINES[2 * (number - 1)], SEED_LINES[2 * number - 1]))
    return sessions


def fixed(text):
    for typo, fix in TYPO_FIXES.items():
        text = text.replace(typo, fix)
    return text


def seed_story_paragraphs():
    start = next(i for i, line in enumerate(SEED_LINES) if line.startswith("“When I was 26"))
    end = next(i for i, line in enumerate(SEED_LINES) if line.endswith("never accepting defeat.”"))
    return [line for line in SEED_LINES[start : end + 1] if line]


def test_the_eleven_sessions_load_in_the_seeds_order_with_its_aims(course):
    sessions = list(Session.objects.filter(course=course).order_by("number"))
    assert [s.number for s in sessions] == list(range(1, 12))
    for session, (number, title, aim) in zip(sessions, seed_sessions(), strict=True):
        assert session.number == number
        if title:
            assert session.title == title
        assert session.aim == fixed(aim)


def test_session_one_has_a_fitting_title(course):
    assert Session.objects.get(number=1).title == "Welcome and Introductions"


def test_the_recovery_story_is_intact_and_attributed(course):
    lesson = Lesson.objects.get(slug="a-personal-story-of-recovery")
    assert lesson.session.number == 3
    assert lesson.session.title == "Personal Recovery"
    paragraphs = seed_story_paragraphs()
    assert len(paragraphs) == 4
    for paragraph in paragraphs:
        assert paragraph in lesson.body
        assert f"<p>{paragraph}" in lesson.body_html or paragraph in lesson.body_html
    assert "as featured on the National Alliance on Mental Illness" in lesson.body
    assert "After reading this story, write down some of your thoughts" in lesson.body


def test_the_lesson_has_the_seeds_three_questions_in_order(course):
    lesson = Lesson.objects.get(slug="a-personal-story-of-recovery")
    prompts = [p.text for p in ReflectionPrompt.objects.filter(lesson=lesson).order_by("order")]
    assert prompts == [
        "How did it feel to read this recovery story?",
        # The seed's "What does does hearing … have on me?" lacks its object:
        # the doubled "does" becomes "effect does", the rest is the seed's.
        "What effect does hearing other people’s recovery stories have on me?",
        "Why are personal stories so powerful?",
    ]


@pytest.mark.parametrize("number", [3, 8, 10])
def test_sessions_with_distressing_topics_have_a_content_note(course, number):
    assert Session.objects.get(number=number).content_note


def test_session_ten_content_note_names_its_topics(course):
    note = Session.objects.get(number=10).content_note.lower()
    for topic in ["trauma", "suicidality", "risk"]:
        assert topic in note


def test_every_session_has_a_reflection_prompt(course):
    for session in Session.objects.all():
        assert session.prompts.filter(lesson=None).exists(), session


def test_two_assignments_with_word_ranges_and_sessions(course):
    first, final = Assignment.objects.order_by("number")
    assert (first.number, final.number) == (1, 2)
    assert first.feedback_session.number == 6
    assert final.feedback_session.number == 11
    assert "recovery" in first.brief.lower() and "peer support" in first.brief.lower()
    for assignment in (first, final):
        assert 0 < assignment.min_words < assignment.max_words


def test_resources_say_where_to_find_support_right_now(course):
    assert 'id="support-right-now"' in course.resources_html
    assert "116 123" in course.resources
