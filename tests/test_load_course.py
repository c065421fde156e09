"""`load_course`: idempotent, keeps coordinators' edits, all-or-nothing."""

import re
import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from assessments.models import Assignment, Criterion
from courses.content import DEFAULT_CONTENT_DIR, ContentError, load_course, read_course
from courses.models import Course
from reflections.models import ReflectionPrompt
from sessions.models import ExerciseFile, Lesson, Session
from tests.helpers import inline_management

pytestmark = pytest.mark.usefixtures("empty_database")

# 1 course + 11 sessions + 1 lesson + 22 session prompts + 3 lesson prompts
# + 2 assignments + 4 and 5 criteria
ROWS = 49


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
    assert first == {"created": ROWS, "updated": 0, "unchanged": 0, "kept": 0}
    second = counts(run())
    assert second == {"created": 0, "updated": 0, "unchanged": ROWS, "kept": 0}
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
    assert counts(run()) == {"created": 0, "updated": 0, "unchanged": ROWS, "kept": 0}


def empty_inline_forms():
    """Management data for the session change form's two inlines, left unchanged."""
    return inline_management("lessons", "prompts")


def assignment_form(assignment, texts: dict[int, str] | None = None, added=()) -> dict:
    """The admin's assignment form with its criteria: ``texts`` changes the
    criterion at each position (0, 1…), ``added`` adds criteria at the end."""
    criteria = list(assignment.criteria.order_by("order", "pk"))
    data = {
        "course": assignment.course_id,
        "number": assignment.number,
        "title": assignment.title,
        "brief": assignment.brief,
        "min_words": assignment.min_words,
        "max_words": assignment.max_words,
        "feedback_session": assignment.feedback_session_id or "",
        "criteria-TOTAL_FORMS": str(len(criteria) + len(added)),
        "criteria-INITIAL_FORMS": str(len(criteria)),
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000",
    }
    for index, criterion in enumerate(criteria):
        data |= {
            f"criteria-{index}-id": criterion.pk,
            f"criteria-{index}-assignment": assignment.pk,
            f"criteria-{index}-order": criterion.order,
            f"criteria-{index}-text": (texts or {}).get(index, criterion.text),
        }
    for index, text in enumerate(added, start=len(criteria)):
        data |= {
            f"criteria-{index}-assignment": assignment.pk,
            f"criteria-{index}-order": index + 1,
            f"criteria-{index}-text": text,
        }
    return data


def test_criteria_load_from_the_files_in_order():
    run()
    first, final = Assignment.objects.order_by("number")
    assert [c.text for c in first.criteria.all()] == [
        "Relates your own recovery story to the recovery approach and its key concepts",
        "Explains the role of peer support and how your own experience relates to it",
        "Reflects on your own experience in your own words, keeping appropriate boundaries "
        "about what you share",
        "Is within the word range (1,500 to 2,000 words) and clearly structured",
    ]
    assert [c.order for c in first.criteria.all()] == [1, 2, 3, 4]
    assert final.criteria.count() == 5
    assert final.criteria.first().text.startswith("Shows how you would use the language")


def test_an_assignment_without_criteria_loads(content_dir):
    path = content_dir / "assignments" / "assignment-2.md"
    path.write_text(without_criteria(path.read_text()))
    load_course(content_dir)
    assert not Criterion.objects.filter(assignment__number=2).exists()
    assert Criterion.objects.filter(assignment__number=1).count() == 4


def without_criteria(text: str) -> str:
    return re.sub(r"(?m)^criteria:\n(  - .*\n)+", "", text)


def test_a_coordinators_criterion_edit_is_kept_with_its_history_and_force_overwrites_it(
    coordinator_client, coordinator
):
    run()
    assignment = Assignment.objects.get(number=1)
    edited = "Connects your own recovery story with the recovery approach"
    response = coordinator_client.post(
        f"/admin/assessments/assignment/{assignment.pk}/change/",
        assignment_form(assignment, {0: edited}, added=["Uses at least one example"]),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    criterion = assignment.criteria.get(order=1)
    assert criterion.text == edited
    # The edit is in the criterion's history, with who made it.
    latest = criterion.history.first()
    assert (latest.text, latest.history_type, latest.history_user) == (edited, "~", coordinator)
    assert criterion.history.count() == 2  # loaded, edited

    output = run()
    assert counts(output)["kept"] == 1
    assert f"Criterion {edited}" in output
    assert assignment.criteria.get(order=1).text == edited

    output = run("--force")
    assert counts(output)["updated"] == 1
    assert assignment.criteria.get(order=1).text.startswith("Relates your own recovery story")
    assert criterion.history.count() == 3  # loaded, edited, loaded again
    # A criterion added in the admin, beyond the file's four, is left as it
    # is (as prompts are): export_course writes it out with the rest.
    assert list(assignment.criteria.values_list("order", "text"))[-1] == (
        5,
        "Uses at least one example",
    )
    assert counts(run()) == {"created": 0, "updated": 0, "unchanged": ROWS, "kept": 0}


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
        # Criteria: a list of sentences, each with words in it and not too long.
        (
            "assignments/assignment-1.md",
            lambda t: without_criteria(t).replace("---\n##", "criteria: Relates\n---\n##"),
            "'criteria' must be a list of requirements, one per '- ' line",
        ),
        (
            "assignments/assignment-1.md",
            lambda t: t.replace("criteria:\n", "criteria:\n  -\n"),
            "criterion 1 is empty: please write the requirement after its '- '",
        ),
        (
            "assignments/assignment-2.md",
            lambda t: t.replace("criteria:\n", "criteria:\n  - " + "Shows " * 60 + "\n"),
            "criterion 1 is 359 characters long; please keep each criterion to one "
            "sentence of at most 300 characters",
        ),
        (
            "assignments/assignment-2.md",
            lambda t: t.replace("criteria:\n", "criteria:\n  - Shows: how\n"),
            "criterion 1 is not read as a sentence: please put it in quotes",
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
    assert Criterion.objects.count() == 9


def test_a_content_error_names_the_file_it_is_in(content_dir):
    path = content_dir / "assignments" / "assignment-1.md"
    path.write_text(path.read_text().replace("criteria:\n", "criteria:\n  - ''\n"))
    with pytest.raises(ContentError) as error:
        read_course(content_dir)
    assert error.value.path == path
    assert error.value.problem.startswith("criterion 1 is empty")


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
