"""Content a coordinator can trust: live preview, history with diffs and
revert, and the export/load round trip."""

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from assessments.models import Assignment, Criterion
from courses.content import DEFAULT_CONTENT_DIR, load_course, read_course, write_course
from reflections.models import ReflectionPrompt
from sessions.models import Session
from tests.helpers import edit, session_form

pytestmark = pytest.mark.django_db


def test_a_content_edit_is_in_the_history_with_a_diff_and_can_be_reverted(
    coordinator_client, coordinator, course
):
    session = Session.objects.get(number=2)
    original_aim = session.aim
    new_aim = original_aim.replace("key concepts", "the key ideas")
    url = f"/admin/course_sessions/session/{session.pk}/"
    response = coordinator_client.post(url + "change/", session_form(session, aim=new_aim))
    assert response.status_code == 302

    history = coordinator_client.get(url + "history/")
    html = history.content.decode()
    assert "Cora" in html or "cora" in html  # who
    # What changed, as a word diff; the untouched body is not listed.
    assert "<del>concepts</del>" in html and "<ins>ideas</ins>" in html
    assert "<strong>Body:</strong>" not in html

    record = session.history.order_by("history_date").first()  # as loaded
    revert_page = coordinator_client.get(f"{url}history/{record.history_id}/")
    assert revert_page.status_code == 200
    response = coordinator_client.post(
        f"{url}history/{record.history_id}/", session_form(session, aim=original_aim)
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.aim == original_aim
    assert "key concepts" in session.aim_html
    assert session.history.count() == 3  # loaded, edited, reverted
    assert session.history.first().history_user == coordinator
    # Reverted to what was loaded: load_course sees it as unchanged again.
    assert not session.edited_since_load


def test_history_never_stores_derived_html(course):
    historical = Session.history.model
    names = {f.name for f in historical._meta.get_fields()}
    assert "aim" in names and "aim_html" not in names and "loaded_fingerprint" not in names


def test_live_preview_renders_sanitised_html_for_staff(coordinator_client):
    response = coordinator_client.post(
        "/admin/markdown-preview/", {"text": "**Hi** <script>alert(1)</script>"}
    )
    assert response.status_code == 200
    assert response.json()["html"].startswith("<p><strong>Hi</strong>")
    assert "<script" not in response.json()["html"]


def test_live_preview_is_for_staff_only_and_post_only(client, alice, coordinator_client):
    assert coordinator_client.get("/admin/markdown-preview/").status_code == 405
    client.force_login(alice)
    response = client.post("/admin/markdown-preview/", {"text": "x"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_markdown_fields_are_marked_for_the_live_preview(coordinator_client, course):
    session = Session.objects.get(number=1)
    html = coordinator_client.get(f"/admin/course_sessions/session/{session.pk}/change/").content
    assert b'data-markdown-preview="aim_preview"' in html
    assert b"admin/js/markdown-preview.js" in html


def test_export_of_the_shipped_content_equals_content(course, tmp_path):
    write_course(tmp_path, course)
    assert files_of(tmp_path) == files_of(DEFAULT_CONTENT_DIR)


def test_export_shows_exactly_what_a_coordinator_changed(course, tmp_path):
    Session.objects.filter(number=4).update(title="What Is Peer Support?")
    write_course(tmp_path, course)
    exported, shipped = files_of(tmp_path), files_of(DEFAULT_CONTENT_DIR)
    changed = {path for path in shipped if exported.get(path) != shipped[path]}
    assert changed == {"sessions/04-what-is-peer-support/session.md"}
    assert "title: What Is Peer Support?" in exported[next(iter(changed))].decode()


def test_load_export_load_changes_nothing(empty_database, tmp_path, coordinator):
    load_course(DEFAULT_CONTENT_DIR)
    # A coordinator's additions and reordering survive the round trip too.
    session = Session.objects.get(number=5)
    ReflectionPrompt.objects.create(session=session, order=9, text="Added in the admin?")
    assignment = Assignment.objects.get(number=2)
    Criterion.objects.create(assignment=assignment, order=9, text="Added in the admin")
    Criterion.objects.filter(assignment=assignment, order=1).update(order=7)
    write_course(tmp_path / "a", session.course)
    report = load_course(tmp_path / "a")
    assert (report.created, report.updated) == (0, 0)
    write_course(tmp_path / "b", session.course)
    assert files_of(tmp_path / "a") == files_of(tmp_path / "b")


def test_export_shows_a_criterion_changed_or_all_removed(course, tmp_path):
    edit(Criterion.objects.get(assignment__number=1, order=2), text="Explains peer support")
    Criterion.objects.filter(assignment__number=2).delete()
    write_course(tmp_path, course)
    exported, shipped = files_of(tmp_path), files_of(DEFAULT_CONTENT_DIR)
    changed = {path for path in shipped if exported.get(path) != shipped[path]}
    assert changed == {"assignments/assignment-1.md", "assignments/assignment-2.md"}
    assert "\n  - Explains peer support\n" in exported["assignments/assignment-1.md"].decode()
    # No criteria, no 'criteria:' line; such a file loads (marking goes by the brief).
    assert b"criteria" not in exported["assignments/assignment-2.md"]
    assert read_course(tmp_path).assignments[1].criteria == []


def test_export_command(course, tmp_path):
    out = StringIO()
    call_command("export_course", str(tmp_path / "out"), stdout=out)
    assert "Wrote 16 files" in out.getvalue()
    copy = tmp_path / "copy"
    shutil.copytree(tmp_path / "out", copy)
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="not empty"):
        call_command("export_course", str(copy), stdout=StringIO())


def files_of(directory: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in sorted(Path(directory).rglob("*"))
        if path.is_file()
    }
