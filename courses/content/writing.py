"""Writing the database's course back out as files that ``load_course``
reads (``export_course``): exporting the shipped course gives ``content/``
back byte for byte."""

from pathlib import Path

import yaml
from django.utils.text import slugify

from assessments.models import Assignment, Criterion
from courses.models import Course
from reflections.models import ReflectionPrompt
from sessions.models import (
    Session,
)

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

    rule = {
        "sessions_attended": course.completion_sessions_attended,
        "required_sessions": list(course.completion_required_sessions or []),
        "caught_up_counts": course.completion_caught_up_counts,
        "assignments_passed": course.completion_assignments_passed,
    }
    write(
        directory / "course.md",
        {"title": course.title, "slug": course.slug, "completion": rule},
        course.overview,
    )
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
                "content_note": _Block(lesson.content_note) if lesson.content_note else "",
                "prompts": prompts.get((session.pk, lesson.pk), []),
            }
            write(folder / "lessons" / f"{stem}.md", meta, lesson.body)
            for exercise_file in lesson.exercise_files.all():
                target = folder / "lessons" / stem / Path(exercise_file.filename).name
                target.parent.mkdir(parents=True, exist_ok=True)
                with exercise_file.file.open("rb") as source:
                    target.write_bytes(source.read())
                written += 1

    criteria = _criteria_by_assignment(course)
    for assignment in Assignment.objects.filter(course=course).select_related("feedback_session"):
        meta = {
            "number": assignment.number,
            "title": assignment.title,
            "min_words": assignment.min_words,
            "max_words": assignment.max_words,
            "discussed_in_session": (
                assignment.feedback_session.number if assignment.feedback_session else None
            ),
            "criteria": criteria.get(assignment.pk, []),
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


def _criteria_by_assignment(course: Course) -> dict[int, list[str]]:
    grouped: dict[int, list[str]] = {}
    for criterion in Criterion.objects.filter(assignment__course=course).order_by("order", "pk"):
        grouped.setdefault(criterion.assignment_id, []).append(criterion.text)
    return grouped
