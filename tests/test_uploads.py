"""Uploads on a full or read-only disk: a clear message, the essay's text
kept, and nothing half-written left behind; and the files no record names
are found by clean_orphan_files and on the admin's front page."""

import os
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from assessments.models import Submission
from sessions.models import ExerciseFile, Lesson
from tests.essays import PDF_BYTES
from tests.uploads import post_lesson_with_upload, read_only, small_disk

pytestmark = pytest.mark.django_db

ESSAY = "My essay's words, typed before attaching. " * 20


def files_in(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


@pytest.fixture
def disk(settings, tmp_path):
    """MEDIA_ROOT on a 256 KB disk of its own."""
    with small_disk(tmp_path / "media") as folder:
        settings.MEDIA_ROOT = str(folder)
        settings.FILE_UPLOAD_TEMP_DIR = str(folder / ".incoming")
        yield folder


def attach(client, data, name="essay.pdf"):
    return client.post(
        "/assignments/1/attachment/", {"file": SimpleUploadedFile(name, data)}, follow=True
    )


def test_a_full_disk_gives_a_clear_message_keeps_the_essay_and_leaves_no_file(
    alice_client, alice, disk
):
    alice_client.post("/assignments/1/draft/", {"text": ESSAY})
    big = PDF_BYTES + b"x" * 400_000  # more than the disk holds
    response = attach(alice_client, big)
    html = response.content.decode()
    assert response.status_code == 200
    assert "could not be saved just now: the server&#x27;s storage is full" in html
    assert "Nothing else was lost" in html
    assert f"{ESSAY}</textarea>" in html.replace("&#x27;", "'")
    draft = Submission.objects.get(learner=alice)
    assert draft.text == ESSAY and not draft.attachment
    assert files_in(disk) == []  # no half-written file, under any name
    # A file that fits is attached as usual.
    response = attach(alice_client, PDF_BYTES)
    assert "is attached to your draft" in response.content.decode()
    assert files_in(disk) == [Submission.objects.get(learner=alice).attachment.name]


def test_a_read_only_disk_gives_a_clear_message_and_keeps_the_essay(alice_client, alice, disk):
    alice_client.post("/assignments/1/draft/", {"text": ESSAY})
    read_only(disk)
    response = attach(alice_client, PDF_BYTES)
    html = response.content.decode()
    assert "the server&#x27;s storage is not accepting files" in html
    assert Submission.objects.get(learner=alice).text == ESSAY
    assert files_in(disk) == []


def test_a_coordinators_upload_to_a_full_disk_keeps_their_edits(coordinator_client, disk):
    lesson = Lesson.objects.get()
    big = SimpleUploadedFile("slides.pdf", b"%PDF-1.4 " + b"x" * 400_000)
    response = post_lesson_with_upload(
        coordinator_client, lesson, "Slides", big, body=lesson.body + "\nMY NEW LINE"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "the server&#x27;s storage is full" in html
    assert "MY NEW LINE</textarea>" in html  # everything typed is still in the form
    assert not ExerciseFile.objects.exists()
    lesson.refresh_from_db()
    assert "MY NEW LINE" not in lesson.body  # nothing half-saved
    assert files_in(disk) == []


def age(path: Path, hours: float) -> Path:
    past = time.time() - hours * 3600
    os.utime(path, (past, past))
    return path


def test_clean_orphan_files_finds_and_removes_what_no_record_names(
    settings, tmp_path, alice, cohort, coordinator_client
):
    media = tmp_path / "media"
    settings.MEDIA_ROOT = str(media)
    settings.FILE_UPLOAD_TEMP_DIR = str(media / ".incoming")
    alice_client = coordinator_client.__class__()
    alice_client.force_login(alice)
    alice_client.post("/assignments/1/draft/", {"text": ESSAY})
    attach(alice_client, PDF_BYTES)
    kept = Submission.objects.get(learner=alice).attachment.name
    age(media / kept, 5)
    (media / "essays").mkdir(exist_ok=True)
    orphan = media / "essays" / "abandoned.pdf"
    orphan.write_bytes(b"left by a worker killed after storing it")
    age(orphan, 2)
    part = media / "essays" / ".part-0123-essay.pdf"
    part.write_bytes(b"half")
    age(part, 2)
    (media / ".incoming").mkdir(exist_ok=True)
    upload_temp = media / ".incoming" / "tmpabc.upload.pdf"
    upload_temp.write_bytes(b"y" * 5000)
    age(upload_temp, 3)
    fresh = media / "essays" / "arriving-now.pdf"
    fresh.write_bytes(b"an upload on its way")
    lesson = Lesson.objects.get()
    ExerciseFile.objects.create(lesson=lesson, title="Gone", file="exercise-files/gone.pdf")

    output = StringIO()
    call_command("clean_orphan_files", stdout=output)
    report = output.getvalue()
    assert "Files no record refers to: 1\n  essays/abandoned.pdf" in report
    assert "Interrupted uploads: 2" in report
    assert ".part-0123-essay.pdf" in report and ".incoming/tmpabc.upload.pdf" in report
    assert "Records whose file is missing (restore it from a backup): 1" in report
    assert "exercise-files/gone.pdf" in report
    assert "Nothing removed" in report
    assert orphan.exists()

    cache.clear()
    home = coordinator_client.get("/admin/").content.decode()
    assert "3 file(s) in storage belong to nothing" in home
    assert "1 uploaded file(s) are missing from storage" in home

    call_command("clean_orphan_files", "--delete", stdout=StringIO())
    assert files_in(media) == sorted([kept, "essays/arriving-now.pdf"])
