"""Writing and submitting the essays, through HTTP."""

import re

import pytest
from django.core import mail
from django.utils import timezone

from assessments.models import ATTACHMENT_MAX_BYTES, Assignment, Submission, count_words
from courses.models import AssignmentDeadline, DeadlineExtension, Enrolment
from tests.essays import PDF_BYTES, docx_bytes, essay_of, odt_bytes, submitted_essay, upload
from tests.helpers import edit
from tests.tasks import worker_runs_after

pytestmark = pytest.mark.django_db
FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}
URL = "/assignments/1/"


def test_the_page_shows_the_brief_range_deadline_and_status(alice_client, cohort):
    response = alice_client.get(URL)
    html = response.content.decode()
    assignment = Assignment.objects.get(number=1)
    assert assignment.title in html
    assert "Length: 1500–2000 words." in html
    due = AssignmentDeadline.objects.get(cohort=cohort, assignment=assignment).due_on
    assert f"Due by the end of {due:%A} {due.day} {due:%B %Y}" in html
    assert response.context["state"].label == "Not started"
    assert response["Cache-Control"].startswith("max-age=0")


def test_an_extension_is_the_learners_deadline(alice_client, alice, cohort):
    extended = timezone.localdate() + timezone.timedelta(days=99)
    DeadlineExtension.objects.create(
        enrolment=Enrolment.objects.get(learner=alice),
        assignment=Assignment.objects.get(number=1),
        due_on=extended,
    )
    alice_client.post(URL + "draft/", {"text": "Begin"}, **FETCH)
    assert alice_client.get(URL).context["due_on"] == extended


def test_drafts_autosave_last_write_wins_with_the_word_count(alice_client, alice, cohort):
    for text in ["One two", "One two three four", "One two three four"]:
        response = alice_client.post(URL + "draft/", {"text": text}, **FETCH)
        assert response.status_code == 200
    assert response.json()["words"] == 4
    draft = Submission.objects.get(learner=alice)
    assert (draft.text, draft.word_count, draft.status) == ("One two three four", 4, "draft")
    assert alice_client.get(URL).context["state"].label == "Draft"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", 0),
        ("peer-led support, don't   stop", 4),
        ("## Heading\n\n- one\n- **two**\n\n> quote", 4),
        ("émotions 回復 восстановление 2026 — – -", 4),
        ("a\u200bb", 1),
    ],
)
def test_the_word_count_rule(text, words):
    assert count_words(text) == words


def test_submitting_needs_the_declaration(alice_client, alice, cohort):
    alice_client.post(URL + "draft/", {"text": essay_of(1600)}, **FETCH)
    response = alice_client.post(URL + "submit/", {}, follow=True)
    assert b"Please confirm that the essay is your own work." in response.content
    assert Submission.objects.get(learner=alice).status == "draft"


def test_an_empty_essay_cannot_be_submitted(alice_client, alice, cohort):
    response = alice_client.post(URL + "submit/", {"declaration": "on"}, follow=True)
    assert "Your essay is empty" in response.content.decode()


def test_outside_the_word_range_warns_and_submits_once_confirmed(alice_client, alice, cohort):
    alice_client.post(URL + "draft/", {"text": essay_of(900)}, **FETCH)
    response = alice_client.post(URL + "submit/", {"declaration": "on"}, follow=True)
    assert "Your essay has 900 words; the assignment asks for at least 1,500." in (
        response.content.decode()
    )
    assert Submission.objects.get(learner=alice).status == "draft"
    alice_client.post(URL + "submit/", {"declaration": "on", "outside_range_ok": "on"})
    assert Submission.objects.get(learner=alice).status == "submitted"


def test_a_coordinator_can_make_the_word_range_block(alice_client, alice, cohort):
    edit(Assignment.objects.get(number=1), word_range_blocks=True)
    alice_client.post(URL + "draft/", {"text": essay_of(2500)}, **FETCH)
    response = alice_client.post(
        URL + "submit/", {"declaration": "on", "outside_range_ok": "on"}, follow=True
    )
    assert "at most 2,000. Please change it before submitting." in response.content.decode()
    assert Submission.objects.get(learner=alice).status == "draft"


def test_after_the_deadline_it_is_accepted_and_marked_late(alice_client, alice, cohort):
    for deadline in AssignmentDeadline.objects.filter(cohort=cohort):
        edit(deadline, due_on=timezone.localdate() - timezone.timedelta(days=1))
    alice_client.post(URL + "draft/", {"text": essay_of(1600)}, **FETCH)
    with worker_runs_after():
        alice_client.post(URL + "submit/", {"declaration": "on"})
    submission = Submission.objects.get(learner=alice)
    assert submission.status == "submitted" and submission.is_late
    assert "marked as late" in mail.outbox[0].body


def test_a_hard_deadline_refuses_late_work(alice_client, alice, cohort):
    edit(Assignment.objects.get(number=1), hard_deadline=True)
    for deadline in AssignmentDeadline.objects.filter(cohort=cohort):
        edit(deadline, due_on=timezone.localdate() - timezone.timedelta(days=1))
    alice_client.post(URL + "draft/", {"text": essay_of(1600)}, **FETCH)
    response = alice_client.post(URL + "submit/", {"declaration": "on"}, follow=True)
    assert "does not accept late work" in response.content.decode()
    assert Submission.objects.get(learner=alice).status == "draft"


def test_submitting_sends_a_receipt_without_the_essay(alice_client, alice, cohort):
    alice_client.post(URL + "draft/", {"text": "SECRET-ESSAY-WORDS " + essay_of(1600)}, **FETCH)
    with worker_runs_after():
        response = alice_client.post(URL + "submit/", {"declaration": "on"}, follow=True)
    assert "Your essay was submitted on" in response.content.decode()
    assert len(mail.outbox) == 1
    receipt = mail.outbox[0]
    assert receipt.to == ["alice@example.org"]
    assert "Words: 1601" in receipt.body
    assert "SECRET-ESSAY-WORDS" not in receipt.body + receipt.subject
    page = alice_client.get(URL)
    assert page.context["state"].label == "Submitted, waiting for feedback"
    assert "What you submitted" in page.content.decode()


def test_a_submitted_attempt_can_never_change(alice_client, alice, cohort):
    submission = submitted_essay(alice)
    before = (submission.text, submission.attachment.name, submission.submitted_at)
    response = alice_client.post(URL + "draft/", {"text": "rewritten"}, **FETCH)
    assert response.status_code == 409
    assert "can no longer be changed" in response.json()["errors"][0]
    alice_client.post(URL + "draft/", {"text": "rewritten"})
    alice_client.post(URL + "attachment/", {"file": upload("e.pdf", PDF_BYTES)})
    alice_client.post(URL + "attachment/", {"action": "remove"})
    alice_client.post(URL + "submit/", {"declaration": "on", "outside_range_ok": "on"})
    submission.refresh_from_db()
    assert (submission.text, submission.attachment.name, submission.submitted_at) == before
    assert Submission.objects.filter(learner=alice).count() == 1


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("essay.pdf", PDF_BYTES, "application/pdf"),
        (
            "essay.docx",
            docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("essay.odt", odt_bytes(), "application/vnd.oasis.opendocument.text"),
        # The name lies; the content decides.
        ("my essay.txt", PDF_BYTES, "application/pdf"),
    ],
)
def test_pdf_docx_and_odt_attach_and_download(
    alice_client, alice, cohort, name, data, content_type
):
    response = alice_client.post(URL + "attachment/", {"file": upload(name, data)}, follow=True)
    assert "is attached to your draft" in response.content.decode()
    draft = Submission.objects.get(learner=alice)
    assert draft.attachment_type == content_type
    # Stored under a random name, never the learner's.
    assert re.fullmatch(r"essays/[0-9a-f]{32}\.(pdf|docx|odt)", draft.attachment.name)
    download = alice_client.get(URL + "attempts/1/file/")
    assert download["Content-Type"] == content_type
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == data


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("essay.pdf", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("essay.pdf", b"<!doctype html><script>alert(1)</script>"),
        ("essay.docx", b"PK\x03\x04 not really a zip"),
        ("essay.pdf.exe", b"MZ\x90\x00"),
        ("../../etc/passwd.pdf", b"root:x:0:0"),
    ],
)
def test_files_that_are_not_what_they_claim_are_refused(alice_client, alice, cohort, name, data):
    response = alice_client.post(URL + "attachment/", {"file": upload(name, data)}, follow=True)
    assert "is not a PDF, Word (.docx) or OpenDocument (.odt) document" in (
        response.content.decode()
    )
    assert not Submission.objects.filter(learner=alice).exclude(attachment="").exists()


def test_a_file_over_the_limit_is_refused(alice_client, alice, cohort):
    big = PDF_BYTES + b"0" * ATTACHMENT_MAX_BYTES
    response = alice_client.post(URL + "attachment/", {"file": upload("big.pdf", big)}, follow=True)
    assert "the most you can attach is 10 MB" in response.content.decode()


def test_a_traversal_name_never_becomes_a_path(alice_client, alice, cohort):
    alice_client.post(URL + "attachment/", {"file": upload("../../../etc/cron.d/x.pdf", PDF_BYTES)})
    draft = Submission.objects.get(learner=alice)
    assert draft.attachment.name.startswith("essays/") and ".." not in draft.attachment.name
    assert draft.attachment_name == "x.pdf"


def test_another_learner_cannot_reach_my_file(client, alice, bob, cohort):
    client.force_login(alice)
    client.post(URL + "attachment/", {"file": upload("mine.pdf", PDF_BYTES)})
    client.force_login(bob)
    assert client.get(URL + "attempts/1/file/").status_code == 404
    assert b"mine.pdf" not in client.get(URL).content


def test_assignment_urls_need_a_login(client, cohort):
    for url in [URL, URL + "attempts/1/file/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(URL + "draft/", {"text": "x"}, **FETCH)
    assert response.status_code == 302


def test_unknown_assignments_are_404(alice_client, cohort):
    assert alice_client.get("/assignments/3/").status_code == 404
