"""Loading ``content/`` into the database (``load_course``): in one
transaction, keeping coordinators' edits unless forced."""

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from assessments.models import Assignment, Criterion
from courses.content.reading import DEFAULT_CONTENT_DIR, ExerciseFileSource, read_course
from courses.models import Course
from peersupport.models import fingerprint
from peersupport.uploads import shorten_file_name
from reflections.models import ReflectionPrompt
from sessions.models import (
    EXERCISE_FILE_NAME_CHARS,
    ExerciseFile,
    Lesson,
    Session,
)

# ---------------------------------------------------------------- loading


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: list[str] = field(default_factory=list)  # rows a coordinator edited, left alone

    def count(self, outcome: str, row) -> None:
        if outcome == "kept":
            self.kept.append(f"{type(row).__name__} {row}")
        else:
            setattr(self, outcome, getattr(self, outcome) + 1)


def load_course(directory: Path = DEFAULT_CONTENT_DIR, force: bool = False) -> LoadReport:
    """Load the course from ``directory``: all of it, or (on any error) none of it.

    Rows are matched on their natural keys (course slug, session number,
    lesson slug, assignment number, exercise file name; prompts and criteria by
    their position). A row a coordinator has edited since the last load is
    kept unless ``force``.
    """
    source = read_course(directory)
    report = LoadReport()
    with transaction.atomic():
        course = _upsert(
            report,
            force,
            Course,
            {"slug": source.slug},
            {
                "title": source.title,
                "overview": source.overview,
                "resources": source.resources,
                **source.completion.as_course_values(),
            },
        )
        sessions_by_number = {}
        for session_source in source.sessions:
            session = _upsert(
                report,
                force,
                Session,
                {"course": course, "number": session_source.number},
                {
                    "title": session_source.title,
                    "aim": session_source.aim,
                    "content_note": session_source.content_note,
                    "body": session_source.body,
                },
            )
            sessions_by_number[session.number] = session
            _load_prompts(report, force, session, None, session_source.prompts)
            for lesson_source in session_source.lessons:
                lesson = _upsert(
                    report,
                    force,
                    Lesson,
                    {"session": session, "slug": lesson_source.slug},
                    {
                        "title": lesson_source.title,
                        "order": lesson_source.order,
                        "content_note": lesson_source.content_note,
                        "body": lesson_source.body,
                    },
                )
                _load_prompts(report, force, session, lesson, lesson_source.prompts)
                for file_source in lesson_source.files:
                    _load_exercise_file(report, force, lesson, file_source)
        for assignment_source in source.assignments:
            feedback_session = sessions_by_number.get(assignment_source.discussed_in_session)
            assignment = _upsert(
                report,
                force,
                Assignment,
                {"course": course, "number": assignment_source.number},
                {
                    "title": assignment_source.title,
                    "brief": assignment_source.brief,
                    "min_words": assignment_source.min_words,
                    "max_words": assignment_source.max_words,
                    "feedback_session_id": feedback_session.pk if feedback_session else None,
                },
            )
            _load_in_order(
                report, force, Criterion, {"assignment": assignment}, assignment_source.criteria
            )
    return report


def _load_prompts(report, force, session, lesson, texts: list[str]) -> None:
    _load_in_order(report, force, ReflectionPrompt, {"session": session, "lesson": lesson}, texts)


def _load_in_order(report, force, model, parent: dict, texts: list[str]) -> None:
    """Match the file's list (prompts, criteria) to the rows stored under
    ``parent`` by position, not by their order numbers, which a coordinator may
    have changed (1, 2, 5…). Rows beyond the file's list (added in the admin)
    are left as they are: they are exported with the rest."""
    existing = list(model.objects.filter(**parent).order_by("order", "pk"))
    next_order = max((row.order for row in existing), default=0) + 1
    for index, text in enumerate(texts):
        if index < len(existing):
            _upsert(report, force, model, {"pk": existing[index].pk}, {"text": text})
        else:
            _upsert(report, force, model, {**parent, "order": next_order}, {"text": text})
            next_order += 1


def _upsert(report: LoadReport, force: bool, model, lookup: dict, values: dict):
    """Create or update one content row; count what happened in ``report``."""
    row = model.objects.filter(**lookup).first()
    wanted = fingerprint(values)
    if row is None:
        row = model(**lookup, **values, loaded_fingerprint=wanted)
        row.save()
        report.count("created", row)
        return row
    current = row.current_fingerprint()
    if current == wanted:
        if row.loaded_fingerprint != wanted:
            # The files caught up with an edit made in the admin (or were
            # reloaded after a --force): the row now matches its source.
            model.objects.filter(pk=row.pk).update(loaded_fingerprint=wanted)
        report.count("unchanged", row)
        return row
    if row.edited_since_load and not force:
        report.count("kept", row)
        return row
    for name, value in values.items():
        setattr(row, name, value)
    row.loaded_fingerprint = wanted
    row.save()
    report.count("updated", row)
    return row


def _load_exercise_file(report, force, lesson, source: ExerciseFileSource) -> None:
    data = source.data
    checksum = hashlib.sha256(data).hexdigest()
    # Looked up by the name as stored: long names are kept shortened.
    stored_name = shorten_file_name(source.path.name, EXERCISE_FILE_NAME_CHARS)
    row = ExerciseFile.objects.filter(lesson=lesson, filename=stored_name).first()
    if row is None:
        row = ExerciseFile(lesson=lesson, title=_title_from_name(source.path), order=source.order)
        outcome = "created"
    elif row.loaded_checksum == checksum:
        report.count("unchanged", row)
        return
    elif row.loaded_checksum == "" and not force:
        # Uploaded in the admin under the same name: the coordinator's file wins.
        report.count("kept", row)
        return
    else:
        # Remove the old file only once the new one is safely in the database.
        old_name, storage = row.file.name, row.file.storage
        transaction.on_commit(lambda: storage.delete(old_name))
        outcome = "updated"
    row.attach(source.path.name, data)
    row.loaded_checksum = checksum
    row.save()
    report.count(outcome, row)


def _title_from_name(path: Path) -> str:
    return path.stem.replace("-", " ").replace("_", " ").strip().capitalize()
