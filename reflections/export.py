"""The learner's journal as one Markdown file."""

from itertools import groupby

from django.utils import timezone

from peersupport.people import display_name


def journal_markdown(learner, reflections) -> str:
    """``reflections`` in course order (Reflection.objects.in_course_order())."""
    name = display_name(learner)
    lines = [
        "# My reflective journal",
        "",
        f"Peer Support Training · {name} · downloaded {timezone.localtime():%d %B %Y %H:%M}",
        "",
    ]
    for session, answers in groupby(reflections, key=lambda r: r.prompt.session):
        lines += [f"## Session {session.number}: {session.title}", ""]
        for answer in answers:
            where = f" (lesson: {answer.prompt.lesson.title})" if answer.prompt.lesson else ""
            shared = "shared with my tutor" if answer.shared_with_tutor else "private"
            changed = timezone.localtime(answer.updated_at)
            lines += [
                f"### {_one_line(answer.prompt.text)}{where}",
                "",
                answer.text.rstrip(),
                "",
                f"*Last changed {changed:%d %B %Y %H:%M} · {shared}*",
                "",
            ]
    return "\n".join(lines)


def _one_line(text: str) -> str:
    return " ".join(text.split())
