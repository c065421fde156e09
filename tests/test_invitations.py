"""Invitations that can be sent again: by a coordinator's action, by importing
the file again, and by "Forgotten your password?" for a learner who never
chose one."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from courses.models import Enrolment
from tests.helpers import log_in
from tests.tasks import run_tasks

pytestmark = pytest.mark.django_db
User = get_user_model()


def import_csv(client, cohort, text):
    return client.post(
        f"/admin/courses/cohort/{cohort.pk}/import-learners/",
        {"file": SimpleUploadedFile("learners.csv", text.encode())},
        follow=True,
    )


@pytest.fixture
def invited(coordinator_client, cohort):
    """Priya was imported; her invitation was sent (and, say, never arrived)."""
    import_csv(coordinator_client, cohort, "Priya,Shah,priya@example.org\n")
    run_tasks()
    mail.outbox.clear()
    return User.objects.get(email="priya@example.org")


def test_importing_the_file_again_reinvites_who_never_logged_in(
    coordinator_client, cohort, invited, alice
):
    alice.last_login = alice.date_joined  # Alice has logged in before
    alice.save()
    response = import_csv(
        coordinator_client, cohort, "Priya,Shah,priya@example.org\nAlice,A,alice@example.org\n"
    )
    html = response.content.decode()
    assert "2 were already in this cohort, and 1 of them, who have never logged in" in html
    run_tasks()
    assert [m.to for m in mail.outbox] == [["priya@example.org"]]
    assert "choose a password" in mail.outbox[0].body


def test_a_coordinator_resends_invitations_from_the_learners_list(
    coordinator_client, cohort, invited, charlie
):
    response = coordinator_client.post(
        "/admin/courses/learner/",
        {"action": "resend_invitation", "_selected_action": [invited.pk, charlie.pk]},
        follow=True,
    )
    # Charlie is in no cohort here (no other_cohort): he gets nothing.
    assert "1 invitation(s) queued" in response.content.decode()
    run_tasks()
    assert [m.to for m in mail.outbox] == [["priya@example.org"]]


def test_a_coordinator_resends_from_the_enrolments_list(coordinator_client, cohort, invited):
    enrolment = Enrolment.objects.get(learner=invited)
    coordinator_client.post(
        "/admin/courses/enrolment/",
        {"action": "resend_invitation", "_selected_action": [enrolment.pk]},
    )
    run_tasks()
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    assert link.startswith("/accounts/reset/")


def test_a_tutor_cannot_resend_invitations(client, tutor, cohort, invited):
    client.force_login(tutor)
    response = client.post(
        "/admin/courses/learner/",
        {"action": "resend_invitation", "_selected_action": [invited.pk]},
    )
    run_tasks()
    assert mail.outbox == [] and response.status_code in (200, 302, 403)


def test_forgotten_password_reaches_an_invited_learner_who_never_chose_one(client, cohort, invited):
    assert not invited.has_usable_password() and invited.last_login is None
    response = client.post("/accounts/password_reset/", {"email": "Priya@Example.org"})
    assert response["Location"] == "/accounts/password_reset/done/"
    run_tasks()
    assert [m.to for m in mail.outbox] == [["priya@example.org"]]
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(
        form, {"new_password1": "my-own-long-password", "new_password2": "my-own-long-password"}
    )
    assert log_in(client, "priya@example.org", "my-own-long-password")


def test_forgotten_password_sends_nothing_to_an_unknown_or_deactivated_address(
    client, cohort, invited
):
    invited.is_active = False
    invited.save()
    for address in ["priya@example.org", "nobody@example.org"]:
        response = client.post("/accounts/password_reset/", {"email": address})
        assert response["Location"] == "/accounts/password_reset/done/"
    run_tasks()
    assert mail.outbox == []
