"""The learner's site through HTTP: dashboard, sessions, lessons, files, resources."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from courses.models import Cohort, Course
from reflections.models import Reflection, ReflectionPrompt
from sessions.models import ExerciseFile, Lesson, Session, SessionCompletion
from tests.helpers import (
    ACCESS_QUERIES,
    SESSION_REFRESH_QUERIES,
    STRUCTURE_QUERIES,
    TIMETABLE_QUERIES,
)

pytestmark = pytest.mark.django_db

LEARNER_URLS = [
    "/",
    "/sessions/1/",
    "/sessions/3/",
    "/sessions/11/",
    "/sessions/3/a-personal-story-of-recovery/",
]


@pytest.mark.parametrize("url", LEARNER_URLS)
def test_anonymous_visitors_are_sent_to_login_and_back(client, course, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


def test_completion_and_downloads_need_a_login(client, course, exercise_file):
    response = client.post("/sessions/3/complete/", {"completed": "1"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.get(download_url(exercise_file))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not SessionCompletion.objects.exists()


@pytest.mark.parametrize("url", LEARNER_URLS + ["/resources/"])
def test_learner_pages_answer(alice_client, course, url):
    response = alice_client.get(url)
    assert response.status_code == 200
    assert b"Need support now?" in response.content
    assert b'href="/resources/#support-right-now"' in response.content


def test_resources_are_open_to_everyone_because_they_say_where_to_find_help(client, course):
    response = client.get("/resources/")
    assert response.status_code == 200
    assert b'id="support-right-now"' in response.content
    assert b"116 123" in response.content


def test_login_page_links_to_support(client, course):
    response = client.get("/accounts/login/")
    assert b'href="/resources/#support-right-now"' in response.content


def test_dashboard_lists_the_eleven_sessions_in_order_with_progress(alice_client, alice, course):
    SessionCompletion.objects.create(learner=alice, session=Session.objects.get(number=2))
    response = alice_client.get("/")
    progress = response.context["progress"]
    assert [entry.session.number for entry in progress.sessions] == list(range(1, 12))
    assert [entry.completed for entry in progress.sessions][:3] == [False, True, False]
    assert (progress.completed_count, progress.total, progress.percent) == (1, 11, 9)
    html = response.content.decode()
    assert 'value="1"' in html and 'max="11"' in html
    assert html.index("Welcome and Introductions") < html.index("Positive Risk Taking")
    assert "You have completed 1 of 11 sessions (9%)." in html
    assert '<span class="progress-percent" aria-hidden="true">9%</span>' in html
    assert "Assignment 1" in html


def test_a_peers_completions_do_not_show_on_my_dashboard(alice_client, bob, course):
    SessionCompletion.objects.create(learner=bob, session=Session.objects.get(number=1))
    progress = alice_client.get("/").context["progress"]
    assert progress.completed_count == 0


def test_session_page_shows_aim_content_note_before_body_and_lessons(alice_client, course):
    response = alice_client.get("/sessions/3/")
    html = response.content.decode()
    session = Session.objects.get(number=3)
    assert session.aim in html
    assert html.index("Content note") < html.index("In this session")
    assert "Step away to your course page" in html
    assert 'href="/sessions/3/a-personal-story-of-recovery/"' in html
    assert response.context["is_completed"] is False


def test_session_without_content_note_shows_none(alice_client, course):
    assert b"Content note" not in alice_client.get("/sessions/2/").content


def test_marking_a_session_complete_goes_on_to_the_next_and_undoing_it_stays(
    alice_client, alice, course
):
    response = alice_client.post("/sessions/3/complete/", {"completed": "1"}, follow=True)
    assert response.redirect_chain == [("/sessions/4/", 302)]
    assert b"Session 3 is marked as complete. Well done. Here is session 4." in response.content
    # Twice is the same as once.
    alice_client.post("/sessions/3/complete/", {"completed": "1"})
    assert SessionCompletion.objects.filter(learner=alice).count() == 1
    assert alice_client.get("/").context["progress"].completed_count == 1
    assert alice_client.get("/sessions/3/").context["is_completed"] is True

    # Undone from the lesson that ends the session: back to that lesson.
    response = alice_client.post(
        "/sessions/3/complete/",
        {"completed": "0", "lesson": "a-personal-story-of-recovery"},
        follow=True,
    )
    assert response.redirect_chain == [("/sessions/3/a-personal-story-of-recovery/", 302)]
    assert response.context["is_completed"] is False
    assert not SessionCompletion.objects.filter(learner=alice).exists()


def test_completing_the_last_session_goes_to_the_dashboard(alice_client, alice, course):
    response = alice_client.post("/sessions/11/complete/", {"completed": "1"}, follow=True)
    assert response.redirect_chain == [("/", 302)]
    assert b"That was the last session: well done." in response.content


def test_completion_is_post_only(alice_client, course):
    assert alice_client.get("/sessions/3/complete/").status_code == 405


def test_lesson_page_shows_the_story_prompts_and_no_empty_files_section(alice_client, course):
    response = alice_client.get("/sessions/3/a-personal-story-of-recovery/")
    html = response.content.decode()
    assert "When I was 26 years old" in html
    assert "Why are personal stories so powerful?" in html
    assert "Exercise files" not in html and "No attachment" not in html
    assert [item.prompt.order for item in response.context["prompts"]] == [1, 2, 3]


@pytest.mark.parametrize(
    "url",
    [
        "/sessions/0/",
        "/sessions/12/",
        "/sessions/99/",
        "/sessions/3/no-such-lesson/",
        "/sessions/2/a-personal-story-of-recovery/",  # a real lesson, in another session
        "/sessions/12/complete/",
    ],
)
def test_unknown_sessions_and_lessons_are_a_404_in_the_sites_style(alice_client, course, url):
    method = alice_client.post if url.endswith("complete/") else alice_client.get
    response = method(url)
    assert response.status_code == 404
    assert b"We can\xe2\x80\x99t find that page" in response.content
    assert b"Need support now?" in response.content


@pytest.fixture
def exercise_file(course):
    lesson = Lesson.objects.get()
    # As the admin saves an upload.
    return ExerciseFile.objects.create(
        lesson=lesson,
        title="Story worksheet",
        file=SimpleUploadedFile("story worksheet.pdf", b"%PDF-1.4 test"),
    )


def download_url(exercise_file):
    return f"/sessions/3/a-personal-story-of-recovery/files/{exercise_file.pk}/"


def test_lesson_lists_exercise_files_with_type_and_size(alice_client, exercise_file):
    html = alice_client.get("/sessions/3/a-personal-story-of-recovery/").content.decode()
    assert "Story worksheet" in html
    assert "(PDF, 13\xa0bytes)" in html
    assert download_url(exercise_file) in html
    assert "No attachment" not in html


def test_exercise_files_download_as_attachments(alice_client, exercise_file):
    response = alice_client.get(download_url(exercise_file))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="story worksheet.pdf"'
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"


def test_an_exercise_file_is_only_reachable_under_its_own_lesson(alice_client, exercise_file):
    response = alice_client.get(
        f"/sessions/2/a-personal-story-of-recovery/files/{exercise_file.pk}/"
    )
    assert response.status_code == 404


def test_a_missing_file_on_disk_is_a_404_not_a_500(alice_client, exercise_file):
    exercise_file.file.storage.delete(exercise_file.file.name)
    assert alice_client.get(download_url(exercise_file)).status_code == 404


def test_there_is_no_public_media_url(client, exercise_file):
    assert client.get(f"/media/{exercise_file.file.name}").status_code in (302, 404)


# Query counts: what each page asks the database, pinned so they cannot grow
# with the number of sessions, lessons or prompts. Every learner page starts
# with ACCESS_QUERIES; the course and the cohort's timetable come from this
# process's copy while it is current, and cost STRUCTURE_QUERIES and
# TIMETABLE_QUERIES on the first page after a change.
#   my completions and pages opened (1, courses/player.py), my attempts at the
#   assignments (1), my attendance (1); and, once I have completed the course,
#   my certificate (1)
DASHBOARD_QUERIES = ACCESS_QUERIES + 3 + SESSION_REFRESH_QUERIES
#   my answers (1), my completions and pages opened (1), my attendance at it (1)
SESSION_QUERIES = ACCESS_QUERIES + 3 + SESSION_REFRESH_QUERIES
#   my answers (1), my completions and pages opened (1)
LESSON_QUERIES = ACCESS_QUERIES + 2 + SESSION_REFRESH_QUERIES
# A page's first view by a learner also records the visit, once (1).
FIRST_VIEW_QUERIES = 1


def add_lessons(course, count, learner):
    """More lessons, prompts, files, and the learner's answers to every prompt."""
    for session in Session.objects.filter(course=course):
        for index in range(count):
            lesson = Lesson.objects.create(
                session=session, slug=f"extra-{index}", title=f"Extra {index}", order=index + 2
            )
            lesson.prompts.create(session=session, text=f"Question {index}?")
            ExerciseFile.objects.create(lesson=lesson, title="f", file="exercise-files/x.pdf")
    for prompt in ReflectionPrompt.objects.all():
        Reflection.objects.get_or_create(learner=learner, prompt=prompt, defaults={"text": "Mine"})


def test_page_query_counts_do_not_grow_with_the_course(
    alice_client, alice, course, django_assert_num_queries
):
    # As a coordinator's edit does: this process's copies are stale.
    Course.objects.all().new_version()
    Cohort.objects.all().new_version()
    with django_assert_num_queries(DASHBOARD_QUERIES + STRUCTURE_QUERIES + TIMETABLE_QUERIES):
        alice_client.get("/")
    for round_ in range(2):
        with django_assert_num_queries(DASHBOARD_QUERIES):
            alice_client.get("/")
        lesson_url = (
            "/sessions/3/extra-0/" if round_ else "/sessions/3/a-personal-story-of-recovery/"
        )
        first_view = FIRST_VIEW_QUERIES if round_ == 0 else 0
        with django_assert_num_queries(SESSION_QUERIES + first_view):
            alice_client.get("/sessions/3/")
        with django_assert_num_queries(SESSION_QUERIES):
            alice_client.get("/sessions/3/")
        with django_assert_num_queries(LESSON_QUERIES + FIRST_VIEW_QUERIES):
            alice_client.get(lesson_url)
        with django_assert_num_queries(LESSON_QUERIES):
            alice_client.get(lesson_url)
        if round_ == 0:
            # Second round: five more lessons, prompts and files in every
            # session, and every session completed.
            add_lessons(course, 5, alice)
            for session in Session.objects.all():
                SessionCompletion.objects.create(learner=alice, session=session)
            # The new lessons made the copy of the course stale: read once more.
            with django_assert_num_queries(DASHBOARD_QUERIES + STRUCTURE_QUERIES):
                alice_client.get("/")
    assert alice_client.get("/").context["progress"].completed_count == 11


@pytest.mark.parametrize("url", LEARNER_URLS)
def test_a_learner_in_no_cohort_is_told_kindly_whom_to_contact(
    client, course, charlie, url, settings
):
    settings.COURSE_CONTACT_EMAIL = "courses@example.org"
    client.force_login(charlie)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "You are not in a course group yet" in html
    assert "mailto:courses@example.org" in html
    assert "When I was 26" not in html and "Aim of this session" not in html


def test_a_deactivated_account_is_logged_out_at_its_next_page(alice_client, alice):
    assert alice_client.get("/").status_code == 200
    alice.is_active = False
    alice.save()
    response = alice_client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
