"""`load_course`: idempotent, keeps coordinators' edits, all-or-nothing."""

import re
import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from courses.content import DEFAULT_CONTENT_DIR, load_course
from courses.models import Course
from reflections.models import ReflectionPrompt
from sessions.models import ExerciseFile, Lesson, Session
from tests.helpers import inline_management

pytestmark = pytest.mark.usefixtures("empty_database")


@pytest.fixture
def content_dir(tmp_path):
    """A copy of content/ a test may change."""
    target = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, target)
    return target


def run(*args):
    out = StringIO()
    call_command("load_course", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def counts(output):
    """The four figures the command prints, as a dict."""
    return {
        word: int(figure)
        for figure, word in re.findall(r"(\d+) (created|updated|unchanged|kept)", output)
    }


def test_a_second_run_creates_and_updates_nothing():
    first = counts(run())
    # 1 course + 11 sessions + 1 lesson + 22 session prompts + 3 lesson prompts + 2 assignments
    assert first == {"created": 40, "updated": 0, "unchanged": 0, "kept": 0}
    second = counts(run())
    assert second == {"created": 0, "updated": 0, "unchanged": 40, "kept": 0}
    assert Session.objects.count() == 11


def test_a_changed_file_updates_only_its_row(content_dir):
    load_course(content_dir)
    path = content_dir / "sessions" / "02-what-is-recovery" / "session.md"
    path.write_text(re.sub(r"(?m)^title: .*$", "title: Recovery", path.read_text()))
    report = load_course(content_dir)
    assert (report.created, report.updated) == (0, 1)
    assert Session.objects.get(number=2).title == "Recovery"


def test_a_coordinators_edit_survives_a_plain_run_and_force_overwrites_it(coordinator_client):
    run()
    session = Session.objects.get(number=2)
    response = coordinator_client.post(
        f"/admin/course_sessions/session/{session.pk}/change/",
        {
            "course": session.course_id,
            "number": 2,
            "title": "What is Recovery? (edited)",
            "aim": session.aim,
            "content_note": "",
            "body": session.body,
            **empty_inline_forms(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    output = run()
    assert counts(output)["kept"] == 1
    assert "Session 2: What is Recovery? (edited)" in output
    assert Session.objects.get(number=2).title == "What is Recovery? (edited)"

    output = run("--force")
    assert counts(output)["updated"] == 1
    assert Session.objects.get(number=2).title == "What is Recovery?"
    assert counts(run()) == {"created": 0, "updated": 0, "unchanged": 40, "kept": 0}


def empty_inline_forms():
    """Management data for the session change form's two inlines, left unchanged."""
    return inline_management("lessons", "prompts")


@pytest.mark.parametrize(
    ("relative_path", "breakage", "problem"),
    [
        ("course.md", lambda t: t.replace("title: Peer Support Training\n", ""), "'title'"),
        (
            "sessions/04-what-is-peer-support/session.md",
            lambda t: t.replace("number: 4", "number: four"),
            "'number' must be a whole number",
        ),
        (
            "sessions/05-the-peer-relationship/session.md",
            lambda t: t.replace("number: 5", "number: 4"),
            "number 4 is used twice",
        ),
        (
            "assignments/assignment-1.md",
            lambda t: t.replace("---\n", "---\n: : [\n", 1),
            "not valid YAML",
        ),
        (
            "assignments/assignment-2.md",
            lambda t: t.replace("min_words: 2000", "min_words: 9000"),
            "min_words must be less than max_words",
        ),
    ],
)
def test_a_malformed_file_is_named_and_nothing_is_loaded(
    content_dir, relative_path, breakage, problem
):
    # Change a file that would load *after* others, so a partial load would show.
    load_course(content_dir)
    Session.objects.filter(number=1).update(title="Changed in the database")
    Session.objects.filter(number=1).update(
        loaded_fingerprint=Session.objects.get(number=1).current_fingerprint()
    )
    path = content_dir / relative_path
    path.write_text(breakage(path.read_text()))

    with pytest.raises(CommandError) as error:
        run(content_dir)

    message = str(error.value)
    assert "Nothing was loaded" in message
    assert relative_path.split("/")[-1] in message
    assert problem in message
    assert Session.objects.get(number=1).title == "Changed in the database"


def test_a_missing_session_file_is_reported(content_dir):
    shutil.rmtree(content_dir / "sessions" / "07-use-of-language-and-communications")
    with pytest.raises(CommandError, match="session 7 is missing"):
        run(content_dir)
    assert not Course.objects.exists()


def test_exercise_files_in_content_are_loaded_once(content_dir):
    files_dir = (
        content_dir / "sessions/03-personal-recovery/lessons/01-a-personal-story-of-recovery"
    )
    files_dir.mkdir()
    (files_dir / "recovery-story-worksheet.pdf").write_bytes(b"%PDF-1.4 worksheet")
    load_course(content_dir)
    exercise_file = ExerciseFile.objects.get()
    assert exercise_file.filename == "recovery-story-worksheet.pdf"
    assert exercise_file.size == len(b"%PDF-1.4 worksheet")
    assert exercise_file.content_type == "application/pdf"
    assert exercise_file.lesson.slug == "a-personal-story-of-recovery"

    report = load_course(content_dir)
    assert (report.created, report.updated) == (0, 0)

    (files_dir / "recovery-story-worksheet.pdf").write_bytes(b"%PDF-1.4 worksheet v2")
    report = load_course(content_dir)
    assert report.updated == 1
    assert ExerciseFile.objects.get().file.read() == b"%PDF-1.4 worksheet v2"


def test_prompts_and_lessons_are_matched_not_duplicated():
    run()
    run()
    assert Lesson.objects.count() == 1
    assert ReflectionPrompt.objects.filter(lesson__isnull=False).count() == 3
