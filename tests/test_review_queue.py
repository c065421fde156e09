"""The tutors' review queue (assessments/queue.py): who sees which essays, in
what order, with which flags; its filters, search and pages; and its fixed
number of queries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments import services
from assessments.models import Review, Submission
from courses.models import Enrolment
from tests.essays import submitted_essay
from tests.helpers import make_user

pytestmark = pytest.mark.django_db
QUEUE = "/admin/assessments/submission/queue/"
CHANGELIST = "/admin/assessments/submission/"


def learners(response) -> list[str]:
    """The learners' names in the queue's rows, in order."""
    assert response.status_code == 200
    return [row.learner for row in response.context["rows"]]


def submitted_days_ago(essay, days):
    Submission.objects.filter(pk=essay.pk).update(
        submitted_at=timezone.now() - timedelta(days=days)
    )
    return essay


@pytest.fixture
def tutor_client(client, tutor):
    client.force_login(tutor)
    return client


def test_the_queue_has_its_own_address_in_the_admin():
    from django.urls import reverse

    assert reverse("admin:assessments_submission_queue") == QUEUE


def test_a_tutor_sees_their_cohorts_waiting_essays_oldest_first(
    tutor_client, alice, bob, charlie, cohort, other_cohort
):
    submitted_days_ago(submitted_essay(alice), 2)
    submitted_days_ago(submitted_essay(bob), 5)
    submitted_days_ago(submitted_essay(charlie), 9)  # another cohort's
    response = tutor_client.get(QUEUE)
    assert learners(response) == ["Bob", "Alice"]
    html = response.content.decode()
    assert "Charlie" not in html
    assert "<h1>Review queue</h1>" in html
    assert "2 essays" in html
    # Each name opens the review page, and is isolated from what follows it.
    bobs = Submission.objects.get(learner=bob)
    assert f'<a href="{CHANGELIST}{bobs.pk}/change/"><bdi>Bob</bdi></a>' in html
    assert response.context["rows"][0].days_waiting == "5"


def test_the_tutors_own_live_claims_come_first(
    tutor_client, tutor, other_tutor, alice, bob, charlie, cohort
):
    third = make_user("dora")
    Enrolment.objects.create(cohort=cohort, learner=third)
    mine = submitted_days_ago(submitted_essay(alice), 1)
    stale = submitted_days_ago(submitted_essay(bob), 3)
    theirs = submitted_days_ago(submitted_essay(third), 5)
    services.claim(mine, tutor)
    services.claim(stale, tutor)
    Submission.objects.filter(pk=stale.pk).update(
        claimed_at=timezone.now() - services.CLAIM_LASTS - timedelta(minutes=1)
    )
    cohort.tutors.add(other_tutor)
    services.claim(theirs, other_tutor)
    response = tutor_client.get(QUEUE)
    assert learners(response) == ["Alice", "Dora", "Bob"]
    assert [row.marked_by for row in response.context["rows"]] == ["you", "Otto", "—"]
    assert [row.is_mine for row in response.context["rows"]] == [True, False, False]
    assert "Being marked by" in response.content.decode()


def test_learners_and_anonymous_visitors_are_sent_to_log_in(client, alice, cohort):
    response = client.get(QUEUE)
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(alice)
    response = client.get(QUEUE)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_staff_without_a_role_are_refused(client):
    from django.contrib.auth import get_user_model

    sam = make_user("sam")
    get_user_model().objects.filter(pk=sam.pk).update(is_staff=True)
    sam.refresh_from_db()
    client.force_login(sam)
    assert client.get(QUEUE).status_code == 403


def test_a_coordinator_sees_every_cohort(client, coordinator, alice, charlie, cohort, other_cohort):
    submitted_essay(alice)
    submitted_essay(charlie)
    client.force_login(coordinator)
    assert sorted(learners(client.get(QUEUE))) == ["Alice", "Charlie"]


def test_flags_are_words(tutor_client, tutor, coordinator, alice, bob, cohort):
    # The cohort started 12 weeks ago: assignment 1 (1,500–2,000 words) is
    # late; assignment 2 (2,000–2,500) is not due yet.
    short = submitted_essay(alice, number=1, words=10)
    long = submitted_essay(bob, number=2, words=2600)
    fine = submitted_essay(alice, number=2, words=2100)
    review = services.save_review(fine, tutor, "pass", "Well argued.", None, 0)
    services.request_moderation([review], coordinator)
    rows = {row.url: row for row in tutor_client.get(QUEUE).context["rows"]}
    flags = {
        essay: [words for _, words in rows[f"{CHANGELIST}{essay.pk}/change/"].flags]
        for essay in (short, long, fine)
    }
    assert flags == {
        short: ["late", "below word range"],
        long: ["above word range"],
        fine: ["moderation"],
    }
    html = tutor_client.get(QUEUE).content.decode()
    for words in ("late", "below word range", "above word range", "moderation"):
        assert f">{words}</span>" in html
    assert "✖" not in html and "icon-no" not in html


def test_a_decided_moderation_is_not_flagged(tutor_client, tutor, coordinator, alice, cohort):
    essay = submitted_essay(alice, number=2, words=2100)
    review = services.save_review(essay, tutor, "pass", "Well argued.", None, 0)
    services.request_moderation([review], coordinator)
    review.moderation.agrees = True
    review.moderation.save()
    assert tutor_client.get(QUEUE).context["rows"][0].flags == ()


def test_the_outcome_says_whether_it_is_released(tutor_client, tutor, alice, bob, cohort):
    draft = submitted_essay(alice, number=2, words=2100)
    services.save_review(draft, tutor, "refer", "Please say more.", None, 0)
    released = submitted_essay(bob, number=2, words=2100)
    Review.objects.create(
        submission=released, tutor=tutor, outcome="pass", feedback="Good.",
        released_at=timezone.now(),
    )  # fmt: skip
    Submission.objects.filter(pk=released.pk).update(status=Submission.Status.PASSED)
    rows = tutor_client.get(QUEUE, {"status": "all"}).context["rows"]
    assert [(row.learner, row.outcome, row.days_waiting) for row in rows] == [
        ("Alice", "Refer (not released)", "today"),
        ("Bob", "Pass", "—"),
    ]


def test_each_filter_and_the_search_narrow_the_rows(tutor_client, tutor, alice, bob, cohort):
    from assessments.models import Assignment

    other = make_user("fred")
    make_cohort_of(cohort.course, tutor, other)
    submitted_essay(alice, number=1)  # late
    bobs = submitted_essay(bob, number=2, words=2100)  # on time
    services.save_review(bobs, tutor, "pass", "Good.", None, 0)
    passed = submitted_essay(other, number=2, words=2100)
    Review.objects.create(
        submission=passed, tutor=tutor, outcome="pass", feedback="Good.",
        released_at=timezone.now(),
    )  # fmt: skip
    Submission.objects.filter(pk=passed.pk).update(status=Submission.Status.PASSED)

    def seen(**filters):
        return sorted(learners(tutor_client.get(QUEUE, filters)))

    assert seen() == ["Alice", "Bob"]  # waiting, by default
    assert seen(status="waiting") == ["Alice", "Bob"]
    assert seen(status="passed") == ["Fred"]
    assert seen(status="referred") == []
    assert seen(status="all") == ["Alice", "Bob", "Fred"]
    assert seen(assignment=Assignment.objects.get(number=2).pk) == ["Bob"]
    assert seen(cohort=cohort.pk) == ["Alice", "Bob"]
    assert seen(cohort=cohort.pk, status="all") == ["Alice", "Bob"]
    assert seen(outcome="pass") == ["Bob"]
    assert seen(outcome="none") == ["Alice"]
    assert seen(outcome="refer") == []
    assert seen(late="yes") == ["Alice"]
    assert seen(late="no") == ["Bob"]
    assert seen(q="alice") == ["Alice"]
    assert seen(q="bob@example") == ["Bob"]
    assert seen(q="Bob ob") == ["Bob"]
    assert seen(q="nobody") == []


def make_cohort_of(course, tutor, learner):
    from tests.helpers import make_cohort

    return make_cohort(course, "Summer", tutors=[tutor], learners=[learner])


def test_the_cohort_filter_offers_only_the_tutors_cohorts(
    tutor_client, cohort, other_cohort, alice, charlie
):
    form = tutor_client.get(QUEUE).context["form"]
    assert [label for _, label in form.fields["cohort"].choices] == ["All cohorts", "Spring"]
    # Another cohort's number is not a choice: ignored, not a way in.
    submitted_essay(alice)
    submitted_essay(charlie)
    response = tutor_client.get(QUEUE, {"cohort": other_cohort.pk})
    assert learners(response) == ["Alice"]
    assert response.context["ignored"]


@pytest.mark.parametrize(
    "query",
    [
        {"assignment": "abc"},
        {"assignment": "99999999999999999999"},
        {"cohort": "-1"},
        {"status": "draft"},
        {"outcome": "<script>"},
        {"late": "maybe"},
        {"q": "x" * 500},
        {"page": "abc"},
        {"page": "0"},
        {"page": "-3"},
        {"page": "99"},
        {"page": "9" * 40},
        {"page": ""},
        {"status": ["passed", "junk"]},
    ],
)
def test_junk_in_the_address_is_ignored_kindly(tutor_client, alice, cohort, query):
    submitted_essay(alice)
    response = tutor_client.get(QUEUE, query)
    assert learners(response) == ["Alice"]
    assert response.context["page"].number == 1


def test_a_filter_not_understood_is_said_and_the_others_still_apply(
    tutor_client, alice, bob, cohort
):
    submitted_essay(alice)
    response = tutor_client.get(QUEUE, {"late": "maybe", "q": "bob"})
    assert learners(response) == []
    assert "Some filters in the address were not understood" in response.content.decode()
    assert response.context["form"]["q"].value() == "bob"


def test_fifty_to_a_page_and_a_page_past_the_end_shows_the_last(tutor_client, cohort):
    for index in range(60):
        learner = make_user(f"many{index:02}")
        Enrolment.objects.create(cohort=cohort, learner=learner)
        submitted_days_ago(submitted_essay(learner, words=10), 100 - index)
    first = tutor_client.get(QUEUE)
    assert len(first.context["rows"]) == 50 and first.context["count"] == 60
    html = first.content.decode()
    assert "60 essays" in html and 'href="?page=2"' in html
    second = tutor_client.get(QUEUE, {"page": "2"})
    assert learners(second) == [f"Many{index}" for index in range(50, 60)]
    assert tutor_client.get(QUEUE, {"page": "7"}).context["page"].number == 2
    assert learners(tutor_client.get(QUEUE, {"page": "7"})) == learners(second)
    # The filters go with the page links.
    html = tutor_client.get(QUEUE, {"q": "many", "late": "yes"}).content.decode()
    assert 'href="?q=many&amp;late=yes&amp;page=2"' in html


def test_the_essay_is_never_on_the_page(tutor_client, tutor, alice, cohort):
    essay = submitted_essay(alice, number=2, words=2100)
    services.save_review(essay, tutor, "pass", "SECRET-FEEDBACK", None, 0)
    html = tutor_client.get(QUEUE, {"status": "all"}).content.decode()
    assert "word7" not in html and "SECRET-FEEDBACK" not in html


def test_the_essays_text_is_never_read(tutor_client, alice, cohort):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    submitted_essay(alice)
    with CaptureQueriesContext(connection) as queries:
        tutor_client.get(QUEUE)
    rows = [q["sql"] for q in queries if "assessments_submission" in q["sql"]]
    assert len(rows) == 1
    assert '"text"' not in rows[0] and '"text_html"' not in rows[0]
    assert '"feedback"' not in rows[0]


# The queries of one view of the queue, however many rows it has:
#  1. the session; 2. the user with their roles, which scope the rows
#     (courses/learner/access.py);
#  3. their permissions, given to them and through their groups, in one
#     query (accounts/backends.py), for the view's permission check;
#  4. the assignments, and 5. the cohorts, for the filters;
#  6. one page of rows, each with everything it shows (the moderation flag
#     as EXISTS) and, beside it, the number of rows the filters match.
QUEUE_QUERIES = 6


def test_the_query_count_does_not_grow_with_the_queue(
    tutor_client, cohort, django_assert_num_queries
):
    def add(count, prefix):
        for index in range(count):
            learner = make_user(f"{prefix}{index}")
            Enrolment.objects.create(cohort=cohort, learner=learner)
            submitted_essay(learner, words=10)

    add(3, "few")
    tutor_client.get(QUEUE)  # the first view reads what every later one reuses
    with django_assert_num_queries(QUEUE_QUERIES):
        assert len(tutor_client.get(QUEUE).context["rows"]) == 3
    add(57, "many")
    with django_assert_num_queries(QUEUE_QUERIES):
        response = tutor_client.get(QUEUE)
    assert len(response.context["rows"]) == 50 and response.context["count"] == 60


def test_the_changelist_without_filters_opens_the_queue(tutor_client):
    response = tutor_client.get(CHANGELIST)
    assert response.status_code == 302 and response["Location"] == QUEUE
    # With a filter it is still the generic list, for actions on several.
    response = tutor_client.get(CHANGELIST, {"status__exact": "submitted"})
    assert response.status_code == 200 and "cl" in response.context


def test_the_queue_links_to_the_generic_list_for_bulk_actions(tutor_client):
    html = tutor_client.get(QUEUE).content.decode()
    assert (
        f'<a href="{CHANGELIST}?status__exact=submitted">'
        "Release or choose for moderation several at once</a>"
    ) in html


def test_the_admin_front_page_links_to_the_queue(tutor_client, alice, cohort):
    submitted_essay(alice)
    html = tutor_client.get("/admin/").content.decode()
    assert "1 essay waiting for review." in html
    assert f'href="{QUEUE}"' in html


def test_the_page_has_what_every_admin_page_has(tutor_client):
    from django.contrib import admin

    response = tutor_client.get(QUEUE)
    expected = admin.site.each_context(response.wsgi_request)
    assert set(expected) <= set(response.context.keys())
    for key in ("site_title", "site_header", "site_url", "has_permission", "is_popup"):
        assert response.context[key] == expected[key]
    assert 'id="logout-form"' in response.content.decode()


def test_the_caption_says_what_is_listed_and_in_which_order(client, tutor, coordinator):
    client.force_login(tutor)
    assert client.get(QUEUE).context["caption"] == (
        "Essays waiting for feedback: those you are marking first, then the oldest"
    )
    assert client.get(QUEUE, {"status": "passed"}).context["caption"] == (
        "Passed essays, oldest first"
    )
    client.force_login(coordinator)  # reads essays, does not mark them
    assert client.get(QUEUE).context["caption"] == "Essays waiting for feedback, oldest first"


def test_an_empty_queue_says_so(tutor_client, alice, cohort):
    assert "No essays are waiting for feedback." in tutor_client.get(QUEUE).content.decode()
    submitted_essay(alice)
    html = tutor_client.get(QUEUE, {"q": "nobody"}).content.decode()
    assert "No essays match these filters." in html
