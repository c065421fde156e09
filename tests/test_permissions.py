"""Who may open what: every admin page and learner URL, for every kind of person.

The matrix (pretix's test_permissions, in miniature): anonymous, a learner,
the tutor of the learner's cohort, the tutor of another cohort, and a
coordinator; 404 where an object belongs to someone else's cohort.
"""

import pytest

from assessments.models import Assignment
from courses.models import Enrolment
from reflections.models import ReflectionPrompt
from sessions.models import Lesson, Session

pytestmark = pytest.mark.django_db

ANON, LEARNER, TUTOR, OTHER_TUTOR, COORDINATOR = (
    "anonymous", "learner", "tutor", "other_tutor", "coordinator",
)  # fmt: skip
PEOPLE = [ANON, LEARNER, TUTOR, OTHER_TUTOR, COORDINATOR]
LOGIN = "login"  # a redirect to a login page

# url template -> expected status for each person, in PEOPLE's order.
# {alice_enrolment} etc. are filled in from the fixtures.
MATRIX = {
    "/admin/": [LOGIN, LOGIN, 200, 200, 200],
    # Course content: coordinators edit; tutors read.
    "/admin/courses/course/": [LOGIN, LOGIN, 200, 200, 200],
    "/admin/courses/course/{course}/change/": [LOGIN, LOGIN, 200, 200, 200],
    "/admin/courses/course/{course}/history/": [LOGIN, LOGIN, 200, 200, 200],
    "/admin/course_sessions/session/": [LOGIN, LOGIN, 200, 200, 200],
    "/admin/course_sessions/session/{session}/change/": [LOGIN, LOGIN, 200, 200, 200],
    "/admin/course_sessions/session/add/": [LOGIN, LOGIN, 403, 403, 200],
    "/admin/course_sessions/lesson/{lesson}/change/": [LOGIN, LOGIN, 200, 200, 200],
    "/admin/course_sessions/lesson/{lesson}/delete/": [LOGIN, LOGIN, 403, 403, 200],
    "/admin/reflections/reflectionprompt/": [LOGIN, LOGIN, 200, 200, 200],
    "/admin/reflections/reflectionprompt/{prompt}/change/": [LOGIN, LOGIN, 200, 200, 200],
    "/admin/assessments/assignment/": [LOGIN, LOGIN, 200, 200, 200],
    "/admin/assessments/assignment/{assignment}/change/": [LOGIN, LOGIN, 200, 200, 200],
    # Cohorts: coordinators run them all; a tutor sees only their own.
    "/admin/courses/cohort/": [LOGIN, LOGIN, 200, 200, 200],
    "/admin/courses/cohort/add/": [LOGIN, LOGIN, 403, 403, 200],
    "/admin/courses/cohort/{cohort}/change/": [LOGIN, LOGIN, 200, 404, 200],
    "/admin/courses/cohort/{other_cohort}/change/": [LOGIN, LOGIN, 404, 200, 200],
    "/admin/courses/cohort/{cohort}/progress/": [LOGIN, LOGIN, 200, 404, 200],
    "/admin/courses/cohort/{cohort}/progress.csv": [LOGIN, LOGIN, 200, 404, 200],
    "/admin/courses/cohort/{cohort}/import-learners/": [LOGIN, LOGIN, 403, 404, 200],
    "/admin/courses/enrolment/": [LOGIN, LOGIN, 200, 200, 200],
    "/admin/courses/enrolment/{alice_enrolment}/change/": [LOGIN, LOGIN, 200, 404, 200],
    "/admin/courses/enrolment/{charlie_enrolment}/change/": [LOGIN, LOGIN, 404, 200, 200],
    "/admin/courses/learner/": [LOGIN, LOGIN, 200, 200, 200],
    "/admin/courses/learner/add/": [LOGIN, LOGIN, 403, 403, 200],
    "/admin/courses/learner/{alice}/change/": [LOGIN, LOGIN, 200, 404, 200],
    "/admin/courses/learner/{charlie}/change/": [LOGIN, LOGIN, 404, 200, 200],
    "/admin/courses/learner/{alice}/delete/": [LOGIN, LOGIN, 403, 403, 403],
    # Staff accounts are the superuser's business.
    "/admin/auth/user/": [LOGIN, LOGIN, 403, 403, 403],
    "/admin/auth/group/": [LOGIN, LOGIN, 403, 403, 403],
    # The learner's site: staff get a preview.
    "/": [LOGIN, 200, 200, 200, 200],
    "/sessions/3/": [LOGIN, 200, 200, 200, 200],
    "/sessions/3/a-personal-story-of-recovery/": [LOGIN, 200, 200, 200, 200],
    "/sessions/12/": [LOGIN, 404, 404, 404, 404],
    "/resources/": [200, 200, 200, 200, 200],
    "/healthz": [200, 200, 200, 200, 200],
}

CELLS = [
    (url, person, status)
    for url, row in MATRIX.items()
    for person, status in zip(PEOPLE, row, strict=True)
]


@pytest.fixture
def people(alice, tutor, other_tutor, coordinator):
    return {
        ANON: None,
        LEARNER: alice,
        TUTOR: tutor,
        OTHER_TUTOR: other_tutor,
        COORDINATOR: coordinator,
    }


@pytest.fixture
def ids(course, cohort, other_cohort, alice, charlie):
    return {
        "course": course.pk,
        "session": Session.objects.get(number=3).pk,
        "lesson": Lesson.objects.get().pk,
        "prompt": ReflectionPrompt.objects.first().pk,
        "assignment": Assignment.objects.first().pk,
        "cohort": cohort.pk,
        "other_cohort": other_cohort.pk,
        "alice": alice.pk,
        "charlie": charlie.pk,
        "alice_enrolment": Enrolment.objects.get(learner=alice).pk,
        "charlie_enrolment": Enrolment.objects.get(learner=charlie).pk,
    }


@pytest.mark.parametrize(("url", "person", "status"), CELLS)
def test_permission_matrix(client, people, ids, url, person, status):
    if people[person] is not None:
        client.force_login(people[person])
    response = client.get(url.format(**ids))
    if status == LOGIN:
        assert response.status_code == 302
        assert "/login/" in response["Location"]
    else:
        assert response.status_code == status


@pytest.mark.parametrize(
    ("person", "sees", "never_sees"),
    [
        (TUTOR, ["alice@example.org", "bob@example.org"], ["charlie@example.org"]),
        (OTHER_TUTOR, ["charlie@example.org"], ["alice@example.org", "bob@example.org"]),
        (COORDINATOR, ["alice@example.org", "charlie@example.org"], ["tina@example.org"]),
    ],
)
@pytest.mark.parametrize("changelist", ["/admin/courses/learner/", "/admin/courses/enrolment/"])
def test_lists_show_only_the_rows_a_person_may_see(
    client, people, ids, person, sees, never_sees, changelist
):
    client.force_login(people[person])
    html = client.get(changelist).content.decode()
    for email in sees:
        assert email in html
    for email in never_sees:
        assert email not in html


def test_tutors_list_only_their_own_cohorts(client, tutor, ids):
    client.force_login(tutor)
    html = client.get("/admin/courses/cohort/").content.decode()
    assert "Spring" in html and "Autumn" not in html


def test_a_tutor_cannot_change_their_cohort_or_its_learners(client, tutor, cohort, alice):
    client.force_login(tutor)
    response = client.post(
        f"/admin/courses/cohort/{cohort.pk}/change/",
        {"course": cohort.course_id, "name": "Renamed", "start_date": "2030-01-01"},
    )
    assert response.status_code == 403
    response = client.post(
        f"/admin/courses/learner/{alice.pk}/change/",
        {"first_name": "Mallory", "last_name": "", "email": "x@example.org", "is_active": "on"},
    )
    assert response.status_code == 403
    alice.refresh_from_db()
    assert alice.first_name == "Alice"
