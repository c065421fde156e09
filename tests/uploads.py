"""Helpers for the upload tests: the lesson form with a file, and a small
disk to fill."""

import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.helpers import inline_management


def post_lesson_with_upload(client, lesson, title, upload, body=None):
    """The lesson's change form, unchanged but for its body and one new file."""
    return client.post(
        f"/admin/course_sessions/lesson/{lesson.pk}/change/",
        {
            "session": lesson.session_id,
            "order": 1,
            "title": lesson.title,
            "slug": lesson.slug,
            "body": lesson.body if body is None else body,
            **inline_management("prompts"),
            **inline_management("exercise_files"),
            "exercise_files-TOTAL_FORMS": "1",
            "exercise_files-0-order": "1",
            "exercise_files-0-title": title,
            "exercise_files-0-file": upload,
            "exercise_files-0-lesson": lesson.pk,
        },
    )


@contextmanager
def small_disk(folder: Path, size: str = "256k"):
    """A tmpfs of ``size`` mounted on ``folder``: a disk that fills up.

    Mounting needs root, as `make test` and CI run; anywhere else the test
    says so and is skipped.
    """
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small disk here ({mounted.stderr.strip()}); CI runs as root")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def read_only(folder: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
