"""A learner's data: download everything, see who read it, ask for erasure."""

import io
import json
import zipfile

import pytest

from assessments import services as assessment
from assessments.models import Review, Submission
from privacy.models import AccessRecord, ErasureRequest
from reflections.models import Reflection, ReflectionPrompt
from tests.essays import PDF_BYTES, submitted_essay, upload
from tests.helpers import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def alices_work(alice, bob, cohort, tutor):
    prompt = ReflectionPrompt.objects.filter(lesson__isnull=False).first()
    Reflection.objects.create(
        learner=alice, prompt=prompt, text="ALICE-REFLECTION 🌱", shared_with_tutor=True
    )
    Reflection.objects.create(learner=bob, prompt=prompt, text="BOB-REFLECTION")
    essay = submitted_essay(alice)
    Submission.objects.filter(pk=essay.pk).update(text="ALICE-ESSAY")
    review = assessment.save_review(essay, tutor, "pass", "ALICE-FEEDBACK", None, 0)
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


def test_unreleased_feedback_is_not_in_the_download(alice_client, alice, cohort, tutor):
    essay = submitted_essay(alice)
    assessment.save_review(essay, tutor, "pass", "NOT-YET-RELEASED", None, 0)
    everything = b"".join(download(alice_client).read(n) for n in download(alice_client).namelist())
    assert b"NOT-YET-RELEASED" not in everything


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
    assert Reflection.objects.filter(text="BOB-REFLECTION").exists()
    client.logout()
    assert not log_in(client, "alice")


def test_full_retention_keeps_the_essay_anonymised(
    client, alice, coordinator, alices_work, settings
):
    settings.ASSESSMENT_RETENTION = "full"
    from privacy.services import erase, request_erasure

    erase(request_erasure(alice), coordinator)
    assert Submission.objects.get(learner=alice).text == "ALICE-ESSAY"
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
