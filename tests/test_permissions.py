"""Who may open what: every admin page and learner URL, for every kind of person.

The matrix (pretix's test_permissions, in miniature): anonymous, a learner,
the tutor of the learner's cohort, the tutor of another cohort, and a
coordinator; 404 where an object belongs to someone else's cohort.
"""

import pytest

from assessments import services
from assessments.attachments import check_attachment
from assessments.models import Assignment, Criterion, FeedbackSnippet
from calendars.services import feed_for
from courses.models import Enrolment
from outbox.models import Email
from reflections.models import ReflectionPrompt
from reminders.models import Kind
from reminders.unsubscribe import make_token
from sessions.models import Lesson, Session

pytestmark = pytest.mark.django_db

ANON, LEARNER, PEER, OUTSIDER, TUTOR, OTHER_TUTOR, COORDINATOR = (
    "anonymous", "learner", "peer", "outsider", "tutor", "other_tutor", "coordinator",
)  # fmt: skip
PEOPLE = [ANON, LEARNER, PEER, OUTSIDER, TUTOR, OTHER_TUTOR, COORDINATOR]
LOGIN = "login"  # a redirect to a login page
L = LOGIN

# url template -> expected status for each person, in PEOPLE's order: the
# learner (Alice), a peer in her cohort (Bob), a learner of another cohort
# (Charlie), her tutor, another cohort's tutor, a coordinator.
MATRIX = {
    #                                                       anon learn peer  out  tutor other coord
    "/admin/":                                              [L, L, L, L, 200, 200, 200],
    # Course content: coordinators edit; tutors read.
    "/admin/courses/course/":                               [L, L, L, L, 200, 200, 200],
    "/admin/courses/course/{course}/change/":               [L, L, L, L, 200, 200, 200],
    "/admin/courses/course/{course}/history/":              [L, L, L, L, 200, 200, 200],
    "/admin/course_sessions/session/":                      [L, L, L, L, 200, 200, 200],
    "/admin/course_sessions/session/{session}/change/":     [L, L, L, L, 200, 200, 200],
    "/admin/course_sessions/session/add/":                  [L, L, L, L, 403, 403, 200],
    "/admin/course_sessions/lesson/":                       [L, L, L, L, 200, 200, 200],
    "/admin/course_sessions/lesson/{lesson}/change/":       [L, L, L, L, 200, 200, 200],
    "/admin/course_sessions/lesson/{lesson}/delete/":       [L, L, L, L, 403, 403, 200],
    "/admin/reflections/reflectionprompt/":                 [L, L, L, L, 200, 200, 200],
    "/admin/reflections/reflectionprompt/{prompt}/change/": [L, L, L, L, 200, 200, 200],
    "/admin/assessments/assignment/":                       [L, L, L, L, 200, 200, 200],
    "/admin/assessments/assignment/{assignment}/change/":   [L, L, L, L, 200, 200, 200],
    "/admin/assessments/criterion/":                        [L, L, L, L, 200, 200, 200],
    "/admin/assessments/criterion/{criterion}/change/":     [L, L, L, L, 200, 200, 200],
    "/admin/assessments/criterion/{criterion}/history/":    [L, L, L, L, 200, 200, 200],
    "/admin/assessments/criterion/add/":                    [L, L, L, L, 403, 403, 200],
    # Cohorts: coordinators run them all; a tutor sees only their own.
    "/admin/courses/cohort/":                               [L, L, L, L, 200, 200, 200],
    "/admin/courses/cohort/add/":                           [L, L, L, L, 403, 403, 200],
    "/admin/courses/cohort/{cohort}/change/":               [L, L, L, L, 200, 404, 200],
    "/admin/courses/cohort/{other_cohort}/change/":         [L, L, L, L, 404, 200, 200],
    "/admin/courses/cohort/{cohort}/progress/":             [L, L, L, L, 200, 404, 200],
    "/admin/courses/cohort/{cohort}/progress.csv":          [L, L, L, L, 200, 404, 200],
    "/admin/courses/cohort/{cohort}/import-learners/":      [L, L, L, L, 403, 404, 200],
    "/admin/courses/enrolment/":                            [L, L, L, L, 200, 200, 200],
    "/admin/courses/enrolment/{alice_enrolment}/change/":   [L, L, L, L, 200, 404, 200],
    "/admin/courses/enrolment/{charlie_enrolment}/change/": [L, L, L, L, 404, 200, 200],
    "/admin/courses/learner/":                              [L, L, L, L, 200, 200, 200],
    "/admin/courses/learner/add/":                          [L, L, L, L, 403, 403, 200],
    "/admin/courses/learner/{alice}/change/":               [L, L, L, L, 200, 404, 200],
    "/admin/courses/learner/{charlie}/change/":             [L, L, L, L, 404, 200, 200],
    "/admin/courses/learner/{alice}/delete/":               [L, L, L, L, 403, 403, 403],
    # Learners' writing: shared reflections for their tutors only; essays for
    # their tutors and coordinators.
    "/admin/reflections/reflection/":                       [L, L, L, L, 200, 200, 403],
    "/admin/reflections/reflection/{reflection}/change/":   [L, L, L, L, 200, 404, 403],
    "/admin/reflections/reflection/{private}/change/":      [L, L, L, L, 404, 404, 403],
    "/admin/assessments/submission/?status__exact=submitted": [L, L, L, L, 200, 200, 200],
    "/admin/assessments/submission/queue/":                 [L, L, L, L, 200, 200, 200],
    "/admin/assessments/submission/":                       [L, L, L, L, 302, 302, 302],
    "/admin/assessments/submission/{essay}/change/":        [L, L, L, L, 200, 404, 200],
    "/admin/assessments/submission/{essay}/file/":          [L, L, L, L, 200, 404, 200],
    "/admin/assessments/moderation/":                       [L, L, L, L, 200, 200, 200],
    # Feedback snippets: each tutor's own (Tina's here); coordinators have none.
    "/admin/assessments/feedbacksnippet/":                  [L, L, L, L, 200, 200, 403],
    "/admin/assessments/feedbacksnippet/add/":              [L, L, L, L, 200, 200, 403],
    "/admin/assessments/feedbacksnippet/{snippet}/change/": [L, L, L, L, 200, 404, 403],
    "/admin/assessments/feedbacksnippet/{snippet}/delete/": [L, L, L, L, 200, 404, 403],
    # A learner who moved from Tina's cohort to Otto's: her tutors are Otto's
    # now. One who left Tina's cohort and joined none stays with Tina.
    "/admin/assessments/submission/{moved_essay}/change/":  [L, L, L, L, 404, 200, 200],
    "/admin/courses/learner/{moved}/change/":               [L, L, L, L, 404, 200, 200],
    "/admin/reflections/reflection/{moved_shared}/change/": [L, L, L, L, 404, 200, 403],
    "/admin/assessments/submission/{left_essay}/change/":   [L, L, L, L, 200, 404, 200],
    "/admin/courses/learner/{left}/change/":                [L, L, L, L, 200, 404, 200],
    # Registers: a cohort's own tutors and coordinators take them; the marks
    # are read-only rows. Completion and certificates: coordinators.
    "/admin/completion/attendance/register/":              [L, L, L, L, 200, 200, 200],
    "/admin/completion/attendance/register/{cohort}/3/":   [L, L, L, L, 200, 404, 200],
    "/admin/completion/attendance/register/{cohort}/12/":  [L, L, L, L, 404, 404, 404],
    "/admin/completion/attendance/":                       [L, L, L, L, 200, 200, 200],
    "/admin/completion/attendance/{attendance}/change/":   [L, L, L, L, 200, 404, 200],
    "/admin/completion/certificate/":                      [L, L, L, L, 403, 403, 200],
    "/admin/completion/certificate/{certificate}/change/": [L, L, L, L, 403, 403, 200],
    "/admin/completion/certificate/cohort/{cohort}/":      [L, L, L, L, 403, 403, 200],
    "/admin/completion/certificate/cohort/{cohort}/completion.csv": [L, L, L, L, 403, 403, 200],
    "/admin/completion/certificatesettings/":              [L, L, L, L, 403, 403, 302],
    # The audit trail of staff actions on people: coordinators only.
    "/admin/courses/learner/{alice}/history/":              [L, L, L, L, 403, 404, 200],
    "/admin/courses/enrolment/{alice_enrolment}/history/":  [L, L, L, L, 403, 404, 200],
    "/admin/privacy/erasurerequest/":                       [L, L, L, L, 403, 403, 200],
    # Outgoing mail: coordinators see it and retry what failed.
    "/admin/outbox/email/":                                 [L, L, L, L, 403, 403, 200],
    "/admin/outbox/email/{email}/change/":                  [L, L, L, L, 403, 403, 200],
    "/admin/outbox/email/add/":                             [L, L, L, L, 403, 403, 403],
    # The task queue's own rows: for whoever runs the site (superusers).
    "/admin/django_tasks_database/dbtaskresult/":           [L, L, L, L, 403, 403, 403],
    # Staff accounts are the superuser's business.
    "/admin/auth/user/":                                    [L, L, L, L, 403, 403, 403],
    "/admin/auth/group/":                                   [L, L, L, L, 403, 403, 403],
    # The learner's site: staff get a preview, with nothing of anyone's own.
    "/":                                                    [L, 200, 200, 200, 200, 200, 200],
    "/sessions/3/":                                         [L, 200, 200, 200, 200, 200, 200],
    "/sessions/3/a-personal-story-of-recovery/":            [L, 200, 200, 200, 200, 200, 200],
    "/sessions/12/":                                        [L, 404, 404, 404, 404, 404, 404],
    "/journal/":                                            [L, 200, 200, 200, 200, 200, 200],
    "/journal/export/":                                     [L, 200, 200, 200, 200, 200, 200],
    "/journal/{reflection}/delete/":                        [L, 200, 404, 404, 404, 404, 404],
    "/assignments/1/":                                      [L, 200, 200, 200, 200, 200, 200],
    "/assignments/1/attempts/1/file/":                      [L, 200, 404, 404, 404, 404, 404],
    "/assignments/3/":                                      [L, 404, 404, 404, 404, 404, 404],
    "/account/":                                            [L, 200, 200, 200, 200, 200, 200],
    "/account/data/":                                       [L, 200, 200, 200, 200, 200, 200],
    # Changing one's own email address, and two-step sign-in.
    "/accounts/email/":                                     [L, 200, 200, 200, 200, 200, 200],
    "/accounts/two-step/set-up/":                           [L, 200, 200, 200, 200, 200, 200],
    "/accounts/two-step/":                                  [L, 302, 302, 302, 302, 302, 302],
    # Alice's certificate is hers alone; checking one is public, and finds
    # nothing until she turns checking on.
    "/certificates/{certificate}/certificate.pdf":          [L, 200, 404, 404, 404, 404, 404],
    "/certificates/verify/":                                [200, 200, 200, 200, 200, 200, 200],
    "/certificates/verify/?code={certificate_code}":        [404, 404, 404, 404, 404, 404, 404],
    "/certificates/verify/?code={checkable_code}":          [200, 200, 200, 200, 200, 200, 200],
    "/resources/":                                          [200, 200, 200, 200, 200, 200, 200],
    "/healthz":                                             [200, 200, 200, 200, 200, 200, 200],
    # A calendar feed: the token is the authority (calendar apps send no
    # login), so whoever holds Alice's gets her feed, logged in or not, and
    # it shows only her events (tests/test_calendar_feed.py); any other
    # address finds nothing.
    "/calendar/{alice_calendar_token}.ics":                 [200, 200, 200, 200, 200, 200, 200],
    "/calendar/not-a-token.ics":                            [404, 404, 404, 404, 404, 404, 404],
    # An email's unsubscribe link: the signed token is the authority (mail
    # programs send no login); opening it only shows the button.
    "/unsubscribe/{alice_unsubscribe_token}/":              [200, 200, 200, 200, 200, 200, 200],
    "/unsubscribe/not-a-token/":                            [400, 400, 400, 400, 400, 400, 400],
}  # fmt: skip

# The same people sending the forms and actions (POST), with what each gets:
# a page (200), a redirect after doing it or saying why not (302), a refusal
# (403), nothing there for them (404), or the login page (L).
POST_MATRIX = {
    #                                                    anon learn peer out tutor other coord
    "/journal/prompts/{prompt}/":                              [L, 302, 302, 302, 404, 404, 404],
    "/journal/{reflection}/delete/":                           [L, 302, 404, 404, 404, 404, 404],
    "/sessions/3/complete/":                                   [L, 302, 302, 302, 302, 302, 302],
    # Alice's essay is submitted: her draft can no longer change (409).
    "/assignments/1/draft/":                                   [L, 409, 302, 302, 404, 404, 404],
    "/assignments/1/preview/":                                 [L, 200, 200, 200, 404, 404, 404],
    "/assignments/1/attachment/":                              [L, 302, 302, 302, 404, 404, 404],
    "/assignments/1/submit/":                                  [L, 302, 302, 302, 404, 404, 404],
    "/account/erasure/":                                       [L, 302, 302, 302, 302, 302, 302],
    "/accounts/keep-alive/":                                   [L, 200, 200, 200, 200, 200, 200],
    "/accounts/email/":                                        [L, 200, 200, 200, 200, 200, 200],
    # New recovery codes only for a login that passed its second step.
    "/accounts/two-step/recovery-codes/":                      [L, 302, 302, 302, 200, 200, 200],
    "/accounts/two-step/turn-off/":                            [L, 302, 302, 302, 302, 302, 302],
    "/admin/markdown-preview/":                                [L, L, L, L, 200, 200, 200],
    # Apologies: a learner's own (staff only preview the session page).
    "/sessions/4/apologies/":                                  [L, 302, 302, 302, 404, 404, 404],
    "/certificates/{certificate}/verification/":               [L, 302, 404, 404, 404, 404, 404],
    "/certificates/name/":                                     [L, 302, 302, 302, 302, 302, 302],
    # Reading preferences: everyone's own.
    "/account/reading/":                                       [L, 302, 302, 302, 302, 302, 302],
    # A new calendar address: everyone's own (back to the account page).
    "/account/calendar/reset/":                                [L, 302, 302, 302, 302, 302, 302],
    # Email choices: everyone's own. Unsubscribing: whoever holds the link.
    "/account/reminders/":                                     [L, 302, 302, 302, 302, 302, 302],
    "/unsubscribe/{alice_unsubscribe_token}/":                 [200, 200, 200, 200, 200, 200, 200],
    # Marking a register: the cohort's tutor and coordinators (back to the
    # register without JavaScript; JSON to a fetch, tests/test_completion.py).
    "/admin/completion/attendance/register/{cohort}/3/":       [L, L, L, L, 302, 404, 302],
    # Issuing certificates: coordinators only (a redirect back, saying why not).
    "/admin/completion/certificate/cohort/{cohort}/":          [L, L, L, L, 403, 403, 302],
    # Reviewing: Alice's tutor saves feedback; Otto cannot see the essay; a
    # coordinator reads it but does not review.
    "/admin/assessments/submission/{essay}/change/":           [L, L, L, L, 302, 404, 403],
    # Saving a snippet from the marking page: tutors, each as their own.
    "/admin/assessments/feedbacksnippet/quick-add/":           [L, L, L, L, 302, 302, 403],
    # Actions act on the rows a person sees, and only with the permission:
    # tutors get the list back with nothing done (200).
    "/admin/assessments/submission/?status__exact=submitted":  [L, L, L, L, 302, 302, 302],
    "/admin/courses/enrolment/":                               [L, L, L, L, 200, 200, 302],
    "/admin/courses/learner/":                                 [L, L, L, L, 200, 200, 302],
    "/admin/outbox/email/":                                    [L, L, L, L, 403, 403, 302],
    "/admin/courses/cohort/{cohort}/import-learners/":         [L, L, L, L, 403, 404, 200],
}  # fmt: skip

POST_DATA = {
    "/journal/prompts/{prompt}/": {"text": "A new answer", "version": ""},
    "/assignments/1/draft/": {"text": "Some words"},
    "/assignments/1/preview/": {"text": "Some *words*"},
    "/assignments/1/submit/": {"declaration": "on"},
    "/accounts/two-step/turn-off/": {"password": "wrong"},
    "/accounts/email/": {"email": "new@example.org", "password": "wrong"},
    "/admin/markdown-preview/": {"text": "Some *words*"},
    "/account/reminders/": {"session_tomorrow": "on"},
    "/unsubscribe/{alice_unsubscribe_token}/": {"List-Unsubscribe": "One-Click"},
    "/account/reading/": {
        "text_size": "large", "line_spacing": "standard", "font": "standard",
        "colour_scheme": "system",
    },
    "/admin/assessments/submission/{essay}/change/": {
        "outcome": "pass", "feedback": "Good.", "outcome_reason": "", "resubmit_by": "",
        "base_version": 0, "_save": "1",
        "passages-TOTAL_FORMS": "1", "passages-INITIAL_FORMS": "0",
        "passages-MIN_NUM_FORMS": "0", "passages-MAX_NUM_FORMS": "1000",
        "passages-0-passage": "word1 word2", "passages-0-comment": "A comment.",
    },
    "/admin/assessments/feedbacksnippet/quick-add/": {
        "snippet-title": "Hope", "snippet-text": "Say more about hope.", "next": "/admin/",
    },
    "/admin/assessments/submission/?status__exact=submitted": {
        "action": "release_feedback", "_selected_action": ["{essay}"],
    },
    "/admin/courses/enrolment/": {
        "action": "withdraw_learners", "_selected_action": ["{alice_enrolment}"],
    },
    "/admin/courses/learner/": {"action": "resend_invitation", "_selected_action": ["{alice}"]},
    "/admin/outbox/email/": {"action": "retry_emails", "_selected_action": ["{email}"]},
    "/sessions/4/apologies/": {"note": "A hospital appointment"},
    "/certificates/{certificate}/verification/": {"enabled": "1"},
    "/certificates/name/": {"name_on_certificate": "Alice M. Example"},
    "/admin/completion/attendance/register/{cohort}/3/": {"mark": "{alice_enrolment}:present"},
    "/admin/completion/certificate/cohort/{cohort}/": {"enrolment": ["{bob_enrolment}"]},
}  # fmt: skip


@pytest.fixture
def people(alice, bob, charlie, tutor, other_tutor, coordinator):
    return {
        ANON: None,
        LEARNER: alice,
        PEER: bob,
        OUTSIDER: charlie,
        TUTOR: tutor,
        OTHER_TUTOR: other_tutor,
        COORDINATOR: coordinator,
    }


@pytest.fixture
def ids(course, cohort, other_cohort, alice, charlie):
    from reflections.models import Reflection
    from tests.essays import PDF_BYTES, essay_of, upload

    prompts = list(ReflectionPrompt.objects.all()[:2])
    shared = Reflection.objects.create(
        learner=alice, prompt=prompts[0], text="shared", shared_with_tutor=True
    )
    private = Reflection.objects.create(learner=alice, prompt=prompts[1], text="private")
    assignment = Assignment.objects.get(number=1)
    services.start_draft(alice, assignment)
    services.save_draft(alice, assignment, essay_of(1600))
    services.attach_file(
        alice, assignment, upload("e.pdf", PDF_BYTES), check_attachment(upload("e.pdf", PDF_BYTES))
    )
    essay = services.submit(alice, assignment, True, True)
    moved, moved_essay, moved_shared = _moved_learner(cohort, other_cohort, prompts[0])
    certificate, checkable, attendance = _certificates(alice, charlie)
    left, left_essay = _learner_who_left(cohort)
    return {
        "moved": moved.pk,
        "moved_essay": moved_essay.pk,
        "moved_shared": moved_shared.pk,
        "left": left.pk,
        "left_essay": left_essay.pk,
        "reflection": shared.pk,
        "private": private.pk,
        "essay": essay.pk,
        "course": course.pk,
        "session": Session.objects.get(number=3).pk,
        "lesson": Lesson.objects.get().pk,
        "prompt": ReflectionPrompt.objects.first().pk,
        "assignment": Assignment.objects.first().pk,
        "criterion": Criterion.objects.first().pk,
        "snippet": FeedbackSnippet.objects.create(
            tutor=cohort.tutors.get(), title="Hope", text="Say more about hope."
        ).pk,
        "cohort": cohort.pk,
        "other_cohort": other_cohort.pk,
        "alice": alice.pk,
        "charlie": charlie.pk,
        "alice_enrolment": Enrolment.objects.get(learner=alice).pk,
        "charlie_enrolment": Enrolment.objects.get(learner=charlie).pk,
        "email": Email.objects.get(recipient=alice).pk,  # her receipt
        "bob_enrolment": Enrolment.objects.get(learner__username="bob").pk,
        "attendance": attendance.pk,
        "certificate": certificate.pk,
        "certificate_code": certificate.code,
        "checkable_code": checkable.code,
        "alice_calendar_token": feed_for(alice).token,
        "alice_unsubscribe_token": make_token(alice.pk, Kind.SESSION_TOMORROW),
    }


def _certificates(alice, charlie):
    """Alice's certificate (checking it is off, as always at first), and
    Charlie's, which he lets anyone check; Alice's mark for session 2."""
    from completion.models import Attendance, Certificate

    def certificate(learner, **fields):
        return Certificate.objects.create(
            enrolment=Enrolment.objects.get(learner=learner),
            name=learner.get_full_name(),
            course_title="Peer Support Training",
            completed_on="2026-06-30",
            **fields,
        )

    attendance = Attendance.objects.create(
        enrolment=Enrolment.objects.get(learner=alice),
        session=Session.objects.get(number=2),
        status=Attendance.Status.PRESENT,
    )
    return certificate(alice), certificate(charlie, verification_enabled=True), attendance


def _moved_learner(cohort, other_cohort, prompt):
    """Dana wrote and shared in Tina's cohort, then moved to Otto's."""
    from reflections.models import Reflection
    from tests.essays import submitted_essay
    from tests.helpers import make_user

    dana = make_user("dana")
    Enrolment.objects.create(cohort=cohort, learner=dana, withdrawn_at="2026-01-01T00:00Z")
    Enrolment.objects.create(cohort=other_cohort, learner=dana)
    shared = Reflection.objects.create(
        learner=dana, prompt=prompt, text="shared", shared_with_tutor=True
    )
    return dana, submitted_essay(dana), shared


def _learner_who_left(cohort):
    """Eve submitted in Tina's cohort, then left it, and studies nowhere now."""
    from tests.essays import submitted_essay
    from tests.helpers import make_user

    eve = make_user("eve")
    Enrolment.objects.create(cohort=cohort, learner=eve)
    essay = submitted_essay(eve)
    Enrolment.objects.filter(learner=eve).update(withdrawn_at="2026-01-01T00:00Z")
    return eve, essay


def seen_by_everyone(client, people, send) -> dict:
    """What each person gets from ``send(client)``, in the matrix's notation.
    One row's data serves all seven people: setting it up is most of a
    test's time."""
    seen = {}
    for person in PEOPLE:
        client.logout()
        if people[person] is not None:
            client.force_login(people[person])
        response = send(client)
        location = response.get("Location", "")
        seen[person] = (
            LOGIN
            if response.status_code == 302 and "/login/" in location
            else (response.status_code)
        )
    return seen


@pytest.mark.parametrize("url", MATRIX)
def test_permission_matrix(client, people, ids, url):
    seen = seen_by_everyone(client, people, lambda c: c.get(url.format(**ids)))
    assert seen == dict(zip(PEOPLE, MATRIX[url], strict=True))


@pytest.mark.parametrize("url", POST_MATRIX)
def test_post_matrix(client, people, ids, url):
    data = {
        key: [v.format(**ids) for v in value] if isinstance(value, list) else value
        for key, value in POST_DATA.get(url, {}).items()
    }
    seen = seen_by_everyone(client, people, lambda c: c.post(url.format(**ids), data))
    assert seen == dict(zip(PEOPLE, POST_MATRIX[url], strict=True))


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
