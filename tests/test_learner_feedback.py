"""What a learner reads of the assessment: the criteria with the brief, and,
once feedback is released, each criterion's result and the essay with the
tutor's comments on its passages. Nothing of a draft review, ever."""

from datetime import date

import pytest

from assessments import services
from assessments.models import Assignment, Criterion, PassageComment
from tests.essays import essay_of
from tests.helpers import ACCESS_QUERIES, SESSION_REFRESH_QUERIES
from tests.html_audit import script_problems

pytestmark = pytest.mark.django_db
URL = "/assignments/1/"
# As pinned in tests/test_assignments.py: access, then my attempts with their
# reviews and tutors (1); the criteria come with the copy of the course.
ASSIGNMENT_QUERIES = ACCESS_QUERIES + 1 + SESSION_REFRESH_QUERIES
# With released feedback: its criteria's results (1), its comments on passages (1).
RELEASED_FEEDBACK_QUERIES = 2

ESSAY = (
    "Peer support is <b>hope</b> & listening.\n\n"
    "It is **sharing** what helped [me](https://example.org/help).\n\n" + essay_of(1500)
)


def submitted(learner, text=ESSAY, attempt=None):
    assignment = Assignment.objects.get(number=1)
    services.start_draft(learner, assignment)
    services.save_draft(learner, assignment, text)
    return services.submit(learner, assignment, True, outside_range_ok=True, attempt=attempt)


def criteria():
    return list(Criterion.objects.filter(assignment__number=1).order_by("order", "pk"))


def draft_review(essay, tutor, outcome="refer"):
    """A review with every criterion judged and commented on, and two
    comments on passages, all carrying markup that must stay text."""
    judgements = {
        criterion.pk: services.Judgement(
            "not_yet" if outcome == "refer" and index == 0 else "met",
            f"CRITERION-{index} <i>note</i>\nsecond line" if index < 2 else "",
        )
        for index, criterion in enumerate(criteria())
    }
    return services.save_review(
        essay,
        tutor,
        outcome,
        "OVERALL-FEEDBACK about **hope**",
        date(2030, 3, 1) if outcome == "refer" else None,
        0,
        judgements=judgements,
        passage_comments=[
            services.PassageDraft(passage="sharing what helped me", comment="Say <b>more</b>."),
            services.PassageDraft(
                passage="<b>hope</b> & listening",
                comment='PASSAGE-1 <script>alert("x")</script>\nA second line',
            ),
        ],
    )


def feedback_section(html: str) -> str:
    start = html.index('id="feedback-heading"')
    return html[start : html.index("</section>", start)]


def test_the_criteria_are_shown_with_the_brief_before_writing(
    alice_client, cohort, django_assert_num_queries
):
    alice_client.get(URL)  # this process's copy of the course is current
    with django_assert_num_queries(ASSIGNMENT_QUERIES):
        response = alice_client.get(URL)
    html = response.content.decode()
    assert [c.text for c in response.context["criteria"]] == [c.text for c in criteria()]
    start = html.index('<details class="brief"')
    brief = html[start : html.index("</details>", start)]
    assert "How your essay will be assessed" in brief
    for criterion in criteria():
        assert f"<li>{criterion.text}</li>" in brief
    assert brief.index('class="content brief-text"') < brief.index("How your essay will be")


def test_released_feedback_shows_each_criterion_result_with_its_comment(
    alice_client, alice, tutor, cohort
):
    essay = submitted(alice)
    services.release(draft_review(essay, tutor), tutor)
    html = feedback_section(alice_client.get(URL).content.decode())
    assert "Outcome: Refer" in html and "OVERALL-FEEDBACK about <strong>hope</strong>" in html
    assert f"The criteria: {len(criteria()) - 1} of {len(criteria())} met" in html
    results = html[html.index('class="criteria-results"') :]
    first, second = criteria()[:2]
    assert results.index(first.text) < results.index(second.text)
    not_yet = results[results.index('class="criterion-result is-not-yet"') :]
    assert not_yet.index("Not yet") < not_yet.index(first.text) < not_yet.index("CRITERION-0")
    # Escaped, line breaks kept.
    assert "CRITERION-0 &lt;i&gt;note&lt;/i&gt;<br>second line" in html
    assert results.count('class="criterion-result is-met"') == len(criteria()) - 1


def test_released_feedback_shows_the_essay_with_passages_highlighted_and_comments_after(
    alice_client, alice, tutor, cohort
):
    essay = submitted(alice)
    services.release(draft_review(essay, tutor, "pass"), tutor)
    response = alice_client.get(URL)
    html = feedback_section(response.content.decode())
    assert 'class="writing-page with-margin-notes"' in response.content.decode()
    # Numbered in the essay's order, whatever order the tutor wrote them in.
    assert (
        '<mark class="passage" data-passage="1">&lt;b&gt;hope&lt;/b&gt; &amp; listening</mark>'
        in html
    )
    assert '<mark class="passage" data-passage="2">sharing</mark>' in html
    assert '<mark class="passage" data-passage="2"> what helped </mark>' in html
    assert (
        '<span class="passage-note" id="attempt-1-passage-note-1" role="note" data-passage-extra>'
        '<span class="visually-hidden">Tutor’s comment </span>'
        '<span class="passage-note-number">1.</span> '
        "PASSAGE-1 &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>A second line</span>"
    ) in html
    assert html.index("attempt-1-passage-note-1") < html.index("attempt-1-passage-note-2")
    # After the link, never inside it.
    assert (
        '<a href="https://example.org/help"><mark class="passage" data-passage="2">me</mark></a>.'
        '<sup class="passage-number"'
    ) in html
    assert "Say &lt;b&gt;more&lt;/b&gt;." in html
    assert script_problems(html) == []
    assert "<script>alert" not in response.content.decode()
    # A Pass: nothing more to write, so the essay with comments is open.
    assert '<details class="marked-essay-details" open>' in html
    # Shown once: the attempt below points up to it.
    assert response.content.decode().count("PASSAGE-1") == 1


def test_before_release_nothing_of_the_draft_review_reaches_the_learner(
    alice_client, alice, tutor, cohort, django_assert_num_queries
):
    essay = submitted(alice)
    draft_review(essay, tutor)
    alice_client.get(URL)
    with django_assert_num_queries(ASSIGNMENT_QUERIES):  # a draft's details are never read
        response = alice_client.get(URL)
    html = response.content.decode()
    for secret in ["OVERALL-FEEDBACK", "CRITERION-0", "PASSAGE-1", "Say &lt;b&gt;more", "Not yet"]:
        assert secret not in html
    assert "<mark" not in html and "data-passage" not in html
    assert 'class="criteria-results"' not in html
    assert response.context["feedback_first"] is None
    assert [a.feedback for a in response.context["attempts"]] == [None]
    assert "Waiting for your tutor’s feedback" in html


def test_another_learner_sees_nothing_of_my_feedback(client, alice, bob, tutor, cohort):
    essay = submitted(alice)
    services.release(draft_review(essay, tutor), tutor)
    client.force_login(bob)
    html = client.get(URL).content.decode()
    assert "PASSAGE-1" not in html and "CRITERION-0" not in html and "hope" not in html
    assert client.get(f"{URL}attempts/1/file/").status_code == 404


def test_feedback_on_every_attempt_costs_the_same_queries(
    alice_client, alice, tutor, cohort, django_assert_num_queries
):
    services.release(draft_review(submitted(alice), tutor), tutor)
    second = submitted(alice, ESSAY + "\n\nMore about sharing.", attempt=2)
    services.release(draft_review(second, tutor, "pass"), tutor)
    alice_client.get(URL)
    with django_assert_num_queries(ASSIGNMENT_QUERIES + RELEASED_FEEDBACK_QUERIES):
        response = alice_client.get(URL)
    html = response.content.decode()
    # The latest at the top, the first attempt's with that attempt below.
    assert response.context["feedback_first"] == second
    assert html.count("PASSAGE-1") == 2
    assert html.index("attempt-2-passage-note-1") < html.index('id="attempts-heading"')
    attempts = html[html.index('id="attempts-heading"') :]
    assert 'id="feedback-1-heading"' in attempts and "attempt-1-passage-note-1" in attempts
    assert 'id="attempt-1-passage-note-2"' in attempts


def test_a_comment_whose_passage_no_longer_fits_is_listed_apart(alice_client, alice, tutor, cohort):
    essay = submitted(alice)
    review = draft_review(essay, tutor)
    services.release(review, tutor)
    first = PassageComment.objects.filter(review=review).order_by("start").first()
    PassageComment.objects.filter(pk=first.pk).update(passage="Words that are <i>gone</i>")
    response = alice_client.get(URL)
    assert response.status_code == 200
    html = feedback_section(response.content.decode())
    assert "could not be shown in the essay" in html
    unplaced = html[html.index('class="unplaced-comments"') :]
    assert '<li value="1"><q>Words that are &lt;i&gt;gone&lt;/i&gt;</q> PASSAGE-1' in unplaced
    assert 'data-passage="1"' not in html and 'data-passage="2"' in html


def test_the_essay_with_comments_waits_behind_a_click_while_the_next_attempt_is_written(
    alice_client, alice, tutor, cohort
):
    services.release(draft_review(submitted(alice), tutor), tutor)
    response = alice_client.get(URL)
    html = response.content.decode()
    assert response.context["editing"]
    assert '<details class="marked-essay-details">' in html
    assert html.index("marked-essay-details") < html.index('id="essay-text"')
