"""What an outside attack found about accounts, each shown fixed: the lock-out
cannot be walked around by spelling a name differently; coordinators can
save a learner; an email address cannot be used to take an account over;
a tutor a learner has left no longer sees their work; and staff actions on
people are kept, for coordinators to read."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from accounts.email_change import confirmation_token
from courses.models import Enrolment
from reflections.models import Reflection, ReflectionPrompt
from tests.essays import submitted_essay
from tests.helpers import PASSWORD, log_in, make_cohort
from tests.tasks import run_tasks

pytestmark = pytest.mark.django_db
User = get_user_model()


def attempt(client, username, password="wrong", ip="10.0.0.1"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


# ---------------------------------------------------------------- lock-out


@pytest.mark.parametrize(
    "spellings",
    [
        ["alice", "ALICE", " alice ", "alice@example.org", "Alice@Example.ORG "],
        [
            "alice@example.org",
            "ALICE@example.org",
            "aLiCe@EXAMPLE.org",
            "alice@example.org ",
            "alice",
        ],
    ],
)
def test_five_failures_lock_the_account_however_its_name_is_typed(client, alice, cohort, spellings):
    for typed in spellings[:4]:
        assert attempt(client, typed).status_code == 200
    assert attempt(client, spellings[4]).status_code == 429
    for typed in ["alice", "ALICE@EXAMPLE.ORG", " Alice "]:
        assert attempt(client, typed, PASSWORD).status_code == 429, typed
    # From another address the account is still open, by any spelling.
    assert attempt(client, "Alice@example.org", PASSWORD, ip="10.0.0.2").status_code == 302


def test_a_success_typed_as_an_email_resets_the_count(client, alice, cohort):
    for _ in range(4):
        attempt(client, "alice")
    assert attempt(client, " ALICE@example.org", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert attempt(client, "Alice").status_code == 200
    assert attempt(client, "alice", PASSWORD).status_code == 302


def test_every_spelling_of_an_unknown_name_shares_its_five_tries(client, db):
    for typed in [
        "Nobody@example.org",
        "nobody@example.org ",
        "NOBODY@EXAMPLE.ORG",
        "nobody@example.org",
    ]:
        assert attempt(client, typed).status_code == 200
    assert attempt(client, " nobody@Example.org").status_code == 429


# ---------------------------------------------------------------- learners in the admin


def change_learner(client, learner, **changes):
    data = {
        "first_name": learner.first_name,
        "last_name": learner.last_name,
        "email": learner.email,
        "is_active": "on" if learner.is_active else "",
        **changes,
    }
    return client.post(f"/admin/courses/learner/{learner.pk}/change/", data)


def test_a_coordinator_corrects_a_learners_name_and_deactivates_them(
    coordinator_client, alice, cohort
):
    response = change_learner(coordinator_client, alice, first_name="Alicia", is_active="")
    assert response.status_code == 302, response.content.decode()[-2000:]
    alice.refresh_from_db()
    assert (alice.first_name, alice.is_active) == ("Alicia", False)


def test_staff_may_correct_the_email_of_an_account_never_used_and_both_addresses_hear(
    coordinator_client, alice, cohort
):
    assert alice.last_login is None
    response = change_learner(coordinator_client, alice, email="alice.new@example.org")
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.email == "alice.new@example.org"
    run_tasks()
    by_address = {m.to[0]: m for m in mail.outbox}
    assert (
        "was changed to a•••••@example.org by the course team"
        in by_address["alice@example.org"].body
    )
    assert "You have a place" in by_address["alice.new@example.org"].body  # the invitation


def test_staff_cannot_change_the_email_of_an_account_in_use(coordinator_client, alice, cohort):
    log_in(coordinator_client.__class__(), "alice")  # Alice has used her account
    alice.refresh_from_db()
    page = coordinator_client.get(f"/admin/courses/learner/{alice.pk}/change/").content.decode()
    assert 'name="email"' not in page
    assert "only they can change their email address" in page
    change_learner(coordinator_client, alice, email="mallory@example.org")
    alice.refresh_from_db()
    assert alice.email == "alice@example.org"


def test_not_even_a_superuser_can_open_a_learners_account_or_set_its_password(
    client, alice, cohort
):
    admin = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    client.force_login(admin)
    assert client.get(f"/admin/auth/user/{alice.pk}/change/").status_code == 404
    assert client.get(f"/admin/auth/user/{alice.pk}/password/").status_code == 404
    response = client.post(
        f"/admin/auth/user/{alice.pk}/password/",
        {"password1": "taken-over-123", "password2": "taken-over-123"},
    )
    assert response.status_code == 404
    alice.refresh_from_db()
    assert not alice.check_password("taken-over-123")
    assert client.get(f"/admin/auth/user/{admin.pk}/change/").status_code == 200


def test_a_learner_changes_their_own_email_once_the_new_address_confirms(client, alice, cohort):
    client.force_login(alice)
    response = client.post(
        "/accounts/email/", {"email": "alice@new.example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.email == "alice@example.org"  # not until confirmed
    run_tasks()
    notice = next(m for m in mail.outbox if m.to == ["alice@example.org"])
    assert "It changes only once that address confirms it" in notice.body
    confirm = next(m for m in mail.outbox if m.to == ["alice@new.example.org"])
    link = confirm.body.split("http://testserver", 1)[1].split()[0]
    assert client.get(link).status_code == 200
    client.post(link)
    alice.refresh_from_db()
    assert alice.email == "alice@new.example.org"
    # The link works once: the address it was made for has changed.
    client.post(link)
    alice.refresh_from_db()
    assert alice.email == "alice@new.example.org"


def test_the_wrong_password_or_someone_elses_link_changes_nothing(client, alice, bob, cohort):
    client.force_login(alice)
    response = client.post("/accounts/email/", {"email": "x@example.org", "password": "no"})
    assert "That password is not right" in response.content.decode()
    token = confirmation_token(bob, "bob-stolen@example.org")
    client.post(f"/accounts/email/confirm/{token}/", follow=True)
    bob.refresh_from_db()
    assert bob.email == "bob@example.org"


# ---------------------------------------------------------------- former tutors


@pytest.fixture
def moved_alice(course, alice, tutor, other_tutor, cohort, other_cohort):
    """Alice wrote and shared in Tina's cohort, then moved to Otto's."""
    prompt = ReflectionPrompt.objects.first()
    Reflection.objects.create(learner=alice, prompt=prompt, text="shared", shared_with_tutor=True)
    essay = submitted_essay(alice)
    Enrolment.objects.filter(learner=alice).update(withdrawn_at="2026-01-01T00:00Z")
    Enrolment.objects.create(cohort=other_cohort, learner=alice)
    return essay


def test_a_tutor_a_learner_has_left_sees_none_of_their_work(
    client, tutor, other_tutor, moved_alice
):
    alice = moved_alice.learner
    reflection = Reflection.objects.get(learner=alice)
    urls = [
        f"/admin/assessments/submission/{moved_alice.pk}/change/",
        f"/admin/courses/learner/{alice.pk}/change/",
        f"/admin/reflections/reflection/{reflection.pk}/change/",
    ]
    client.force_login(tutor)
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    assert "alice@example.org" not in client.get("/admin/courses/learner/").content.decode()
    client.force_login(other_tutor)
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]


def test_a_learner_who_left_every_cohort_stays_with_the_tutors_of_the_last(
    client, course, tutor, other_tutor, alice, cohort, other_cohort
):
    essay = submitted_essay(alice)
    Enrolment.objects.filter(learner=alice).update(withdrawn_at="2026-01-01T00:00Z")
    url = f"/admin/assessments/submission/{essay.pk}/change/"
    client.force_login(tutor)
    assert client.get(url).status_code == 200
    client.force_login(other_tutor)
    assert client.get(url).status_code == 404


# ---------------------------------------------------------------- the audit trail


def test_staff_actions_on_people_are_kept_for_coordinators(
    coordinator_client, client, coordinator, tutor, alice, cohort
):
    enrolment = Enrolment.objects.get(learner=alice)
    change_learner(coordinator_client, alice, first_name="Alicia")
    coordinator_client.post(
        "/admin/courses/enrolment/",
        {"action": "withdraw_learners", "_selected_action": [enrolment.pk]},
    )
    history = coordinator_client.get(f"/admin/courses/learner/{alice.pk}/history/")
    html = history.content.decode()
    assert history.status_code == 200 and "Cora" in html and "Alicia" in html
    enrolment_history = coordinator_client.get(
        f"/admin/courses/enrolment/{enrolment.pk}/history/"
    ).content.decode()
    assert "Cora" in enrolment_history
    withdrawal = enrolment.history.order_by("-history_date").first()
    assert withdrawal.history_user == coordinator and withdrawal.withdrawn_at is not None
    # Tutors cannot read it, and nobody can revert a person from it.
    tutors_client = client.__class__()
    tutors_client.force_login(tutor)
    assert tutors_client.get(f"/admin/courses/learner/{alice.pk}/history/").status_code == 403
    record = alice.history.order_by("history_date").first()
    revert = coordinator_client.get(
        f"/admin/courses/learner/{alice.pk}/history/{record.history_id}/"
    ).content.decode()
    assert 'name="_save"' not in revert and "Revert" not in revert  # read only


def test_a_login_is_not_recorded_as_a_change_of_the_account(client, alice, cohort):
    before = alice.history.count()
    log_in(client, "alice")
    alice.refresh_from_db()
    assert alice.last_login is not None
    assert alice.history.count() == before


def test_erasing_a_learner_removes_their_accounts_old_details(
    coordinator_client, coordinator, alice, cohort
):
    from privacy.services import erase, request_erasure

    change_learner(coordinator_client, alice, first_name="Alicia")
    erase(request_erasure(alice), coordinator)
    names = list(alice.history.values_list("first_name", "email"))
    assert names == [("", "")]


def test_moved_learner_has_one_current_cohort(course, alice, cohort):
    later = make_cohort(course, "Later")
    Enrolment.objects.filter(learner=alice).update(withdrawn_at="2026-01-01T00:00Z")
    Enrolment.objects.create(cohort=later, learner=alice)
    assert [e.cohort for e in Enrolment.objects.current().filter(learner=alice)] == [later]


@pytest.mark.parametrize(
    ("proxies", "forwarded", "seen"),
    [
        (0, "6.6.6.6", "127.0.0.1"),  # no proxy: whatever the header says is ignored
        (1, "203.0.113.9", "203.0.113.9"),  # nginx wrote the client's address
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # the client's own claim is ignored
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.5", "203.0.113.9"),  # a balancer, then nginx
        (2, "203.0.113.9", "127.0.0.1"),  # fewer than expected: the nearest address
    ],
)
def test_the_lock_out_counts_the_clients_own_address(rf, settings, proxies, forwarded, seen):
    from accounts.backends import client_address

    settings.PROXY_COUNT = proxies
    request = rf.post("/accounts/login/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="127.0.0.1")
    assert client_address(request) == seen
