"""The coordinator edits the course in the admin; learners never get in."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.models import Assignment
from reflections.models import ReflectionPrompt
from sessions.models import ExerciseFile, Lesson, Session
from tests.uploads import post_lesson_with_upload

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "/admin/courses/course/",
    "/admin/course_sessions/session/",
    "/admin/course_sessions/lesson/",
    "/admin/reflections/reflectionprompt/",
    "/admin/assessments/assignment/",
]


def change_urls():
    return [
        f"/admin/courses/course/{Session.objects.first().course_id}/change/",
        f"/admin/course_sessions/session/{Session.objects.get(number=3).pk}/change/",
        f"/admin/course_sessions/lesson/{Lesson.objects.get().pk}/change/",
        f"/admin/reflections/reflectionprompt/{ReflectionPrompt.objects.first().pk}/change/",
        f"/admin/assessments/assignment/{Assignment.objects.first().pk}/change/",
    ]


def test_coordinator_opens_every_content_changelist_and_change_page(coordinator_client, course):
    for url in CHANGELISTS + change_urls():
        response = coordinator_client.get(url)
        assert response.status_code == 200, url


def test_the_rendered_result_is_visible_while_editing(coordinator_client, course):
    lesson = Lesson.objects.get()
    html = coordinator_client.get(f"/admin/course_sessions/lesson/{lesson.pk}/change/").content
    assert b"Body, as learners see it" in html
    assert b"<blockquote>" in html


def test_coordinator_edits_a_lesson_and_uploads_an_exercise_file(coordinator_client, course):
    lesson = Lesson.objects.get()
    response = post_lesson_with_upload(
        coordinator_client,
        lesson,
        "Worksheet",
        SimpleUploadedFile("worksheet.pdf", b"%PDF-1.4 x"),
        body=lesson.body + "\nA new **closing** line.",
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    lesson.refresh_from_db()
    assert "A new <strong>closing</strong> line." in lesson.body_html
    exercise_file = ExerciseFile.objects.get()
    assert (exercise_file.filename, exercise_file.size) == ("worksheet.pdf", 10)


def test_an_upload_of_a_disallowed_type_is_refused_with_a_message(coordinator_client, course):
    lesson = Lesson.objects.get()
    response = post_lesson_with_upload(
        coordinator_client, lesson, "Script", SimpleUploadedFile("run.exe", b"MZ")
    )
    assert response.status_code == 200
    assert b"File extension \xe2\x80\x9cexe\xe2\x80\x9d is not allowed" in response.content
    assert not ExerciseFile.objects.exists()


def test_coordinator_adds_a_prompt_to_a_lesson(coordinator_client, course):
    lesson = Lesson.objects.get()
    response = coordinator_client.post(
        "/admin/reflections/reflectionprompt/add/",
        {"session": lesson.session_id, "lesson": lesson.pk, "order": 4, "text": "A new question?"},
    )
    assert response.status_code == 302
    assert ReflectionPrompt.objects.filter(lesson=lesson).count() == 4


def test_a_prompt_cannot_hang_off_another_sessions_lesson(coordinator_client, course):
    lesson = Lesson.objects.get()
    other = Session.objects.get(number=1)
    response = coordinator_client.post(
        "/admin/reflections/reflectionprompt/add/",
        {"session": other.pk, "lesson": lesson.pk, "order": 4, "text": "Misplaced?"},
    )
    assert response.status_code == 200
    assert b"Choose a lesson from the prompt" in response.content


def test_an_assignment_word_range_must_make_sense(coordinator_client, course):
    assignment = Assignment.objects.get(number=1)
    response = coordinator_client.post(
        f"/admin/assessments/assignment/{assignment.pk}/change/",
        {
            "course": assignment.course_id,
            "number": 1,
            "title": assignment.title,
            "brief": assignment.brief,
            "min_words": 2000,
            "max_words": 1500,
            "feedback_session": assignment.feedback_session_id,
        },
    )
    assert response.status_code == 200
    assert b"The most words must be more than the fewest words." in response.content


@pytest.mark.parametrize("url", ["/admin/", *CHANGELISTS])
def test_learners_never_get_into_the_admin(alice_client, course, url):
    response = alice_client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_tutors_can_read_course_content_but_not_change_it(client, tutor, course):
    client.force_login(tutor)
    session = Session.objects.get(number=3)
    assert client.get("/admin/course_sessions/session/").status_code == 200
    response = client.post(
        f"/admin/course_sessions/session/{session.pk}/change/",
        {"course": session.course_id, "number": 3, "title": "Hijacked", "aim": "x"},
    )
    assert response.status_code == 403
    assert Session.objects.get(number=3).title == "Personal Recovery"
    assert client.get("/admin/course_sessions/session/add/").status_code == 403


def test_every_admin_page_gets_what_djangos_admin_gives_but_the_sidebars_list(
    coordinator_client, course
):
    """PeerSupportAdminSite.each_context leaves out only the list of every app
    and model that the sidebar, turned off on this site, would show."""
    from django.contrib import admin

    response = coordinator_client.get("/admin/password_change/")
    request = response.wsgi_request
    ours = admin.site.each_context(request)
    djangos = admin.AdminSite.each_context(admin.site, request)
    assert ours.keys() == djangos.keys()
    assert ours["available_apps"] == [] and djangos["available_apps"]
    assert list(ours.pop("log_entries")) == list(djangos.pop("log_entries"))
    assert {**ours, "available_apps": None} == {**djangos, "available_apps": None}
    assert response.context["available_apps"] == []
    assert "nav-sidebar" not in response.content.decode()
