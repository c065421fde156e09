"""Writing and submitting the essays, through HTTP."""

import re
from datetime import date

import pytest
from django.core import mail
from django.utils import timezone

from assessments import emails, services
from assessments.models import ATTACHMENT_MAX_BYTES, Assignment, Submission, count_words
from courses.models import AssignmentDeadline, DeadlineExtension, Enrolment
from tests.essays import PDF_BYTES, docx_bytes, essay_of, odt_bytes, submitted_essay, upload
from tests.helpers import ACCESS_QUERIES, SESSION_REFRESH_QUERIES, edit
from tests.marking import mark
from tests.tasks import worker_runs_after

pytestmark = pytest.mark.django_db
FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}
URL = "/assignments/1/"


def test_the_page_shows_the_brief_range_deadline_and_status(alice_client, cohort):
    response = alice_client.get(URL)
    html = response.content.decode()
    assignment = Assignment.objects.get(number=1)
    assert assignment.title in html
    assert "1,500–2,000 words" in html
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


def draft_after_a_hard_deadline(alice_client, cohort):
    """Alice's draft of assignment 1, the day after its deadline, which is hard."""
    edit(Assignment.objects.get(number=1), hard_deadline=True)
    for deadline in AssignmentDeadline.objects.filter(cohort=cohort):
        edit(deadline, due_on=timezone.localdate() - timezone.timedelta(days=1))
    alice_client.post(URL + "draft/", {"text": essay_of(1600)}, **FETCH)


def test_a_hard_deadline_refuses_late_work(alice_client, alice, cohort):
    draft_after_a_hard_deadline(alice_client, cohort)
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
    assert "is not a PDF, Word or OpenDocument document" in (response.content.decode())
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


# ---------------------------------------------------------------- writing first (issue 15)
# Without JavaScript: a refused Submit or attachment comes back to the page
# (a redirect, so a reload sends nothing again) with each problem beside its
# field and in a summary at the top linking to it, and nothing ticked undone.


def summary_links(html):
    """The error summary's links, as (field id, message)."""
    summary = html[html.index("data-error-summary") : html.index("<h1")]
    return re.findall(r'<li><a href="#([\w-]+)">([^<]*)</a></li>', summary.replace("&#x27;", "'"))


def tag(html, element_id):
    return re.search(rf'<[a-z]+[^>]* id="{element_id}"[^>]*>', html).group(0)


def test_an_essay_refused_for_its_word_range_keeps_the_tick_and_the_text(
    alice_client, alice, cohort
):
    alice_client.post(URL + "draft/", {"text": essay_of(900)}, **FETCH)
    assert 'id="outside-range"' not in alice_client.get(URL).content.decode()  # until asked for
    response = alice_client.post(URL + "submit/", {"declaration": "on", "attempt": "1"})
    assert response.status_code == 302 and response["Location"] == URL
    html = alice_client.get(URL).content.decode()
    message = (
        "Your essay has 900 words; the assignment asks for at least 1,500. "
        "Tick the box to submit it anyway."
    )
    assert summary_links(html) == [("outside-range", message)]
    beside = html[html.index('id="outside-range-error"') : html.index('id="outside-range"')]
    assert message in beside.replace("&#x27;", "'")
    assert 'aria-describedby="outside-range-error"' in tag(html, "outside-range")
    assert " checked" in tag(html, "declaration")
    assert " checked" not in tag(html, "outside-range")
    assert f">{essay_of(900)}</textarea>" in html
    assert Submission.objects.get(learner=alice).status == "draft"
    # Said once: the page shown again is the page as it is.
    assert "data-error-summary" not in alice_client.get(URL).content.decode()


def test_without_javascript_submit_sends_and_submits_what_is_in_the_box(
    alice_client, alice, cohort
):
    # The Submit button belongs to the essay's form: the text comes with it.
    text = "SENT-WITH-SUBMIT " + essay_of(1600)
    form = {"text": text, "version": "0", "attempt": "1", "declaration": "on"}
    response = alice_client.post(URL + "submit/", form, follow=True)
    assert "Your essay was submitted on" in response.content.decode()
    submitted = Submission.objects.get(learner=alice)
    assert (submitted.status, submitted.text) == ("submitted", text)
    # A second click is told it went, not that the essay can no longer change.
    again = alice_client.post(URL + "submit/", form, follow=True).content.decode()
    assert "Your essay was submitted on" in again and "data-error-summary" not in again


def test_text_sent_with_a_refused_submit_is_kept_with_the_ticks(alice_client, alice, cohort):
    alice_client.post(URL + "draft/", {"text": "An older draft."}, **FETCH)
    typed = "## Typed, never saved\n\n" + essay_of(900)
    alice_client.post(URL + "submit/", {"text": typed, "version": "1", "declaration": "on"})
    html = alice_client.get(URL).content.decode()
    assert f">{typed}</textarea>" in html and " checked" in tag(html, "declaration")
    assert Submission.objects.get(learner=alice).text == typed
    # Text that cannot be kept comes back in the box, ticks and all.
    too_long = "word " * 40_001
    response = alice_client.post(
        URL + "submit/", {"text": too_long, "version": "2", "declaration": "on"}
    )
    html = response.content.decode()
    assert response.status_code == 400 and f">{too_long}</textarea>" in html
    assert [field for field, _ in summary_links(html)] == ["essay-text"]
    assert " checked" in tag(html, "declaration")
    assert Submission.objects.get(learner=alice).text == typed


def test_a_word_range_that_blocks_is_shown_beside_the_essay(alice_client, alice, cohort):
    edit(Assignment.objects.get(number=1), word_range_blocks=True)
    alice_client.post(URL + "draft/", {"text": essay_of(2500)}, **FETCH)
    alice_client.post(URL + "submit/", {"declaration": "on", "outside_range_ok": "on"})
    html = alice_client.get(URL).content.decode()
    [(field, message)] = summary_links(html)
    assert field == "essay-text" and message.endswith("Please change it before submitting.")
    assert message in html[html.index('id="essay-errors"') : html.index('id="essay-text"')]
    assert 'aria-invalid="true"' in tag(html, "essay-text")
    assert 'aria-describedby="essay-errors' in tag(html, "essay-text")
    assert " checked" in tag(html, "declaration")
    assert 'id="outside-range"' not in html  # a range that blocks cannot be ticked away


def test_every_problem_with_a_submit_is_shown_at_once_in_page_order(alice_client, cohort):
    response = alice_client.post(URL + "submit/", {}, follow=True)
    fields = [field for field, _ in summary_links(response.content.decode())]
    assert fields == ["essay-text", "declaration"]
    alice_client.post(URL + "draft/", {"text": essay_of(900)}, **FETCH)
    response = alice_client.post(URL + "submit/", {}, follow=True)
    fields = [field for field, _ in summary_links(response.content.decode())]
    assert fields == ["outside-range", "declaration"]  # the declaration is by the button


def test_a_problem_with_no_field_is_beside_the_submit_button(alice_client, alice, cohort):
    draft_after_a_hard_deadline(alice_client, cohort)
    html = alice_client.post(URL + "submit/", {"declaration": "on"}, follow=True)
    html = html.content.decode()
    summary = html[html.index("data-error-summary") : html.index("<h1")]
    assert "does not accept late work" in summary and "<a href" not in summary
    assert "does not accept late work" in html[html.index('id="submit-errors"') :]
    assert " checked" in tag(html, "declaration")


def test_a_refused_attachment_is_shown_beside_the_file_box(alice_client, cohort):
    response = alice_client.post(URL + "attachment/", {}, follow=True)
    html = response.content.decode()
    assert summary_links(html) == [("essay-file", "Please choose a file to attach.")]
    assert 'aria-describedby="file-errors file-help"' in tag(html, "essay-file")


def test_the_page_says_nothing_of_markdown_or_file_extensions(alice_client, cohort):
    html = alice_client.get(URL).content.decode()
    text = re.sub(r"<[^>]*>", " ", html)  # what a learner reads, without the markup
    assert "markdown" not in text.lower()
    assert not re.search(r"\.(md|pdf|docx|odt|txt)\b", text, re.IGNORECASE)


def test_the_brief_is_open_until_the_learner_starts(alice_client, cohort):
    assert alice_client.get(URL).context["brief_open"]
    alice_client.post(URL + "draft/", {"text": "A start"}, **FETCH)
    response = alice_client.get(URL)
    assert not response.context["brief_open"]
    assert '<details class="brief">' in response.content.decode()


# The assignment page: access (ACCESS_QUERIES), then my attempts with their
# feedback and the tutor who wrote it (1), however many attempts there are.
# The assignment's criteria come with this process's copy of the course.
ASSIGNMENT_QUERIES = ACCESS_QUERIES + 1 + SESSION_REFRESH_QUERIES
# Once some feedback is released: its criteria's results (1) and its
# comments on passages (1), however many reviews there are.
RELEASED_FEEDBACK_QUERIES = 2


def refer(essay, tutor, feedback="Please say more about **hope**."):
    review = mark(essay, tutor, "refer", feedback, date(2030, 3, 1))
    return services.release(review, tutor, site_url="https://training.example.org/")


def test_after_a_refer_the_feedback_comes_first_with_the_tutor_and_date(
    alice_client, alice, tutor, cohort, django_assert_num_queries
):
    alice_client.get(URL)  # this process's copy of the course is current
    with django_assert_num_queries(ASSIGNMENT_QUERIES):
        alice_client.get(URL)
    essay = refer(submitted_essay(alice), tutor)
    with django_assert_num_queries(ASSIGNMENT_QUERIES + RELEASED_FEEDBACK_QUERIES):
        response = alice_client.get(URL)
    html = response.content.decode()
    assert response.context["feedback_first"] == essay
    feedback = html[html.index('id="feedback-heading"') : html.index('id="essay-text"')]
    released = timezone.localtime(essay.review.released_at)
    assert f"From Tina, {released.day} {released:%B %Y}" in feedback
    assert "Outcome: Refer" in feedback and "<strong>hope</strong>" in feedback
    # Shown once: the attempt below points up to it.
    assert html.count("<strong>hope</strong>") == 1
    assert "Your essay: attempt 2" in html


def test_the_receipt_links_to_the_assignment_page(alice_client, cohort):
    alice_client.post(URL + "draft/", {"text": essay_of(1600)}, **FETCH)
    with worker_runs_after():
        alice_client.post(URL + "submit/", {"declaration": "on"})
    [receipt] = mail.outbox
    assert "\nhttp://testserver/assignments/1/\n" in receipt.body


def test_the_feedback_email_links_to_the_assignment_page_and_keeps_the_feedback_out(
    alice, tutor, cohort
):
    with worker_runs_after():
        refer(submitted_essay(alice), tutor)
    [feedback] = [m for m in mail.outbox if m.subject == "Feedback on your essay is ready"]
    assert "\nhttps://training.example.org/assignments/1/\n" in feedback.body
    assert "hope" not in feedback.body


def test_a_feedback_email_queued_without_the_sites_address_still_says_where_to_go(alice, cohort):
    message = emails.feedback_ready(submitted_essay(alice).pk)  # as queued before links
    assert "opening the assignment" in message.body and "http" not in message.body
