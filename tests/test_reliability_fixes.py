"""Bugs found by trying the app as a tutor and a coordinator would, each
shown fixed from the outside."""

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

from assessments import services
from assessments.models import Moderation, Review
from courses.models import Cohort, Enrolment
from sessions.models import Session
from tests.essays import submitted_essay
from tests.helpers import edit, inline_management, make_cohort
from tests.marking import mark

pytestmark = pytest.mark.django_db


def review_url(essay):
    return f"/admin/assessments/submission/{essay.pk}/change/"


def test_a_draft_refers_date_survives_reopening_the_review(client, tutor, alice, cohort):
    essay = submitted_essay(alice)
    client.force_login(tutor)
    client.post(
        review_url(essay),
        {"outcome": "refer", "feedback": "Add more.", "resubmit_by": "2027-01-15",
         "base_version": 0, "_save": "1"},
    )  # fmt: skip
    html = client.get(review_url(essay)).content.decode()
    # A date input takes ISO dates only: "15/01/2027" is shown as empty.
    assert 'type="date" name="resubmit_by" value="2027-01-15"' in html


def test_an_error_on_release_is_shown_at_the_top_and_keeps_the_feedback(
    client, tutor, alice, cohort
):
    essay = submitted_essay(alice)
    client.force_login(tutor)
    response = client.post(
        review_url(essay),
        {"outcome": "refer", "feedback": "KEEP THESE WORDS", "resubmit_by": "",
         "base_version": 0, "_release": "1"},
    )  # fmt: skip
    html = response.content.decode()
    top = html[html.index('id="content-main"') :][:1500]
    assert 'class="errornote"' in top
    assert 'href="#id_resubmit_by"' in top and "needs a date" in top
    assert "KEEP THESE WORDS</textarea>" in html


@pytest.mark.parametrize("old_requires, new_requires", [(False, True), (True, False)])
def test_moderation_follows_the_cohort_a_learner_is_in_now(
    client, course, tutor, alice, old_requires, new_requires
):
    """On PostgreSQL, NULLs sort last: the old rule judged a learner who had
    moved by the cohort they left."""
    old = make_cohort(course, "Old", tutors=[tutor], learners=[alice])
    Enrolment.objects.filter(learner=alice).update(withdrawn_at="2026-01-01T00:00Z")
    new = make_cohort(course, "New", tutors=[tutor], learners=[alice])
    Cohort.objects.filter(pk=old.pk).update(requires_moderation=old_requires)
    Cohort.objects.filter(pk=new.pk).update(requires_moderation=new_requires)
    assert Cohort.objects.current_for(alice).get() == new
    essay = submitted_essay(alice)
    review = mark(essay, tutor, "pass", "Good.")
    Moderation.objects.create(review=review)
    if new_requires:
        with pytest.raises(services.AssessmentError, match="moderation sample"):
            services.release(review, tutor)
        assert not Review.objects.get(pk=review.pk).is_released
    else:
        services.release(review, tutor)
        assert Review.objects.get(pk=review.pk).is_released


def test_a_learner_who_left_every_cohort_belongs_to_the_one_left_last(course, alice):
    first = make_cohort(course, "First", learners=[alice])
    Enrolment.objects.filter(cohort=first).update(withdrawn_at="2026-01-01T00:00Z")
    second = make_cohort(course, "Second", learners=[alice])
    Enrolment.objects.filter(cohort=second).update(withdrawn_at="2026-03-01T00:00Z")
    assert list(Cohort.objects.current_for(alice)) == [second]
    assert Enrolment.objects.current().filter(learner=alice).get().cohort == second


def test_coordinators_can_switch_on_requires_moderation(coordinator_client, course, tutor):
    assert 'name="requires_moderation"' in (
        coordinator_client.get("/admin/courses/cohort/add/").content.decode()
    )
    response = coordinator_client.post(
        "/admin/courses/cohort/add/",
        {
            "course": course.pk,
            "name": "Moderated",
            "start_date": "2027-06-07",
            "contact_email": "",
            "tutors": [tutor.pk],
            "requires_moderation": "on",
            **inline_management("releases", "deadlines", "enrolments"),
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert Cohort.objects.get(name="Moderated").requires_moderation is True


def test_the_tutors_preview_renders_feedback_as_it_is_stored(client, tutor, alice, cohort):
    essay = submitted_essay(alice)
    client.force_login(tutor)
    html = client.get(review_url(essay)).content.decode()
    assert 'data-markdown-profile="learner"' in html
    text = "Hello ![a picture](https://example.org/x.png) <b>raw</b>"
    learner = client.post("/admin/markdown-preview/", {"text": text, "profile": "learner"})
    content = client.post("/admin/markdown-preview/", {"text": text})
    assert "<img" not in learner.json()["html"] and "&lt;b&gt;" in learner.json()["html"]
    assert "<img" in content.json()["html"]
    stored = services.save_review(essay, tutor, "pass", text, None, 0).feedback_html
    assert learner.json()["html"] == stored


def test_the_revert_page_previews_the_version_being_restored(coordinator_client, course):
    session = Session.objects.get(number=2)
    old_aim = session.aim
    edit(session, aim="A completely NEW aim for this session.")
    old_version = session.history.order_by("history_date")[
        session.history.count() - 2
    ]  # the version before the edit
    assert old_version.aim == old_aim
    html = coordinator_client.get(
        f"/admin/course_sessions/session/{session.pk}/history/{old_version.history_id}/"
    ).content.decode()
    preview = html[html.index("Aim, as learners see it") :][:2000]
    assert "NEW aim" not in preview
    assert old_aim.split()[0] in preview


def test_the_error_page_has_no_inline_style_for_the_csp_to_block(db):
    response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "style=" not in html and "<style" not in html
    assert "css/site.css" in html and "bootstrap.min.css" in html
    assert "Nothing you have saved has been lost" in html
