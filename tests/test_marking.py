"""The marking page (assessments/review.py): criteria judged one by one,
comments on passages of the essay, the outcome the criteria suggest and the
reason for another, moderation per criterion, feedback snippets, the next
essay in the queue, and the preview that is the stored feedback."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import passages, services
from assessments.models import (
    Assignment,
    Criterion,
    CriterionResult,
    FeedbackSnippet,
    Moderation,
    PassageComment,
    Review,
    StatusChange,
    Submission,
)
from courses.models import Enrolment
from tests.essays import submitted_essay
from tests.helpers import make_user
from tests.marking import mark
from tests.xss_payloads import PAYLOADS

pytestmark = pytest.mark.django_db
QUEUE = "/admin/assessments/submission/queue/"

ESSAY = (
    "## My story\n\n"
    "Recovery began when I found **hope** again. A peer listened 🌱 without judging me.\n\n"
    "- Mutuality matters\n- Choice and control matter\n\n"
    "In the end, peer support is about *being alongside* someone."
)


def essay_of_text(learner, text=ESSAY, number=1):
    assignment = Assignment.objects.get(number=number)
    services.start_draft(learner, assignment)
    services.save_draft(learner, assignment, text)
    return services.submit(learner, assignment, declaration=True, outside_range_ok=True)


@pytest.fixture
def essay(alice, cohort):
    return essay_of_text(alice)


@pytest.fixture
def tina(client, tutor):
    client.force_login(tutor)
    return client


def url(submission):
    return f"/admin/assessments/submission/{submission.pk}/change/"


def criteria(submission):
    return list(Criterion.objects.filter(assignment_id=submission.assignment_id))


def offsets(submission, words):
    """Where ``words`` are in the essay's plain text, as the page's script counts."""
    plain = passages.plain_text(submission.text_html)
    start = plain.index(words)
    return start, start + len(words)


def form(submission, *, outcome="", feedback="", judgements=(), comments=(), passages_=(), **more):
    """The marking page's form as a browser sends it. ``judgements`` are
    "met"/"not_yet"/"" in the criteria's order; ``passages_`` are dicts of
    start, end, passage, comment; one empty form for a new comment follows."""
    data = {
        "outcome": outcome,
        "feedback": feedback,
        "outcome_reason": "",
        "resubmit_by": "",
        "base_version": 0,
        "_save": "1",
    }
    for index, criterion in enumerate(criteria(submission)):
        judgement = judgements[index] if index < len(judgements) else ""
        if judgement:
            data[f"criterion_{criterion.pk}"] = judgement
        data[f"criterion_{criterion.pk}_comment"] = comments[index] if index < len(comments) else ""
    rows = [*passages_, {}]
    data.update(
        {
            "passages-TOTAL_FORMS": str(len(rows)),
            "passages-INITIAL_FORMS": "0",
            "passages-MIN_NUM_FORMS": "0",
            "passages-MAX_NUM_FORMS": "1000",
        }
    )
    for index, row in enumerate(rows):
        for name in ("start", "end", "passage", "comment"):
            data[f"passages-{index}-{name}"] = row.get(name, "")
    data.update(more)
    return data


def releasing(data):
    data = dict(data)
    data.pop("_save", None)
    data["_release"] = "1"
    return data


# ---------------------------------------------------------------- the page


def test_the_page_shows_each_criterion_with_met_and_not_yet(tina, essay):
    response = tina.get(url(essay))
    html = response.content.decode()
    texts = [c.text for c in criteria(essay)]
    assert len(texts) == 4
    for number, criterion in enumerate(criteria(essay), start=1):
        assert f"<legend>{number}. {criterion.text}</legend>" in html
        assert f'name="criterion_{criterion.pk}" value="met"' in html
        assert f'name="criterion_{criterion.pk}" value="not_yet"' in html
    assert "Reason for this outcome" in html
    assert "Needed only when the outcome is not the one the criteria suggest" in html
    # Without JavaScript: an empty form to comment on words copied in.
    assert 'name="passages-0-passage"' in html and "Copy them from the essay." in html
    # The essay in its own column, the panel beside it, the admin's sidebar gone.
    assert 'class="essay-body" id="essay" data-essay' in html
    assert 'class="marking-panel"' in html
    assert "nav-sidebar" not in html
    assert "admin/css/marking.css" in html and "admin/js/marking.js" in html


def test_the_header_says_when_how_late_and_how_long_in_plain_words(tina, alice, cohort):
    essay = submitted_essay(alice, words=1400)
    Submission.objects.filter(pk=essay.pk).update(
        submitted_at=timezone.make_aware(timezone.datetime(2026, 3, 3, 10, 42)),
        due_on=timezone.datetime(2026, 3, 1).date(),
        is_late=True,
    )
    html = tina.get(url(essay)).content.decode()
    assert "Submitted 3 March 2026 at 10:42" in html
    assert "2 days late (due 1 March)" in html
    assert "1,400 words (asks 1,500–2,000)" in html
    assert "below the word range" in html
    assert "You are marking this since" in html


def test_the_history_is_told_in_sentences(tina, alice, essay):
    html = tina.get(url(essay)).content.decode()
    assert "<bdi>Alice</bdi> started writing attempt 1" in html
    assert "<bdi>Alice</bdi> submitted attempt 1" in html
    StatusChange.objects.filter(submission=essay, to_status="submitted").update(note="Late")
    assert "submitted attempt 1 (late)" in tina.get(url(essay)).content.decode()


def test_judgements_comments_and_passages_are_saved_and_shown_again(tina, essay):
    start, end = offsets(essay, "found hope again")
    data = form(
        essay,
        outcome="refer",
        feedback="Say more about *mutuality*.",
        resubmit_by="2030-01-01",
        judgements=["met", "not_yet", "met", ""],
        comments=["Clear link.", "Not yet: say what a peer does.", "", ""],
        passages_=[
            # Chosen by selecting: offsets and words.
            {"start": start, "end": end, "passage": "found hope again", "comment": "Lovely."},
            # Copied in by hand, without JavaScript: words only, spaced differently.
            {"passage": "Mutuality   matters", "comment": "Why?"},
        ],
    )
    response = tina.post(url(essay), data)
    assert response.status_code == 302 and response["Location"] == url(essay)
    review = Review.objects.get(submission=essay)
    results = list(review.criterion_results.order_by("order"))
    assert [r.judgement for r in results] == ["met", "not_yet", "met", ""]
    assert results[1].comment == "Not yet: say what a peer does."
    assert results[0].criterion_text == criteria(essay)[0].text
    comments = list(review.passage_comments.all())
    plain = passages.plain_text(essay.text_html)
    assert [(c.passage, c.comment) for c in comments] == [
        ("found hope again", "Lovely."),
        ("Mutuality matters", "Why?"),
    ]
    assert all(plain[c.start : c.end] == c.passage for c in comments)

    page = tina.get(url(essay))
    html = page.content.decode()
    first = criteria(essay)[1]
    assert (
        f'name="criterion_{first.pk}" value="not_yet" id="id_criterion_{first.pk}_1" checked'
        in html
    )
    assert "Not yet: say what a peer does.</textarea>" in html
    # Numbered in the essay's order, in the panel and in the essay alike.
    rows = page.context["passage_rows"]
    assert [(row.number, row.passage) for row in rows[:2]] == [
        (1, "found hope again"),
        (2, "Mutuality matters"),
    ]
    assert (
        '<mark class="passage" data-passage="1">found </mark><strong>'
        '<mark class="passage" data-passage="1">hope</mark></strong>'
    ) in html
    assert '<mark class="passage" data-passage="2">Mutuality matters</mark>' in html
    assert '<q class="passage-words">found hope again</q>' in html
    # One criterion is still to judge: nothing is suggested yet.
    assert "Judge every criterion to see the outcome they suggest." in html


def test_removing_a_comment_on_a_passage(tina, essay):
    start, end = offsets(essay, "found hope again")
    row = {"start": start, "end": end, "passage": "found hope again", "comment": "Lovely."}
    tina.post(url(essay), form(essay, passages_=[row]))
    assert PassageComment.objects.count() == 1
    data = form(essay, passages_=[row], base_version=1)
    data["passages-0-DELETE"] = "on"
    tina.post(url(essay), data)
    assert PassageComment.objects.count() == 0


def test_a_passage_not_in_the_essay_is_refused_beside_it_and_nothing_typed_is_lost(tina, essay):
    data = form(
        essay,
        feedback="KEEP THIS FEEDBACK",
        judgements=["met"],
        comments=["KEEP THIS CRITERION COMMENT"],
        passages_=[{"passage": "words the learner never wrote", "comment": "KEEP THIS NOTE"}],
    )
    response = tina.post(url(essay), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Those words are not in the essay. Please copy them from the essay exactly." in html
    # In the summary at the top, linking to the box, and beside the box.
    top = html[html.index('id="content-main"') :][:2000]
    assert 'href="#id_passages-0-passage"' in top
    box = html.index('id="id_passages-0-passage"')
    assert "Those words are not in the essay" in html[box - 1500 : box]
    for typed in (
        "KEEP THIS FEEDBACK</textarea>",
        "KEEP THIS CRITERION COMMENT</textarea>",
        "KEEP THIS NOTE</textarea>",
        "words the learner never wrote</textarea>",
    ):
        assert typed in html
    assert not Review.objects.exists()


def test_offsets_that_do_not_give_the_words_are_refused(tina, essay):
    start, end = offsets(essay, "found hope again")
    row = {"start": start + 1, "end": end, "passage": "found hope again", "comment": "x"}
    html = tina.post(url(essay), form(essay, passages_=[row])).content.decode()
    assert "could not be found in the essay as selected" in html
    assert not Review.objects.exists()


def test_a_comment_needs_words_and_words_need_a_comment(tina, essay):
    html = tina.post(
        url(essay), form(essay, passages_=[{"passage": "found hope again"}])
    ).content.decode()
    assert "Please write your comment on these words." in html
    html = tina.post(url(essay), form(essay, passages_=[{"comment": "Lovely"}])).content.decode()
    assert "Please copy the words of the essay your comment is about" in html


def test_passages_in_an_essay_with_emoji_count_code_points(tina, alice, cohort):
    essay = essay_of_text(alice, "🌱🌱 Growth 🌱 and hope, 回復 and rest.")
    plain = passages.plain_text(essay.text_html)
    start = plain.index("hope")
    row = {"start": start, "end": start + 4, "passage": "hope", "comment": "Yes."}
    assert tina.post(url(essay), form(essay, passages_=[row])).status_code == 302
    comment = PassageComment.objects.get()
    assert (comment.start, comment.end, comment.passage) == (start, start + 4, "hope")


# ---------------------------------------------------------------- releasing


def test_releasing_needs_every_criterion_judged_and_loses_nothing(tina, essay):
    data = form(
        essay,
        outcome="pass",
        feedback="TYPED FEEDBACK",
        judgements=["met", "met"],
        comments=["", "", "", "TYPED COMMENT"],
    )
    response = tina.post(url(essay), releasing(data))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your feedback is saved as a draft. Before it can be released" in html
    assert html.count("Please choose “Met” or “Not yet” for this criterion before releasing.") == 4
    assert "TYPED FEEDBACK</textarea>" in html and "TYPED COMMENT</textarea>" in html
    essay.refresh_from_db()
    assert essay.status == "submitted"
    review = Review.objects.get()
    assert not review.is_released and review.feedback == "TYPED FEEDBACK"
    # The next save goes on from the draft just saved, without a conflict.
    data = releasing(form(essay, outcome="pass", feedback="TYPED FEEDBACK", base_version=1))
    data.update({f"criterion_{c.pk}": "met" for c in criteria(essay)})
    assert tina.post(url(essay), data).status_code == 302
    essay.refresh_from_db()
    assert essay.status == "passed"


def test_a_pass_with_a_criterion_not_yet_met_needs_a_reason(tina, essay):
    data = form(
        essay,
        outcome="pass",
        feedback="Good overall.",
        judgements=["met", "met", "not_yet", "met"],
    )
    response = tina.post(url(essay), releasing(data))
    html = response.content.decode()
    error = "The outcome is Pass although not every criterion is met."
    assert error in html
    reason = html.index('id="id_outcome_reason"')
    assert error in html[reason - 1200 : reason]  # beside the field
    assert 'href="#id_outcome_reason"' in html
    assert Submission.objects.get(pk=essay.pk).status == "submitted"

    data.update(base_version=1, outcome_reason="The third is nearly there; a small point.")
    response = tina.post(url(essay), releasing(data))
    assert response.status_code == 302
    review = Review.objects.get()
    assert review.is_released and review.outcome == "pass"
    assert review.outcome_reason == "The third is nearly there; a small point."


def test_a_refer_with_every_criterion_met_needs_a_reason_too(tina, essay):
    data = form(
        essay,
        outcome="refer",
        feedback="Please expand.",
        resubmit_by="2030-01-01",
        judgements=["met"] * 4,
    )
    html = tina.post(url(essay), releasing(data)).content.decode()
    assert "The outcome is Refer although every criterion is met." in html


def test_a_refer_needs_a_date_for_the_next_attempt(tina, essay):
    data = form(essay, outcome="refer", feedback="More.", judgements=["not_yet"] * 4)
    html = tina.post(url(essay), releasing(data)).content.decode()
    assert "A Refer needs a date for the learner&#x27;s next attempt." in html
    assert not Review.objects.exists()
    data["resubmit_by"] = "2030-01-01"
    assert tina.post(url(essay), releasing(data)).status_code == 302
    assert Submission.objects.get(pk=essay.pk).status == "referred"


def test_the_outcome_the_criteria_suggest_is_shown(tina, essay):
    tina.post(url(essay), form(essay, judgements=["met"] * 4))
    response = tina.get(url(essay))
    assert "The criteria suggest: <strong>Pass</strong>." in response.content.decode()
    assert response.context["outcome_follows_criteria"] is True


# ---------------------------------------------------------------- the next essay


def test_after_releasing_the_next_waiting_essay_opens(
    tina, tutor, second_tutor, alice, bob, cohort
):
    dana = make_user("dana")
    Enrolment.objects.create(cohort=cohort, learner=dana)
    first = essay_of_text(alice)
    claimed = submitted_essay(bob)
    waiting = submitted_essay(dana)
    # Bob's essay waits longest, but Terry is marking it: Dana's is next.
    Submission.objects.filter(pk=claimed.pk).update(submitted_at=timezone.now() - timedelta(days=3))
    services.claim(claimed, second_tutor)
    html = tina.get(url(first)).content.decode()
    assert f'href="{url(waiting)}">Next in queue →</a>' in html

    data = form(first, outcome="pass", feedback="Good.", judgements=["met"] * 4)
    response = tina.post(url(first), releasing(data))
    assert response.status_code == 302 and response["Location"] == url(waiting)

    data = form(waiting, outcome="pass", feedback="Good.", judgements=["met"] * 4)
    response = tina.post(url(waiting), releasing(data))
    assert response.status_code == 302 and response["Location"] == QUEUE


def test_saving_a_draft_stays_on_the_page_with_the_next_essay_a_click_away(tina, alice, bob, essay):
    other = submitted_essay(bob)
    response = tina.post(url(essay), form(essay, feedback="Draft."), follow=True)
    html = response.content.decode()
    assert response.redirect_chain == [(url(essay), 302)]
    assert "Feedback saved as a draft" in html
    assert f'href="{url(other)}">Next in queue →</a>' in html


# ---------------------------------------------------------------- moderation


@pytest.fixture
def moderated(essay, tutor):
    review = mark(essay, tutor, "refer", "More please.", timezone.localdate() + timedelta(weeks=4))
    return Moderation.objects.create(review=review)


def test_moderation_agrees_or_disagrees_with_each_criterion(client, second_tutor, essay, moderated):
    client.force_login(second_tutor)
    html = client.get(url(essay)).content.decode()
    results = list(CriterionResult.objects.filter(review=moderated.review).order_by("order"))
    for result in results:
        assert f'name="result_{result.pk}" value="no"' in html
    assert "The tutor’s judgement: <strong>Not yet</strong>" in html
    data = {"_moderate": "1", "agrees": "no", "comment": "The outcome should be Pass."}
    data.update({f"result_{r.pk}": "yes" for r in results})
    data[f"result_{results[0].pk}"] = "no"
    response = client.post(url(essay), data)
    html = response.content.decode()
    assert "Please say why you disagree on this criterion." in html
    moderated.refresh_from_db()
    assert moderated.agrees is None
    assert "The outcome should be Pass.</textarea>" in html

    data[f"result_{results[0].pk}_comment"] = "This one is met: paragraph two."
    assert client.post(url(essay), data).status_code == 302
    moderated.refresh_from_db()
    assert moderated.agrees is False
    decisions = {d.result_id: (d.agrees, d.comment) for d in moderated.criterion_decisions.all()}
    assert decisions[results[0].pk] == (False, "This one is met: paragraph two.")
    assert all(decisions[r.pk] == (True, "") for r in results[1:])
    html = client.get(url(essay)).content.decode()
    assert "disagrees</strong> with “Not yet”: This one is met: paragraph two." in html


def test_moderation_needs_a_decision_on_every_criterion(client, second_tutor, essay, moderated):
    client.force_login(second_tutor)
    response = client.post(url(essay), {"_moderate": "1", "agrees": "yes", "comment": ""})
    assert "Please say whether you agree on this criterion." in response.content.decode()
    moderated.refresh_from_db()
    assert moderated.agrees is None


# ---------------------------------------------------------------- snippets


SNIPPETS = "/admin/assessments/feedbacksnippet/"


def test_snippets_are_each_tutors_own(client, tutor, second_tutor, essay, coordinator):
    mine = FeedbackSnippet.objects.create(tutor=tutor, title="Structure", text="MY SNIPPET")
    theirs = FeedbackSnippet.objects.create(
        tutor=second_tutor, title="Theirs", text="THEIR SNIPPET"
    )
    client.force_login(tutor)
    html = client.get(url(essay)).content.decode()
    assert "MY SNIPPET" in html and "THEIR SNIPPET" not in html
    listing = client.get(SNIPPETS).content.decode()
    assert "My feedback snippets" in listing
    assert "Structure" in listing and "Theirs" not in listing
    assert client.get(f"{SNIPPETS}{mine.pk}/change/").status_code == 200
    assert client.get(f"{SNIPPETS}{theirs.pk}/change/").status_code == 404
    assert client.post(f"{SNIPPETS}{theirs.pk}/delete/", {"post": "yes"}).status_code == 404
    assert FeedbackSnippet.objects.filter(pk=theirs.pk).exists()
    client.force_login(coordinator)
    assert client.get(SNIPPETS).status_code == 403


def test_a_snippet_added_in_the_admin_is_the_tutors(client, tutor):
    client.force_login(tutor)
    response = client.post(f"{SNIPPETS}add/", {"title": "Hope", "text": "Say more about hope."})
    assert response.status_code == 302
    assert FeedbackSnippet.objects.get().tutor == tutor


def test_saving_a_snippet_from_the_marking_page(client, tutor, essay):
    client.force_login(tutor)
    quick = f"{SNIPPETS}quick-add/"
    data = {"snippet-title": "Refs", "snippet-text": "Please add references.", "next": url(essay)}
    # From the page's script: JSON, and the page stays.
    response = client.post(quick, data, HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 201
    assert response.json() == {"saved": True, "title": "Refs", "text": "Please add references."}
    # Without JavaScript: back to the page, which lists it.
    response = client.post(quick, data, follow=True)
    assert response.redirect_chain == [(url(essay), 302)]
    assert FeedbackSnippet.objects.filter(tutor=tutor).count() == 2
    # Never sent anywhere else.
    response = client.post(quick, {**data, "next": "https://evil.example/"})
    assert response["Location"] == SNIPPETS
    bad = client.post(
        quick, {"snippet-title": "", "snippet-text": ""}, HTTP_X_REQUESTED_WITH="fetch"
    )
    assert bad.status_code == 400 and bad.json()["saved"] is False


# ---------------------------------------------------------------- the renderer


def markdown_corpus() -> list[str]:
    """Ordinary Markdown: the course's own files (sessions, assignments,
    resources), and the constructs tutors type."""
    from courses.content import DEFAULT_CONTENT_DIR

    files = sorted(DEFAULT_CONTENT_DIR.rglob("*.md"))
    assert files
    return [path.read_text(encoding="utf-8") for path in files] + [
        "**bold** *italic* `code` [link](https://example.org) <https://example.org>",
        "1. one\n2. two\n   - nested\n\n> quoted\n\n---\n\n| a | b |\n|---|---|\n| 1 | 2 |",
        "```\ncode block\n```\n\nLine one  \nline two",
        "émotions 回復 🌱 — “quotes” & <b>typed html</b>",
    ]


def test_the_preview_is_the_stored_feedback_for_every_payload_and_markdown(tina, tutor, essay):
    from tests.test_rendering import HOSTILE

    corpus = [*PAYLOADS, *HOSTILE, *markdown_corpus()]
    version = 0
    for text in corpus:
        preview = tina.post(
            "/admin/markdown-preview/", {"text": text, "profile": "learner"}
        ).json()["html"]
        review = services.save_review(essay, tutor, "", text, None, version)
        version = review.version
        stored = Review.objects.get(pk=review.pk).feedback_html
        assert preview == stored, text


def test_the_page_shows_the_typed_feedback_as_the_preview_would(tina, essay):
    data = form(essay, outcome="refer", feedback="Please say more about **hope**.")
    html = tina.post(url(essay), data).content.decode()  # refused: a Refer needs a date
    preview = html[html.index("field-feedback_preview") :][:600]
    assert "<strong>hope</strong>" in preview


# ---------------------------------------------------------------- cost


def test_the_page_query_count_does_not_grow_with_criteria_comments_or_snippets(tina, tutor, essay):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert tina.get(url(essay)).status_code == 200
        return len(captured)

    start, end = offsets(essay, "hope")

    def comments(count):
        return [
            {"start": start, "end": end, "passage": "hope", "comment": f"c{i}"}
            for i in range(count)
        ]

    tina.post(url(essay), form(essay, judgements=["met"], passages_=comments(1)))
    FeedbackSnippet.objects.create(tutor=tutor, title="s", text="t")
    few = queries()
    for order in range(5, 25):
        Criterion.objects.create(assignment=essay.assignment, order=order, text=f"Extra {order}")
    data = form(
        essay, judgements=["met"] * 24, comments=["x"] * 24, passages_=comments(30), base_version=1
    )
    assert tina.post(url(essay), data).status_code == 302
    FeedbackSnippet.objects.bulk_create(
        FeedbackSnippet(tutor=tutor, title=f"s{i}", text="t") for i in range(20)
    )
    assert Review.objects.get().passage_comments.count() == 30
    assert queries() == few
