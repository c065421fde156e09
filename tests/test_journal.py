"""The private reflective journal, through HTTP."""

import pytest
from django.utils import timezone

from reflections.models import MAX_REFLECTION_CHARS, Reflection, ReflectionPrompt
from sessions.models import Lesson
from tests.helpers import ACCESS_QUERIES, SESSION_REFRESH_QUERIES, make_cohort, make_user

pytestmark = pytest.mark.django_db

FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


@pytest.fixture
def story_prompt(course):
    return ReflectionPrompt.objects.get(lesson__slug="a-personal-story-of-recovery", order=1)


def answer_url(prompt):
    return f"/journal/prompts/{prompt.pk}/"


def test_a_plain_form_post_saves_without_javascript(alice_client, alice, story_prompt):
    response = alice_client.post(answer_url(story_prompt), {"text": "It moved me."})
    assert response.status_code == 302
    assert response["Location"] == (
        f"/sessions/3/a-personal-story-of-recovery/#prompt-{story_prompt.pk}"
    )
    reflection = Reflection.objects.get(learner=alice, prompt=story_prompt)
    assert reflection.text == "It moved me."
    assert reflection.shared_with_tutor is False  # private by default
    page = alice_client.get("/sessions/3/a-personal-story-of-recovery/").content.decode()
    assert "It moved me.</textarea>" in page
    assert "Your answer was saved at" in page


def test_autosave_answers_json_and_is_idempotent_last_write_wins(alice_client, alice, story_prompt):
    for text in ["First draft", "Second draft", "Second draft"]:
        response = alice_client.post(answer_url(story_prompt), {"text": text}, **FETCH)
        assert response.status_code == 200
        data = response.json()
        assert data["saved"] is True and data["length"] == len(text)
    assert Reflection.objects.filter(learner=alice).count() == 1
    assert Reflection.objects.get(learner=alice).text == "Second draft"
    assert response["Cache-Control"].startswith("max-age=0")


def test_long_text_in_any_script_is_kept_exactly(alice_client, alice, story_prompt):
    piece = "Recovery 🌱 восстановление 回復 التعافي मन — “quotes” \n\n  indented\t"
    text = (piece * (50_000 // len(piece) + 1))[:50_000]
    response = alice_client.post(answer_url(story_prompt), {"text": text}, **FETCH)
    assert response.status_code == 200
    assert Reflection.objects.get(learner=alice).text == text


def test_too_long_text_is_refused_with_a_clear_message_and_nothing_lost(
    alice_client, alice, story_prompt
):
    alice_client.post(answer_url(story_prompt), {"text": "Kept"}, **FETCH)
    text = "x" * (MAX_REFLECTION_CHARS + 1)
    response = alice_client.post(answer_url(story_prompt), {"text": text}, **FETCH)
    assert response.status_code == 400
    assert "Your text is still in the box" in response.json()["errors"][0]
    assert Reflection.objects.get(learner=alice).text == "Kept"
    # Without JavaScript the same message comes on a page with the text in a box.
    response = alice_client.post(answer_url(story_prompt), {"text": text})
    assert response.status_code == 400
    assert f">{text}</textarea>" in response.content.decode()


def test_a_nul_byte_is_refused_kindly(alice_client, alice, story_prompt):
    response = alice_client.post(answer_url(story_prompt), {"text": "a\x00b"}, **FETCH)
    assert response.status_code == 400
    assert "Null characters are not allowed" in response.json()["errors"][0]
    assert not Reflection.objects.exists()


def test_sharing_can_be_switched_on_and_off(alice_client, alice, story_prompt):
    alice_client.post(answer_url(story_prompt), {"text": "x", "shared_with_tutor": "on"}, **FETCH)
    assert Reflection.objects.get(learner=alice).shared_with_tutor is True
    alice_client.post(answer_url(story_prompt), {"text": "x"}, **FETCH)
    assert Reflection.objects.get(learner=alice).shared_with_tutor is False


def test_answering_needs_a_login(client, story_prompt):
    response = client.post(answer_url(story_prompt), {"text": "x"}, **FETCH)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Reflection.objects.exists()


def test_an_unopened_sessions_prompt_cannot_be_answered(client, course, charlie, story_prompt):
    make_cohort(course, "Later", start=timezone.localdate(), learners=[charlie])
    client.force_login(charlie)
    response = client.post(answer_url(story_prompt), {"text": "early"}, **FETCH)
    assert response.status_code == 404


def test_staff_previews_do_not_save(client, tutor, story_prompt):
    client.force_login(tutor)
    assert client.post(answer_url(story_prompt), {"text": "x"}, **FETCH).status_code == 404
    page = client.get("/sessions/3/a-personal-story-of-recovery/").content.decode()
    assert "<textarea" not in page


def write(learner, prompt, text, shared=False):
    return Reflection.objects.create(
        learner=learner, prompt=prompt, text=text, shared_with_tutor=shared
    )


def test_journal_groups_answers_by_session_in_course_order(alice_client, alice, course):
    s10 = ReflectionPrompt.objects.filter(session__number=10, lesson=None).first()
    s1 = ReflectionPrompt.objects.filter(session__number=1, lesson=None).first()
    story = ReflectionPrompt.objects.filter(lesson__isnull=False).first()
    write(alice, s10, "Ten")
    write(alice, story, "Story", shared=True)
    write(alice, s1, "One")
    write(alice, ReflectionPrompt.objects.filter(session__number=2).first(), "")  # cleared
    response = alice_client.get("/journal/")
    sessions = response.context["sessions"]
    assert [session.number for session, _ in sessions] == [1, 3, 10]
    html = response.content.decode()
    assert html.index("One") < html.index("Story") < html.index("Ten")
    assert "Shared with your tutor" in html and "Private" in html
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


def test_journal_export_holds_every_answer_and_nothing_of_anyone_else(
    alice_client, alice, bob, course
):
    prompts = list(ReflectionPrompt.objects.all()[:5])
    for index, prompt in enumerate(prompts):
        write(alice, prompt, f"Alice answer {index} 🌱")
        write(bob, prompt, f"Bob secret {index}")
    response = alice_client.get("/journal/export/")
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="my-journal-')
    text = response.content.decode()
    for index in range(5):
        assert f"Alice answer {index} 🌱" in text
    assert "Bob secret" not in text
    assert text.startswith("# My reflective journal")


def test_deleting_an_answer_asks_first(alice_client, alice, story_prompt):
    reflection = write(alice, story_prompt, "Goodbye")
    page = alice_client.get(f"/journal/{reflection.pk}/delete/")
    assert b"Delete this answer?" in page.content
    assert Reflection.objects.filter(pk=reflection.pk).exists()
    response = alice_client.post(f"/journal/{reflection.pk}/delete/")
    assert response["Location"] == "/journal/"
    assert not Reflection.objects.filter(pk=reflection.pk).exists()


# ---------------------------------------------------------------- privacy


@pytest.fixture
def alices_answer(alice, story_prompt, cohort):
    return write(alice, story_prompt, "ALICE-PRIVATE-WORDS")


def test_another_learner_never_sees_my_answer(client, bob, charlie, other_cohort, alices_answer):
    for person in (bob, charlie):
        client.force_login(person)
        for url in [
            "/journal/",
            "/journal/export/",
            "/sessions/3/a-personal-story-of-recovery/",
            "/sessions/3/",
        ]:
            assert b"ALICE-PRIVATE-WORDS" not in client.get(url).content, (person, url)
        assert client.get(f"/journal/{alices_answer.pk}/delete/").status_code == 404
        assert client.post(f"/journal/{alices_answer.pk}/delete/").status_code == 404
    assert Reflection.objects.filter(pk=alices_answer.pk).exists()


ADMIN_LIST = "/admin/reflections/reflection/"


def admin_sees(client, user, reflection):
    client.force_login(user)
    listing = client.get(ADMIN_LIST)
    search = client.get(ADMIN_LIST, {"q": "alice"})
    detail = client.get(f"{ADMIN_LIST}{reflection.pk}/change/")
    return (
        listing.status_code,
        b"ALICE-PRIVATE-WORDS" in detail.content,
        (f'href="{ADMIN_LIST}{reflection.pk}/change/'.encode() in listing.content + search.content),
        detail.status_code,
    )


def test_tutor_sees_an_answer_only_once_it_is_shared(client, tutor, alices_answer):
    assert admin_sees(client, tutor, alices_answer) == (200, False, False, 404)
    alices_answer.shared_with_tutor = True
    alices_answer.save()
    assert admin_sees(client, tutor, alices_answer) == (200, True, True, 200)
    alices_answer.shared_with_tutor = False
    alices_answer.save()
    assert admin_sees(client, tutor, alices_answer) == (200, False, False, 404)


def test_another_cohorts_tutor_never_sees_it(client, other_tutor, other_cohort, alices_answer):
    alices_answer.shared_with_tutor = True
    alices_answer.save()
    assert admin_sees(client, other_tutor, alices_answer) == (200, False, False, 404)


def test_coordinators_never_read_reflections(client, coordinator, alices_answer):
    alices_answer.shared_with_tutor = True
    alices_answer.save()
    status, text_seen, listed, detail = admin_sees(client, coordinator, alices_answer)
    assert (status, text_seen, listed, detail) == (403, False, False, 403)


def test_even_a_superuser_does_not_see_unshared_answers(client, alices_answer):
    admin = make_user("root", is_superuser=True)
    admin.is_staff = True
    admin.save()
    assert admin_sees(client, admin, alices_answer) == (200, False, False, 404)


def test_the_progress_report_counts_answers_without_showing_them(
    coordinator_client, cohort, alices_answer
):
    for url in ["progress/", "progress.csv"]:
        response = coordinator_client.get(f"/admin/courses/cohort/{cohort.pk}/{url}")
        assert b"ALICE-PRIVATE-WORDS" not in response.content
    report = coordinator_client.get(f"/admin/courses/cohort/{cohort.pk}/progress/").context[
        "report"
    ]
    counts = {row.enrolment.learner.username: row.reflections_written for row in report.rows}
    assert counts == {"alice": 1, "bob": 0}


def test_journal_query_count_does_not_grow_with_answers(
    alice_client, alice, course, django_assert_num_queries
):
    prompts = list(ReflectionPrompt.objects.all())
    write(alice, prompts[0], "one")
    alice_client.get("/journal/")  # this process's copy of the course is current
    # access, my answers (1), and the session's refresh
    with django_assert_num_queries(ACCESS_QUERIES + 1 + SESSION_REFRESH_QUERIES):
        alice_client.get("/journal/")
    for prompt in prompts[1:]:
        write(alice, prompt, "more")
    with django_assert_num_queries(ACCESS_QUERIES + 1 + SESSION_REFRESH_QUERIES):
        response = alice_client.get("/journal/")
    assert sum(len(answers) for _, answers in response.context["sessions"]) == len(prompts)
    assert Lesson.objects.count() == 1
