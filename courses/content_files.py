"""The course as files in ``content/``: reading them into the database, and
writing the database back out as files.

The layout, each file Markdown with YAML front matter::

    content/
      course.md                         title, slug; body: the overview
      resources.md                      body: the Useful Resources page
      sessions/NN-<slug>/session.md     number, title, aim, content_note, prompts; body
      sessions/NN-<slug>/lessons/NN-<slug>.md    title, slug, order, prompts; body
      sessions/NN-<slug>/lessons/NN-<slug>/*     the lesson's exercise files (optional)
      assignments/assignment-N.md       number, title, min_words, max_words,
                                        discussed_in_session; body: the brief

Parsing reads and checks every file before anything is written, so a
malformed file stops the load with a message naming the file, and the
database is left as it was.
"""

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import frontmatter
import yaml
from django.db import transaction
from django.utils.text import slugify

from assessments.models import ASSIGNMENT_COUNT, Assignment
from courses.models import Course
from peersupport.models import fingerprint
from peersupport.uploads import shorten_file_name
from reflections.models import ReflectionPrompt
from sessions.models import (
    COURSE_SESSION_COUNT,
    EXERCISE_FILE_NAME_CHARS,
    ExerciseFile,
    Lesson,
    Session,
)

DEFAULT_CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"


class ContentError(Exception):
    """A content file that cannot be loaded; the message names it."""

    def __init__(self, path: Path, problem: str):
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


@dataclass
class ExerciseFileSource:
    path: Path
    order: int

    @property
    def data(self) -> bytes:
        return self.path.read_bytes()


@dataclass
class LessonSource:
    path: Path
    slug: str
    title: str
    order: int
    body: str
    prompts: list[str]
    files: list[ExerciseFileSource] = field(default_factory=list)


@dataclass
class SessionSource:
    path: Path
    number: int
    title: str
    aim: str
    content_note: str
    body: str
    prompts: list[str]
    lessons: list[LessonSource] = field(default_factory=list)


@dataclass
class AssignmentSource:
    path: Path
    number: int
    title: str
    brief: str
    min_words: int
    max_words: int
    discussed_in_session: int | None


@dataclass
class CourseSource:
    slug: str
    title: str
    overview: str
    resources: str
    sessions: list[SessionSource]
    assignments: list[AssignmentSource]


# ---------------------------------------------------------------- reading


def read_course(directory: Path) -> CourseSource:
    """Parse and check every file under ``directory``; raise ContentError."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ContentError(directory, "is not a folder of course content")
    course_meta, overview = _read(directory / "course.md")
    _, resources = _read(directory / "resources.md")
    sessions = [_read_session(path) for path in sorted(directory.glob("sessions/*/session.md"))]
    _check_numbers(directory / "sessions", sessions, COURSE_SESSION_COUNT, every=True)
    assignments = [_read_assignment(path) for path in sorted(directory.glob("assignments/*.md"))]
    _check_numbers(directory / "assignments", assignments, ASSIGNMENT_COUNT, every=False)
    return CourseSource(
        slug=_text(course_meta, "slug", directory / "course.md"),
        title=_text(course_meta, "title", directory / "course.md"),
        overview=overview,
        resources=resources,
        sessions=sorted(sessions, key=lambda s: s.number),
        assignments=sorted(assignments, key=lambda a: a.number),
    )


def _read(path: Path) -> tuple[dict, str]:
    if not path.is_file():
        raise ContentError(path, "is missing")
    try:
        post = frontmatter.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ContentError(path, "is not UTF-8 text") from None
    except yaml.YAMLError as error:
        raise ContentError(path, f"its front matter is not valid YAML ({error})") from None
    if not isinstance(post.metadata, dict):
        raise ContentError(path, "its front matter must be a list of 'key: value' lines")
    return post.metadata, post.content.strip()


def _read_session(path: Path) -> SessionSource:
    meta, body = _read(path)
    session = SessionSource(
        path=path,
        number=_int(meta, "number", path, low=1, high=COURSE_SESSION_COUNT),
        title=_text(meta, "title", path),
        aim=_text(meta, "aim", path),
        content_note=_text(meta, "content_note", path, required=False),
        body=body,
        prompts=_prompts(meta, path),
    )
    lesson_paths = sorted((path.parent / "lessons").glob("*.md"))
    session.lessons = [_read_lesson(lesson_path) for lesson_path in lesson_paths]
    slugs = Counter(lesson.slug for lesson in session.lessons)
    for slug, count in slugs.items():
        if count > 1:
            raise ContentError(path.parent / "lessons", f"two lessons have the slug {slug!r}")
    return session


def _read_lesson(path: Path) -> LessonSource:
    meta, body = _read(path)
    slug = _text(meta, "slug", path)
    if slug != slug.lower() or not slug.replace("-", "").isalnum():
        raise ContentError(path, f"slug {slug!r} may use only lowercase letters, digits and '-'")
    files_dir = path.with_suffix("")
    files = []
    if files_dir.is_dir():
        names = sorted(p for p in files_dir.iterdir() if p.is_file() and not p.name.startswith("."))
        files = [ExerciseFileSource(path=p, order=i) for i, p in enumerate(names, start=1)]
    return LessonSource(
        path=path,
        slug=slug,
        title=_text(meta, "title", path),
        order=_int(meta, "order", path, low=1, high=999, default=1),
        body=body,
        prompts=_prompts(meta, path),
        files=files,
    )


def _read_assignment(path: Path) -> AssignmentSource:
    meta, brief = _read(path)
    if not brief:
        raise ContentError(path, "has no brief: write it below the front matter")
    min_words = _int(meta, "min_words", path, low=1, high=100_000)
    max_words = _int(meta, "max_words", path, low=1, high=100_000)
    if min_words >= max_words:
        raise ContentError(path, "min_words must be less than max_words")
    discussed_in = meta.get("discussed_in_session")
    if discussed_in is not None:
        discussed_in = _int(meta, "discussed_in_session", path, low=1, high=COURSE_SESSION_COUNT)
    return AssignmentSource(
        path=path,
        number=_int(meta, "number", path, low=1, high=ASSIGNMENT_COUNT),
        title=_text(meta, "title", path),
        brief=brief,
        min_words=min_words,
        max_words=max_words,
        discussed_in_session=discussed_in,
    )


def _text(meta: dict, key: str, path: Path, required: bool = True) -> str:
    value = meta.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ContentError(path, f"'{key}' is missing from the front matter")
        return ""
    if not isinstance(value, str | int | float):
        raise ContentError(path, f"'{key}' must be text")
    return str(value).strip()


def _int(meta: dict, key: str, path: Path, low: int, high: int, default=None) -> int:
    value = meta.get(key, default)
    if value is None:
        raise ContentError(path, f"'{key}' is missing from the front matter")
    if isinstance(value, bool) or not isinstance(value, int):
        raise ContentError(path, f"'{key}' must be a whole number, not {value!r}")
    if not low <= value <= high:
        raise ContentError(path, f"'{key}' must be between {low} and {high}, not {value}")
    return value


def _prompts(meta: dict, path: Path) -> list[str]:
    prompts = meta.get("prompts") or []
    if not isinstance(prompts, list) or not all(isinstance(p, str) and p.strip() for p in prompts):
        raise ContentError(path, "'prompts' must be a list of questions, one per '- ' line")
    return [p.strip() for p in prompts]


def _check_numbers(folder: Path, sources: list, count: int, every: bool) -> None:
    """Each number used once; with ``every``, each of 1..count present."""
    seen = {}
    for source in sources:
        if source.number in seen:
            raise ContentError(
                source.path, f"number {source.number} is used twice (also in {seen[source.number]})"
            )
        seen[source.number] = source.path
    missing = sorted(set(range(1, count + 1)) - set(seen))
    if every and missing:
        raise ContentError(folder, f"session {missing[0]} is missing (expected 1 to {count})")


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
    lesson slug, prompt order, assignment number, exercise file name). A row a
    coordinator has edited since the last load is kept unless ``force``.
    """
    source = read_course(directory)
    report = LoadReport()
    with transaction.atomic():
        course = _upsert(
            report,
            force,
            Course,
            {"slug": source.slug},
            {"title": source.title, "overview": source.overview, "resources": source.resources},
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
                        "body": lesson_source.body,
                    },
                )
                _load_prompts(report, force, session, lesson, lesson_source.prompts)
                for file_source in lesson_source.files:
                    _load_exercise_file(report, force, lesson, file_source)
        for assignment_source in source.assignments:
            feedback_session = sessions_by_number.get(assignment_source.discussed_in_session)
            _upsert(
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
    return report


def _load_prompts(report, force, session, lesson, texts: list[str]) -> None:
    """Match the file's prompts to the stored ones by position, not by their
    order numbers, which a coordinator may have changed (1, 2, 5…)."""
    existing = list(
        ReflectionPrompt.objects.filter(session=session, lesson=lesson).order_by("order", "pk")
    )
    next_order = max((p.order for p in existing), default=0) + 1
    for index, text in enumerate(texts):
        if index < len(existing):
            _upsert(report, force, ReflectionPrompt, {"pk": existing[index].pk}, {"text": text})
        else:
            _upsert(
                report,
                force,
                ReflectionPrompt,
                {"session": session, "lesson": lesson, "order": next_order},
                {"text": text},
            )
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


# ---------------------------------------------------------------- writing


class _ContentDumper(yaml.SafeDumper):
    """YAML as a person would write it: long text as an indented block under
    its key, lists indented under theirs."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


class _Block(str):
    """Text written as a literal block (``key: |`` then indented lines)."""


def _represent_block(dumper, text):
    # The trailing newline gives "|" rather than "|-"; the loader strips it.
    return dumper.represent_scalar("tag:yaml.org,2002:str", text.strip() + "\n", style="|")


_ContentDumper.add_representer(_Block, _represent_block)


def write_course(directory: Path, course: Course) -> int:
    """Write ``course`` as files ``read_course`` reads; return how many were written.

    Exporting what was loaded gives back the same files byte for byte, so
    ``diff -r content/ exported/`` shows exactly what coordinators changed.
    """
    directory = Path(directory)
    written = 0

    def write(path: Path, meta: dict, body: str) -> None:
        nonlocal written
        path.parent.mkdir(parents=True, exist_ok=True)
        front = yaml.dump(
            {k: v for k, v in meta.items() if v not in (None, "", [])},
            Dumper=_ContentDumper,
            sort_keys=False,
            allow_unicode=True,
            width=float("inf"),
        )
        text = f"---\n{front}---\n{body.strip()}\n" if body.strip() else f"---\n{front}---\n"
        path.write_text(text, encoding="utf-8")
        written += 1

    write(directory / "course.md", {"title": course.title, "slug": course.slug}, course.overview)
    write(directory / "resources.md", {"title": "Useful Resources"}, course.resources)

    sessions = Session.objects.filter(course=course).order_by("number")
    prompts = _prompts_by_parent(course)
    for session in sessions.prefetch_related("lessons__exercise_files"):
        folder = directory / "sessions" / f"{session.number:02d}-{slugify(session.title)}"
        meta = {
            "number": session.number,
            "title": session.title,
            "aim": _Block(session.aim),
            "content_note": _Block(session.content_note) if session.content_note else "",
            "prompts": prompts.get((session.pk, None), []),
        }
        write(folder / "session.md", meta, session.body)
        for lesson in sorted(session.lessons.all(), key=lambda lesson: (lesson.order, lesson.pk)):
            stem = f"{lesson.order:02d}-{lesson.slug}"
            meta = {
                "title": lesson.title,
                "slug": lesson.slug,
                "order": lesson.order,
                "prompts": prompts.get((session.pk, lesson.pk), []),
            }
            write(folder / "lessons" / f"{stem}.md", meta, lesson.body)
            for exercise_file in lesson.exercise_files.all():
                target = folder / "lessons" / stem / Path(exercise_file.filename).name
                target.parent.mkdir(parents=True, exist_ok=True)
                with exercise_file.file.open("rb") as source:
                    target.write_bytes(source.read())
                written += 1

    for assignment in Assignment.objects.filter(course=course).select_related("feedback_session"):
        meta = {
            "number": assignment.number,
            "title": assignment.title,
            "min_words": assignment.min_words,
            "max_words": assignment.max_words,
            "discussed_in_session": (
                assignment.feedback_session.number if assignment.feedback_session else None
            ),
        }
        write(
            directory / "assignments" / f"assignment-{assignment.number}.md", meta, assignment.brief
        )
    return written


def _prompts_by_parent(course: Course) -> dict[tuple, list[str]]:
    grouped: dict[tuple, list[str]] = {}
    for prompt in ReflectionPrompt.objects.filter(session__course=course).order_by("order", "pk"):
        grouped.setdefault((prompt.session_id, prompt.lesson_id), []).append(prompt.text)
    return grouped
