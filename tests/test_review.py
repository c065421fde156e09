"""Tutors reviewing essays in the admin: the queue, claiming, conflicts,
releasing, refer and resubmit, moderation."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import services
from assessments.models import Moderation, Review, StatusChange, Submission
from courses.models import Cohort
from tests.essays import PDF_BYTES, essay_of, submitted_essay, upload
from tests.helpers import make_user
from tests.marking import judgements_for, mark
from tests.tasks import worker_runs_after

pytestmark = pytest.mark.django_db
QUEUE = "/admin/assessments/submission/"


@pytest.fixture
def essay(alice, cohort):
    return submitted_essay(alice)


def review_url(submission):
    return f"{QUEUE}{submission.pk}/change/"


def review_post(
    outcome="", feedback="", resubmit_by="", base_version=0, release=False, judged=None
):
    """The marking page's form; with ``judged`` (an essay), every criterion
    judged to agree with the outcome, as a tutor does before releasing."""
    data = {
        "outcome": outcome,
        "feedback": feedback,
        "resubmit_by": resubmit_by,
        "base_version": base_version,
    }
    if judged is not None:
        data.update(judged_fields(judged, outcome))
    data["_release" if release else "_save"] = "1"
    return data


def judged_fields(submission, outcome) -> dict:
    """The criteria's radio buttons, judged as tests/marking.py judges them."""
    return {
        f"criterion_{pk}": judgement.judgement
        for pk, judgement in judgements_for(submission, outcome).items()
    }


def test_the_queue_lists_waiting_essays_oldest_first(client, tutor, alice, bob, cohort):
    first = submitted_essay(bob)
    second = submitted_essay(alice)
    client.force_login(tutor)
    response = client.get(QUEUE)
    # Without filters, the generic list opens the review queue
    # (tests/test_review_queue.py); with one, it is the list for bulk actions.
    assert response.status_code == 302 and response["Location"] == QUEUE + "queue/"
    response = client.get(QUEUE + "?status__exact=submitted")
    rows = list(response.context["cl"].result_list)
    assert rows == [first, second]
    html = response.content.decode()
    assert "Days waiting" in html and "Being reviewed by" in html
    assert "1600" in html


def test_queue_filters_and_search(client, tutor, alice, bob, cohort):
    submitted_essay(alice)
    submitted_essay(bob, number=2, words=2100)
    client.force_login(tutor)
    result = lambda query: list(client.get(QUEUE, query).context["cl"].result_list)  # noqa: E731
    assert [
        s.learner
        for s in result(
            {"assignment__id__exact": Submission.objects.get(learner=bob).assignment_id}
        )
    ] == [bob]
    assert [s.learner for s in result({"q": "alice"})] == [alice]
    assert len(result({"cohort": cohort.pk})) == 2
    # The cohort started 12 weeks ago: assignment 1 was due 5 weeks ago.
    assert [s.learner for s in result({"is_late__exact": "1"})] == [alice]
    assert len(result({"outcome": "none"})) == 2


def test_drafts_never_reach_the_admin(client, tutor, coordinator, alice, cohort):
    from assessments.models import Assignment

    services.start_draft(alice, Assignment.objects.get(number=1))
    services.save_draft(alice, Assignment.objects.get(number=1), "DRAFT-PRIVATE")
    draft = Submission.objects.get(learner=alice)
    for user in (tutor, coordinator):
        client.force_login(user)
        assert b"DRAFT-PRIVATE" not in client.get(QUEUE + "?status__exact=draft").content
        assert client.get(review_url(draft)).status_code == 404


def test_opening_an_essay_claims_it_and_others_see_who(client, tutor, second_tutor, essay):
    client.force_login(tutor)
    page = client.get(review_url(essay)).content.decode()
    assert "word0" in page  # the essay, rendered
    assert "You are marking this since" in page
    essay.refresh_from_db()
    assert essay.claimed_by == tutor
    client.force_login(second_tutor)
    page = client.get(review_url(essay)).content.decode()
    assert "<bdi>Tina</bdi> is marking this since" in page
    assert "please leave it to them" in page
    essay.refresh_from_db()
    assert essay.claimed_by == tutor  # not taken over
    listing = client.get(QUEUE + "?status__exact=submitted").content.decode()
    assert "Tina" in listing


def test_two_tutors_claiming_at_once_one_wins(tutor, second_tutor, essay):
    services.claim(essay, tutor)
    services.claim(essay, second_tutor)
    essay.refresh_from_db()
    assert essay.claimed_by == tutor


def test_a_second_tutors_conflicting_save_is_refused_with_both_texts_kept(
    client, tutor, second_tutor, essay
):
    client.force_login(tutor)
    client.post(review_url(essay), review_post("pass", "FIRST-TUTOR-FEEDBACK"))
    # The second tutor had opened the form before the first saved (version 0).
    client.force_login(second_tutor)
    response = client.post(
        review_url(essay), review_post("refer", "SECOND-TUTOR-FEEDBACK", "2030-01-01")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "saved feedback on this essay while you were writing yours" in html
    conflict = html[html.index("What <bdi>Tina</bdi> saved") :]
    assert "FIRST-TUTOR-FEEDBACK" in conflict
    assert "SECOND-TUTOR-FEEDBACK</textarea>" in html
    assert Review.objects.get().feedback == "FIRST-TUTOR-FEEDBACK"
    # Saving again, knowingly, replaces it.
    response = client.post(
        review_url(essay),
        review_post("refer", "SECOND-TUTOR-FEEDBACK", "2030-01-01", base_version=1),
    )
    assert response.status_code == 302
    assert Review.objects.get().feedback == "SECOND-TUTOR-FEEDBACK"


def test_unreleased_feedback_is_invisible_to_the_learner(client, tutor, alice, essay):
    client.force_login(tutor)
    client.post(review_url(essay), review_post("pass", "DRAFT FEEDBACK"))
    client.force_login(alice)
    page = client.get("/assignments/1/").content.decode()
    assert "DRAFT FEEDBACK" not in page
    assert "Waiting for your tutor’s feedback" in page


def test_the_whole_journey_refer_resubmit_pass_with_moderation(
    client, tutor, second_tutor, coordinator, alice, cohort, essay
):
    Cohort.objects.filter(pk=cohort.pk).update(requires_moderation=True)
    # The tutor refers, with feedback and a date for the next attempt.
    client.force_login(tutor)
    with worker_runs_after():
        response = client.post(
            review_url(essay),
            review_post(
                "refer",
                "Please say more about **mutuality**.",
                "2030-02-01",
                release=True,
                judged=essay,
            ),
        )
    assert response.status_code == 302
    essay.refresh_from_db()
    assert essay.status == "referred"
    feedback_mail = mail.outbox[-1]
    assert feedback_mail.subject == "Feedback on your essay is ready"
    assert "mutuality" not in feedback_mail.body and "word0" not in feedback_mail.body
    assert "http://testserver/assignments/1/" in feedback_mail.body  # the page it is about

    # The learner sees the feedback and a new attempt, starting from a copy.
    client.force_login(alice)
    page = client.get("/assignments/1/")
    html = page.content.decode()
    assert "Outcome: Refer" in html and "<strong>mutuality</strong>" in html
    assert page.context["state"].label == "Referred: new attempt due 1 February 2030"
    second = Submission.objects.get(learner=alice, attempt=2)
    assert second.text == essay.text and second.status == "draft"
    assert client.get("/").context["assignments"][0].state.code == "referred"
    client.post(
        "/assignments/1/draft/", {"text": essay.text + " mutuality"}, HTTP_X_REQUESTED_WITH="fetch"
    )
    with worker_runs_after():
        client.post("/assignments/1/submit/", {"declaration": "on"})
    second.refresh_from_db()
    assert second.status == "submitted" and second.due_on.isoformat() == "2030-02-01"

    # The tutor sees the earlier attempt and its feedback, and passes.
    client.force_login(tutor)
    page = client.get(review_url(second)).content.decode()
    assert "Attempt 1" in page and "mutuality" in page
    client.post(review_url(second), review_post("pass", "Well done.", judged=second))

    # A coordinator samples it for moderation: release waits for agreement.
    client.force_login(coordinator)
    client.post(
        QUEUE + "?status__exact=submitted",
        {"action": "sample_for_moderation", "_selected_action": [second.pk]},
    )
    moderation = Moderation.objects.get()
    client.force_login(tutor)
    response = client.post(
        review_url(second),
        review_post("pass", "Well done.", base_version=1, release=True, judged=second),
        follow=True,
    )
    assert "in the moderation sample" in response.content.decode()
    second.refresh_from_db()
    assert second.status == "submitted"
    # The reviewer cannot moderate their own review; the second tutor can.
    assert b"Record my moderation" not in client.get(review_url(second)).content
    client.force_login(second_tutor)
    client.post(
        review_url(second),
        {"_moderate": "1", "agrees": "yes", "comment": "", **agreeing(second.review)},
    )
    moderation.refresh_from_db()
    assert moderation.agrees is True and moderation.moderator == second_tutor
    assert moderation.criterion_decisions.count() == 4

    client.force_login(tutor)
    with worker_runs_after():
        client.post(
            review_url(second),
            review_post("pass", "Well done.", base_version=2, release=True, judged=second),
        )
    second.refresh_from_db()
    assert second.status == "passed"

    client.force_login(alice)
    page = client.get("/assignments/1/")
    assert page.context["state"].label == "Passed"
    assert "Outcome: Pass" in page.content.decode()

    # Every change of state is recorded: who, when, from, to.
    changes = list(
        StatusChange.objects.filter(submission__learner=alice).values_list(
            "from_status", "to_status"
        )
    )
    assert changes == [
        ("", "draft"), ("draft", "submitted"), ("submitted", "referred"),
        ("", "draft"), ("draft", "submitted"), ("submitted", "passed"),
    ]  # fmt: skip
    client.force_login(tutor)
    assert "History" in client.get(review_url(second)).content.decode()


def agreeing(review) -> dict:
    """The moderation form agreeing with every criterion's judgement."""
    return {f"result_{result.pk}": "yes" for result in review.criterion_results.all()}


def test_disagreeing_needs_a_comment(client, tutor, second_tutor, essay):
    mark(essay, tutor, "pass", "Fine")
    moderation = Moderation.objects.create(review=essay.review)
    client.force_login(second_tutor)
    response = client.post(
        review_url(essay),
        {"_moderate": "1", "agrees": "no", "comment": "", **agreeing(essay.review)},
    )
    assert "say in a comment why you disagree" in response.content.decode()
    moderation.refresh_from_db()
    assert moderation.agrees is None


def test_bulk_release(client, tutor, alice, bob, cohort):
    essays = [submitted_essay(alice), submitted_essay(bob)]
    for essay in essays:
        mark(essay, tutor, "pass", "Good work.")
    client.force_login(tutor)
    with worker_runs_after():
        client.post(
            QUEUE + "?status__exact=submitted",
            {"action": "release_feedback", "_selected_action": [e.pk for e in essays]},
        )
    assert set(Submission.objects.values_list("status", flat=True)) == {"passed"}
    ready = [m for m in mail.outbox if m.subject == "Feedback on your essay is ready"]
    assert len(ready) == 2
    assert all("http://testserver/assignments/1/" in m.body for m in ready)


def test_releasing_needs_an_outcome_and_feedback(client, tutor, essay):
    client.force_login(tutor)
    response = client.post(review_url(essay), review_post("", "", release=True))
    html = response.content.decode()
    # Saved as a draft, and what releasing still needs is beside each field.
    assert "Your feedback is saved as a draft. Before it can be released" in html
    assert "Choose Pass or Refer before releasing." in html
    assert "Write your feedback to the learner before releasing." in html
    assert 'name="base_version" value="1"' in html  # the next save starts from the draft
    response = client.post(
        review_url(essay),
        review_post("refer", "More please", base_version=1, release=True, judged=essay),
    )
    assert "A Refer needs a date" in response.content.decode()
    essay.refresh_from_db()
    assert essay.status == "submitted"


def test_another_cohorts_tutor_gets_404s(client, other_tutor, other_cohort, alice, essay):
    essay.attachment.save("x.pdf", upload("x.pdf", PDF_BYTES))
    client.force_login(other_tutor)
    assert client.get(review_url(essay)).status_code == 404
    assert client.post(review_url(essay), review_post("pass", "x")).status_code == 404
    assert client.get(f"{QUEUE}{essay.pk}/file/").status_code == 404
    listing = client.get(QUEUE + "?status__exact=submitted").content.decode()
    assert "Alice" not in listing


def test_tutors_and_coordinators_can_download_the_attachment(
    client, tutor, coordinator, alice, cohort
):
    from assessments.models import Assignment

    assignment = Assignment.objects.get(number=1)
    services.start_draft(alice, assignment)
    services.save_draft(alice, assignment, essay_of(1600))
    client.force_login(alice)
    client.post("/assignments/1/attachment/", {"file": upload("essay.pdf", PDF_BYTES)})
    submission = services.submit(alice, assignment, True, True)
    for user in (tutor, coordinator):
        client.force_login(user)
        response = client.get(f"{QUEUE}{submission.pk}/file/")
        assert response.status_code == 200
        assert response["Content-Disposition"] == 'attachment; filename="essay.pdf"'


def test_coordinators_read_but_do_not_review(client, coordinator, essay):
    client.force_login(coordinator)
    page = client.get(review_url(essay))
    assert page.status_code == 200
    assert b"Your review" not in page.content
    assert client.post(review_url(essay), review_post("pass", "x")).status_code == 403
    essay.refresh_from_db()
    assert essay.claimed_by is None


def test_admin_front_page_counts_essays_waiting(client, tutor, essay):
    client.force_login(tutor)
    assert "1 essay waiting for review." in client.get("/admin/").content.decode()


def test_the_queue_query_count_does_not_grow_with_submissions(client, tutor, course, cohort):
    from courses.models import Enrolment

    def add(count, prefix):
        for index in range(count):
            learner = make_user(f"{prefix}{index}")
            Enrolment.objects.create(cohort=cohort, learner=learner)
            submitted_essay(learner, words=10)

    add(3, "few")
    client.force_login(tutor)
    url = QUEUE + "?status__exact=submitted"
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add(300, "many")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.context["cl"].result_count == 303
    assert len(many) == len(few)
