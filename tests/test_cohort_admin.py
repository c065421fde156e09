"""The coordinator's cohort admin: progress report, CSV, chart, what to do
next, and changelists whose query counts do not grow with their rows."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses.models import Cohort, Enrolment
from sessions.models import Session
from tests.helpers import inline_management, make_cohort, make_user

pytestmark = pytest.mark.django_db


def test_progress_report_counts_sessions_and_never_shows_writing(
    coordinator_client, cohort, alice, bob
):
    for number in (1, 2, 3):
        Session.objects.get(number=number).completions.create(learner=alice)
    Session.objects.get(number=1).completions.create(learner=bob)
    response = coordinator_client.get(f"/admin/courses/cohort/{cohort.pk}/progress/")
    report = response.context["report"]
    rows = {row.enrolment.learner.username: row for row in report.rows}
    assert rows["alice"].sessions_completed == 3
    assert rows["bob"].sessions_completed == 1
    assert [bar.completed for bar in report.bars][:4] == [2, 1, 1, 0]
    assert [bar.percent for bar in report.bars][:4] == [100, 50, 50, 0]
    html = response.content.decode()
    assert '<svg class="progress-chart" role="img"' in html
    assert 'width="450.0"' in html and 'width="225.0"' in html
    assert "Download as CSV" in html


def test_progress_csv(coordinator_client, cohort, alice):
    alice.first_name = "=HYPERLINK(evil)"
    alice.save()
    Session.objects.get(number=1).completions.create(learner=alice)
    response = coordinator_client.get(f"/admin/courses/cohort/{cohort.pk}/progress.csv")
    assert response["Content-Type"] == "text/csv"
    assert "attachment;" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:5] == [
        "Learner", "Email", "Status", "Sessions completed", "Reflections written",
    ]  # fmt: skip
    by_email = {row[1]: row for row in rows[1:]}
    assert by_email["alice@example.org"][3] == "1"
    assert by_email["alice@example.org"][0].startswith("'=")  # no formula injection
    assert by_email["bob@example.org"][2] == "Enrolled"


def test_withdrawn_learners_are_listed_but_not_counted_in_the_chart(
    coordinator_client, cohort, alice, bob
):
    Session.objects.get(number=1).completions.create(learner=alice)
    Enrolment.objects.filter(learner=alice).update(withdrawn_at=timezone.now())
    report = coordinator_client.get(f"/admin/courses/cohort/{cohort.pk}/progress/").context[
        "report"
    ]
    assert report.active_count == 1
    assert report.bars[0].completed == 0
    assert len(report.rows) == 2


def test_admin_front_page_says_what_to_do_next(coordinator_client, client, tutor, course):
    soon = timezone.localdate() + timedelta(days=5)
    make_cohort(course, "Starting soon", start=soon)
    make_cohort(course, "Tutored soon", start=soon, tutors=[tutor])
    html = coordinator_client.get("/admin/").content.decode()
    assert "What to do next" in html
    assert "“Starting soon” starts on" in html and "has no tutor yet" in html
    client.force_login(tutor)
    html = client.get("/admin/").content.decode()
    assert "“Tutored soon” starts on" in html
    assert "Starting soon" not in html


def test_creating_a_cohort_in_the_admin_fills_in_its_timetable(coordinator_client, course, tutor):
    response = coordinator_client.post(
        "/admin/courses/cohort/add/",
        {
            "course": course.pk,
            "name": "Summer",
            "start_date": "2027-06-07",
            "contact_email": "",
            "tutors": [tutor.pk],
            **empty_inlines(),
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    cohort = Cohort.objects.get(name="Summer")
    assert cohort.releases.count() == 11
    assert cohort.releases.get(session__number=11).opens_on.isoformat() == "2027-08-16"
    assert cohort.deadlines.count() == 2


def test_open_every_session_now_action(coordinator_client, course):
    cohort = make_cohort(course, "Later", start=timezone.localdate() + timedelta(days=30))
    coordinator_client.post(
        "/admin/courses/cohort/",
        {"action": "open_all_sessions", "_selected_action": [cohort.pk]},
    )
    assert not cohort.releases.filter(opens_on__gt=timezone.localdate()).exists()


def empty_inlines():
    return inline_management("releases", "deadlines", "enrolments")


def add_learners(cohort, count, prefix):
    for index in range(count):
        learner = make_user(f"{prefix}{index}")
        Enrolment.objects.create(cohort=cohort, learner=learner)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/courses/cohort/",
        "/admin/courses/enrolment/",
        "/admin/courses/learner/",
        "/admin/course_sessions/session/",
        "/admin/course_sessions/lesson/",
        "/admin/reflections/reflectionprompt/",
        "/admin/courses/cohort/{cohort}/progress/",
    ],
)
def test_admin_changelists_queries_do_not_grow_with_rows(coordinator_client, course, url):
    cohort = make_cohort(course, "Big")
    add_learners(cohort, 3, "small")
    url = url.format(cohort=cohort.pk)
    # The front page's storage check is cached for a while (peersupport/
    # orphans.py): the first page of a fresh cache runs it, the rest do not.
    coordinator_client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert coordinator_client.get(url).status_code == 200
    for index in range(20):
        make_cohort(course, f"Extra {index}")
    add_learners(cohort, 40, "big")
    with CaptureQueriesContext(connection) as many:
        assert coordinator_client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_the_cohort_list_says_what_to_do_next_too(coordinator_client, course):
    make_cohort(course, "Next week", start=timezone.localdate() + timedelta(days=7))
    html = coordinator_client.get("/admin/courses/cohort/").content.decode()
    assert "What to do next" in html and "“Next week” starts on" in html


def test_an_empty_progress_report_spans_every_column(coordinator_client, course):
    cohort = make_cohort(course, "Empty")
    html = coordinator_client.get(f"/admin/courses/cohort/{cohort.pk}/progress/").content.decode()
    columns = html.split("<thead>")[1].split("</thead>")[0].count("<th ")
    assert columns == 7 and f'colspan="{columns}"' in html
