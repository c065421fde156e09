"""A learner's data: download everything, see who read it, ask for erasure."""

import io
import json
import zipfile

import pytest

from assessments import services as assessment
from assessments.models import (
    Criterion,
    CriterionModeration,
    CriterionResult,
    Moderation,
    PassageComment,
    Review,
    Submission,
)
from calendars.models import CalendarFeed
from privacy.models import AccessRecord, ErasureRequest
from reflections.models import Reflection, ReflectionPrompt
from reminders.models import Preferences, Unsubscription
from tests.essays import PDF_BYTES, submitted_essay, upload
from tests.helpers import log_in

pytestmark = pytest.mark.django_db


def judged(essay, comment_prefix):
    """Every criterion of the essay's assignment met, each with a comment."""
    return {
        criterion.pk: assessment.Judgement("met", f"{comment_prefix}-{criterion.order}")
        for criterion in Criterion.objects.filter(assignment_id=essay.assignment_id)
    }


@pytest.fixture
def alices_work(alice, bob, cohort, tutor, other_tutor, coordinator):
    prompt = ReflectionPrompt.objects.filter(lesson__isnull=False).first()
    Reflection.objects.create(
        learner=alice, prompt=prompt, text="ALICE-REFLECTION 🌱", shared_with_tutor=True
    )
    Reflection.objects.create(learner=bob, prompt=prompt, text="BOB-REFLECTION")
    essay = submitted_essay(alice)
    Submission.objects.filter(pk=essay.pk).update(text="ALICE-ESSAY")
    review = assessment.save_review(
        essay,
        tutor,
        "pass",
        "ALICE-FEEDBACK",
        None,
        0,
        judgements=judged(essay, "ALICE-CRITERION"),
        passage_comments=[
            assessment.PassageDraft(passage="word7 word8", comment="ALICE-PASSAGE-2\nline two"),
            assessment.PassageDraft(passage="word3 word4", comment="ALICE-PASSAGE-1 <b>x</b>"),
        ],
    )
    # A second tutor checks it, and says why they see one criterion differently.
    assessment.request_moderation([review], coordinator)
    first_result = review.criterion_results.order_by("order").first()
    assessment.moderate(
        review.moderation,
        other_tutor,
        True,
        "ALICE-MODERATION",
        {first_result.pk: (False, "ALICE-MODERATOR")},
    )
    assessment.release(review, tutor)
    return essay


def download(client):
    response = client.get("/account/data/")
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    return zipfile.ZipFile(io.BytesIO(response.content))


def test_the_download_holds_everything_about_me_and_nothing_of_anyone_else(
    alice_client, alice, alices_work
):
    archive = download(alice_client)
    names = set(archive.namelist())
    assert {
        "account.json",
        "reflections.json",
        "journal.md",
        "essays.json",
        "who-read-my-work.json",
    } <= names
    everything = b"".join(archive.read(name) for name in names).decode()
    for mine in [
        "ALICE-REFLECTION 🌱",
        "ALICE-ESSAY",
        "ALICE-FEEDBACK",
        "alice@example.org",
        "Spring",
    ]:
        assert mine in everything
    assert "BOB-REFLECTION" not in everything and "bob@example.org" not in everything
    account = json.loads(archive.read("account.json"))
    assert account["enrolments"][0]["cohort"] == "Spring"
    essays = json.loads(archive.read("essays.json"))
    assert essays[0]["outcome"] == "pass"


def test_the_download_holds_each_criterions_result_and_the_comments_on_passages(
    alice_client, alice, alices_work
):
    archive = download(alice_client)
    [essay] = json.loads(archive.read("essays.json"))
    criteria = list(Criterion.objects.filter(assignment__number=1).order_by("order", "pk"))
    assert essay["criteria"] == [
        {"criterion": c.text, "result": "Met", "comment": f"ALICE-CRITERION-{c.order}"}
        for c in criteria
    ]
    # Numbered in the essay's order, as the learner's page numbers them.
    plain = "word0 word1 word2 word3 word4 word5 word6 word7 word8"
    assert essay["passage_comments"] == [
        {
            "number": 1,
            "passage": "word3 word4",
            "comment": "ALICE-PASSAGE-1 <b>x</b>",
            "start": plain.index("word3"),
            "end": plain.index("word5") - 1,
        },
        {
            "number": 2,
            "passage": "word7 word8",
            "comment": "ALICE-PASSAGE-2\nline two",
            "start": plain.index("word7"),
            "end": len(plain),
        },
    ]
    # And as Markdown to read, beside the feedback.
    stem = "essays/assignment-1-attempt-1"
    assert archive.read(f"{stem}-feedback.md").decode() == "ALICE-FEEDBACK"
    readable = archive.read(f"{stem}-criteria-and-comments.md").decode()
    assert f"- **Met**: {criteria[0].text}\n  ALICE-CRITERION-{criteria[0].order}\n" in readable
    assert "### Comment 1 (characters 18 to 29 of your essay)\n\n> word3 word4\n\n" in readable
    assert "ALICE-PASSAGE-1 <b>x</b>" in readable
    assert readable.index("ALICE-PASSAGE-1") < readable.index("ALICE-PASSAGE-2\nline two")


def test_unreleased_feedback_is_not_in_the_download(alice_client, alice, cohort, tutor):
    essay = submitted_essay(alice)
    assessment.save_review(
        essay,
        tutor,
        "pass",
        "NOT-YET-RELEASED",
        None,
        0,
        judgements=judged(essay, "DRAFT-CRITERION"),
        passage_comments=[assessment.PassageDraft(passage="word3", comment="DRAFT-PASSAGE")],
    )
    archive = download(alice_client)
    everything = b"".join(archive.read(n) for n in archive.namelist())
    for draft in [b"NOT-YET-RELEASED", b"DRAFT-CRITERION", b"DRAFT-PASSAGE"]:
        assert draft not in everything
    [essay] = json.loads(archive.read("essays.json"))
    assert (essay["criteria"], essay["passage_comments"]) == ([], [])
    assert not [n for n in archive.namelist() if n.endswith("-criteria-and-comments.md")]


def test_the_download_includes_my_attached_file(alice_client, alice, cohort):
    alice_client.post("/assignments/1/attachment/", {"file": upload("mine.pdf", PDF_BYTES)})
    names = download(alice_client).namelist()
    assert "essays/assignment-1-attempt-1-mine.pdf" in names


def test_opening_an_essay_or_a_shared_answer_is_recorded_and_shown_to_the_learner(
    client, alice, tutor, alices_work
):
    client.force_login(tutor)
    client.get(f"/admin/assessments/submission/{alices_work.pk}/change/")
    reflection = Reflection.objects.get(learner=alice)
    client.get(f"/admin/reflections/reflection/{reflection.pk}/change/")
    kinds = sorted(
        AccessRecord.objects.filter(learner=alice, viewer=tutor).values_list("kind", flat=True)
    )
    assert kinds == ["essay", "reflection"]
    client.force_login(alice)
    page = client.get("/account/").content.decode()
    assert "Tina" in page and "Essay" in page and "Shared reflection" in page


def test_asking_for_erasure_then_a_coordinator_confirms(
    client, alice, coordinator, alices_work, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    response = client.post("/account/erasure/", {}, follow=True)
    assert "Please tick the box" in response.content.decode()
    client.post("/account/erasure/", {"confirm": "yes"})
    client.post("/account/erasure/", {"confirm": "yes"})  # twice is one request
    erasure = ErasureRequest.objects.get(learner=alice)
    assert Reflection.objects.filter(learner=alice).exists()  # nothing gone yet
    feed = alice_calendar_and_email_choices(client)

    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/privacy/erasurerequest/",
            {"action": "erase_accounts", "_selected_action": [erasure.pk]},
        )
    alice.refresh_from_db()
    assert (alice.username, alice.email, alice.first_name, alice.is_active) == (
        f"erased-{alice.pk}",
        "",
        "",
        False,
    )
    assert not Reflection.objects.filter(learner=alice).exists()
    assert not alice.session_completions.exists()
    # What the assessment record keeps: the outcome and dates, without the words.
    essay = Submission.objects.get(learner=alice)
    assert (essay.status, essay.text, essay.word_count) == ("passed", "", 1600)
    assert Review.objects.get(submission=essay).feedback == ""
    # Each criterion's judgement is part of the outcome; the words about the
    # essay go, and the passages quoted from it.
    results = CriterionResult.objects.filter(review__submission=essay)
    assert {(r.judgement, r.comment) for r in results} == {("met", "")}
    assert {(c.passage, c.comment) for c in PassageComment.objects.all()} == {("", "")}
    assert PassageComment.objects.count() == 2
    assert [m.comment for m in CriterionModeration.objects.all()] == [""]
    assert [m.comment for m in Moderation.objects.all()] == [""]
    assert Reflection.objects.filter(text="BOB-REFLECTION").exists()
    # Her calendar address stops at once; her email choices are gone.
    assert client.get(f"/calendar/{feed.token}.ics").status_code == 404
    for model in (CalendarFeed, Preferences, Unsubscription):
        assert not model.objects.filter(user=alice).exists()
    client.logout()
    assert not log_in(client, "alice")


def alice_calendar_and_email_choices(client):
    """Alice's calendar address (made when she opens her account page), and
    her email choices, with one turned off."""
    client.get("/account/")
    Preferences.objects.create(user_id=client.session["_auth_user_id"], session_tomorrow=True)
    Unsubscription.objects.create(
        user_id=client.session["_auth_user_id"], kind="feedback_released", how="account"
    )
    return CalendarFeed.objects.get(user_id=client.session["_auth_user_id"])


def test_the_download_holds_my_email_choices_and_not_my_calendar_address(alice_client, alice):
    feed = alice_calendar_and_email_choices(alice_client)
    with download(alice_client) as archive:
        everything = "".join(archive.read(name).decode("utf-8") for name in archive.namelist())
        account = json.loads(archive.read("account.json"))
    assert account["email_preferences"] == {
        "session_tomorrow": True, "deadline_soon": False, "feedback_released": True,
    }  # fmt: skip
    assert [u["kind"] for u in account["emails_turned_off"]] == ["feedback_released"]
    assert len(account["calendar_address"]) == 1
    assert feed.token not in everything


def test_full_retention_keeps_the_essay_anonymised(
    client, alice, coordinator, alices_work, settings
):
    settings.ASSESSMENT_RETENTION = "full"
    from privacy.services import erase, request_erasure

    erase(request_erasure(alice), coordinator)
    assert Submission.objects.get(learner=alice).text == "ALICE-ESSAY"
    assert PassageComment.objects.filter(comment="ALICE-PASSAGE-1 <b>x</b>").exists()
    assert CriterionResult.objects.filter(comment="ALICE-CRITERION-1").exists()
    assert CriterionModeration.objects.get().comment == "ALICE-MODERATOR"
    assert not Reflection.objects.filter(learner=alice).exists()


def test_tutors_cannot_erase_and_learners_cannot_see_requests(client, tutor, alice, cohort):
    client.force_login(tutor)
    assert client.get("/admin/privacy/erasurerequest/").status_code == 403
    client.force_login(alice)
    assert client.get("/admin/privacy/erasurerequest/").status_code == 302


def test_account_pages_need_a_login(client):
    for url in ["/account/", "/account/data/"]:
        assert "/accounts/login/" in client.get(url)["Location"]


def test_the_download_lists_the_emails_sent_to_me_and_erasure_removes_them(
    client, alice, bob, coordinator, alices_work
):
    from outbox.models import Email
    from privacy.services import erase, request_erasure

    submitted_essay(bob)  # Bob's receipt is his alone
    client.force_login(alice)
    emails = json.loads(download(client).read("emails.json"))
    assert [e["what"] for e in emails] == [
        "Receipt for assignment 1, attempt 1",
        "Feedback ready (attempt 1)",
    ]
    erase(request_erasure(alice), coordinator)
    assert not Email.objects.filter(recipient=alice).exists()
    assert Email.objects.filter(recipient=bob).count() == 1
