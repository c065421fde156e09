"""Every model a process's copy holds (courses/learner/copies.py), written
through every path Django offers: ``save(update_fields=…)``, ``update()``,
``bulk_update()``, ``bulk_create()`` and ``delete()``. The learner's next page,
in a process whose copies are warm, shows the change. No test code gives a
version by hand: the models do it (peersupport/copies.py).

The suite's stale-copy check (settings.COPIES_CHECK) is off here, so what is
seen is what a learner in production would see.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from assessments.models import Assignment
from courses.models import AssignmentDeadline, Cohort, Course, DeadlineExtension, SessionRelease
from reflections.models import ReflectionPrompt
from sessions.models import ExerciseFile, Lesson, Session

pytestmark = pytest.mark.django_db

STORY = "/sessions/3/a-personal-story-of-recovery/"
PATHS = ["save", "update", "bulk_update"]


@dataclass(frozen=True)
class Case:
    """Where a row of ``model`` shows, and a change of it a learner would see."""

    model: type
    rows: dict  # how to find the row (its lookup)
    field: str
    value: object
    url: str
    shows: str


def soon(days):
    return timezone.localdate() + timedelta(days=days)


CASES = {
    "course": Case(Course, {}, "title", "A renamed course", "/", "A renamed course"),
    "session": Case(Session, {"number": 1}, "title", "Hello, all", "/", "Hello, all"),
    "lesson": Case(Lesson, {"slug": "a-personal-story-of-recovery"}, "title", "Amara's story",
                   "/sessions/3/", "Amara&#x27;s story"),
    "prompt": Case(ReflectionPrompt, {"lesson__slug": "a-personal-story-of-recovery", "order": 1},
                   "text", "What stayed with you?", STORY, "What stayed with you?"),
    "assignment": Case(Assignment, {"number": 1}, "title", "Recovery and me", "/",
                       "Recovery and me"),
    "cohort": Case(Cohort, {"name": "Spring"}, "name", "Spring, Leeds", "/", "Spring, Leeds"),
    "opening date": Case(SessionRelease, {"session__number": 11}, "opens_on", soon(40), "/",
                         f"Opens on {soon(40):%-d %B %Y}"),
    "deadline": Case(AssignmentDeadline, {"assignment__number": 2}, "due_on", soon(50), "/",
                     f"Due by the end of {soon(50):%A %-d %B %Y}"),
}  # fmt: skip


@pytest.fixture
def learner(alice, cohort):
    client = Client()
    client.force_login(alice)
    return client


@pytest.fixture(autouse=True)
def no_stale_copy_check(settings):
    settings.COPIES_CHECK = False


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def write(model, lookup, field, value, path):
    rows = model.objects.filter(**lookup)
    assert rows.count() == 1
    if path == "save":
        row = rows.get()
        setattr(row, field, value)
        row.save(update_fields=[field])
    elif path == "update":
        rows.update(**{field: value})
    elif path == "bulk_update":
        row = rows.get()
        setattr(row, field, value)
        model.objects.bulk_update([row], [field])


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("name", CASES)
def test_every_write_to_a_copied_row_shows_on_the_next_page(learner, cohort, name, path):
    case = CASES[name]
    if case.model is SessionRelease:  # the last session must not be open for its date to show
        SessionRelease.objects.filter(cohort=cohort, session__number=11).update(opens_on=soon(1))
    lookup = {**case.rows, **({"cohort": cohort} if hasattr(case.model, "cohort") else {})}
    assert case.shows not in page(learner, case.url)  # the process's copy is warm now
    write(case.model, lookup, case.field, case.value, path)
    assert case.shows in page(learner, case.url)


@pytest.mark.parametrize("path", PATHS)
def test_every_write_to_an_extension_shows_on_the_next_page(learner, alice, cohort, path):
    assignment = Assignment.objects.get(number=2)
    extension = DeadlineExtension.objects.create(
        enrolment=alice.enrolments.get(), assignment=assignment, due_on=soon(30)
    )
    assert f"{soon(30):%A %-d %B %Y} (your extended deadline)" in page(learner, "/")
    write(DeadlineExtension, {"pk": extension.pk}, "due_on", soon(31), path)
    assert f"{soon(31):%A %-d %B %Y} (your extended deadline)" in page(learner, "/")


def test_rows_created_in_bulk_show_on_the_next_page(learner, alice, cohort):
    session = Session.objects.get(number=3)
    lesson = Lesson.objects.get(slug="a-personal-story-of-recovery")
    assert "A lesson made in bulk" not in page(learner, "/sessions/3/")
    Lesson.objects.bulk_create(
        [Lesson(session=session, slug="made-in-bulk", title="A lesson made in bulk", order=9)]
    )
    assert "A lesson made in bulk" in page(learner, "/sessions/3/")
    ReflectionPrompt.objects.bulk_create(
        [ReflectionPrompt(session=session, lesson=lesson, order=9, text="A question in bulk?")]
    )
    ExerciseFile.objects.bulk_create(
        [ExerciseFile(lesson=lesson, title="A handout in bulk", file="exercise-files/x.pdf",
                      filename="x.pdf")]
    )  # fmt: skip
    story = page(learner, STORY)
    assert "A question in bulk?" in story and "A handout in bulk" in story
    DeadlineExtension.objects.bulk_create(
        [DeadlineExtension(enrolment=alice.enrolments.get(),
                           assignment=Assignment.objects.get(number=2), due_on=soon(33))]
    )  # fmt: skip
    assert f"{soon(33):%A %-d %B %Y} (your extended deadline)" in page(learner, "/")


def test_rows_deleted_one_by_one_or_in_bulk_are_gone_from_the_next_page(learner, alice, cohort):
    lesson = Lesson.objects.get(slug="a-personal-story-of-recovery")
    ExerciseFile.objects.create(lesson=lesson, title="Handout one", file="exercise-files/a.pdf")
    ExerciseFile.objects.create(lesson=lesson, title="Handout two", file="exercise-files/b.pdf")
    story = page(learner, STORY)
    assert "Handout one" in story and "Handout two" in story
    ExerciseFile.objects.get(title="Handout one").delete()
    assert "Handout one" not in page(learner, STORY)
    ExerciseFile.objects.filter(title="Handout two").delete()
    assert "Handout two" not in page(learner, STORY)
    prompt = ReflectionPrompt.objects.filter(lesson=lesson, order=3)
    text = prompt.get().text
    prompt.delete()
    assert text not in page(learner, STORY)
    extension = DeadlineExtension.objects.create(
        enrolment=alice.enrolments.get(), assignment=Assignment.objects.get(number=2),
        due_on=soon(30),
    )  # fmt: skip
    assert "(your extended deadline)" in page(learner, "/")
    DeadlineExtension.objects.filter(pk=extension.pk).delete()
    assert "(your extended deadline)" not in page(learner, "/")
    Lesson.objects.filter(session__number=3).delete()
    assert "A personal story of recovery" not in page(learner, "/sessions/3/")


def test_a_tutor_renamed_without_save_shows_once_the_copy_expires(learner, tutor, cohort, settings):
    """Users are not this project's model: a rename by update() reaches no
    version, so the copy's age bounds how long the old name shows."""
    assert "Your tutor: Tina" in page(learner, "/")
    type(tutor).objects.filter(pk=tutor.pk).update(first_name="Tamsin")
    assert "Your tutor: Tina" in page(learner, "/")  # within COPIES_MAX_AGE
    settings.COPIES_MAX_AGE = 0
    assert "Your tutor: Tamsin" in page(learner, "/")
