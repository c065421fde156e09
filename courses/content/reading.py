"""The course as files in ``content/``: reading them into the database, and
writing the database back out as files.

The layout, each file Markdown with YAML front matter::

    content/
      course.md                         title, slug; body: the overview
      resources.md                      body: the Useful Resources page
      sessions/NN-<slug>/session.md     number, title, aim, content_note, prompts; body
      sessions/NN-<slug>/lessons/NN-<slug>.md    title, slug, order, content_note, prompts; body
      sessions/NN-<slug>/lessons/NN-<slug>/*     the lesson's exercise files (optional)
      assignments/assignment-N.md       number, title, min_words, max_words,
                                        discussed_in_session, criteria (optional);
                                        body: the brief

``prompts`` and ``criteria`` are lists of text, one per "- " line. The
criteria are what tutors mark an essay against, each one sentence of at most
300 characters; an assignment without them is marked on its brief alone.

Parsing reads and checks every file before anything is written, so a
malformed file stops the load with a message naming the file, and the
database is left as it was.
"""

from collections import Counter
from dataclasses import dataclass, field, fields
from pathlib import Path

import frontmatter
import yaml

from assessments.models import ASSIGNMENT_COUNT, Criterion
from sessions.models import (
    COURSE_SESSION_COUNT,
)

DEFAULT_CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"
CRITERION_MAX_CHARS = Criterion._meta.get_field("text").max_length


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
    content_note: str
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
    criteria: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CompletionRuleSource:
    """``completion:`` in course.md; each key may be left out for its default."""

    sessions_attended: int = 9
    required_sessions: tuple[int, ...] = ()
    caught_up_counts: bool = True
    assignments_passed: bool = True

    def as_course_values(self) -> dict:
        return {
            "completion_sessions_attended": self.sessions_attended,
            "completion_required_sessions": list(self.required_sessions),
            "completion_caught_up_counts": self.caught_up_counts,
            "completion_assignments_passed": self.assignments_passed,
        }


@dataclass
class CourseSource:
    slug: str
    title: str
    overview: str
    resources: str
    sessions: list[SessionSource]
    assignments: list[AssignmentSource]
    completion: CompletionRuleSource = field(default_factory=CompletionRuleSource)


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
        completion=_completion_rule(course_meta, directory / "course.md"),
    )


def _completion_rule(meta: dict, path: Path) -> CompletionRuleSource:
    """The completion rule from course.md's ``completion:`` (the defaults for
    whatever it leaves out)."""
    given = meta.get("completion") or {}
    if not isinstance(given, dict):
        raise ContentError(path, "'completion' must be a list of 'key: value' lines")
    unknown = set(given) - {f.name for f in fields(CompletionRuleSource)}
    if unknown:
        raise ContentError(path, f"'completion' has unknown keys: {', '.join(sorted(unknown))}")
    default = CompletionRuleSource()
    required = given.get("required_sessions") or []
    if not isinstance(required, list) or not all(
        isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= COURSE_SESSION_COUNT
        for n in required
    ):
        raise ContentError(
            path,
            f"'required_sessions' must be a list of session numbers from 1 to "
            f"{COURSE_SESSION_COUNT}, like [1, 6, 11]",
        )
    flags = {}
    for key in ("caught_up_counts", "assignments_passed"):
        value = given.get(key, getattr(default, key))
        if not isinstance(value, bool):
            raise ContentError(path, f"'{key}' must be true or false, not {value!r}")
        flags[key] = value
    return CompletionRuleSource(
        sessions_attended=_int(
            given, "sessions_attended", path, 0, COURSE_SESSION_COUNT, default.sessions_attended
        ),
        required_sessions=tuple(sorted(set(required))),
        **flags,
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
        content_note=_text(meta, "content_note", path, required=False),
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
        criteria=_criteria(meta, path),
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


def _criteria(meta: dict, path: Path) -> list[str]:
    criteria = meta.get("criteria") or []
    if not isinstance(criteria, list):
        raise ContentError(
            path, "'criteria' must be a list of requirements, one per '- ' line below it"
        )
    for number, criterion in enumerate(criteria, start=1):
        if criterion is None or (isinstance(criterion, str) and not criterion.strip()):
            raise ContentError(
                path,
                f"criterion {number} is empty: please write the requirement after its '- ', "
                "or remove the line",
            )
        if not isinstance(criterion, str):
            # "- Relates: ..." is a mapping to YAML, "- 42" a number.
            raise ContentError(
                path,
                f"criterion {number} is not read as a sentence: please put it in quotes "
                "(a colon followed by a space, or a bare number, means something else to YAML)",
            )
        if len(criterion.strip()) > CRITERION_MAX_CHARS:
            raise ContentError(
                path,
                f"criterion {number} is {len(criterion.strip())} characters long; please keep "
                f"each criterion to one sentence of at most {CRITERION_MAX_CHARS} characters",
            )
    return [c.strip() for c in criteria]


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
