"""Logging in and out, changing and resetting a password, with Django's views."""

import re

import pytest
from django.core import mail

from tests.helpers import PASSWORD
from tests.tasks import worker_runs_after

pytestmark = pytest.mark.django_db


def test_login_then_back_to_the_page_asked_for(client, alice, course):
    response = client.post(
        "/accounts/login/",
        {"username": "alice", "password": PASSWORD, "next": "/sessions/3/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/sessions/3/"


def test_login_to_another_site_is_refused(client, alice, course):
    response = client.post(
        "/accounts/login/",
        {"username": "alice", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_a_wrong_password_keeps_the_username_and_says_so_kindly(client, alice):
    response = client.post("/accounts/login/", {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "That email or username and password don’t match an account" in html
    assert 'value="alice"' in html


def test_the_login_field_says_it_takes_an_email_or_a_username(client, alice, course):
    html = client.get("/accounts/login/").content.decode()
    assert re.search(r'<label\s+for="id_username"[^>]*>\s*Email or username', html)
    assert 'autocomplete="username"' in html
    # An email address may be longer than a username's 150 characters.
    assert 'maxlength="150"' not in html
    response = client.post(
        "/accounts/login/", {"username": "ALICE@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/"


def test_logout_is_a_post(alice_client):
    assert alice_client.get("/accounts/logout/").status_code == 405
    assert alice_client.get("/").status_code == 200  # the GET logged nobody out
    response = alice_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/logged-out/"
    assert alice_client.get("/").status_code == 302


def test_logging_out_ends_on_a_kind_page_with_log_in_again_and_support(alice_client):
    response = alice_client.post("/accounts/logout/", follow=True)
    assert response.redirect_chain == [("/accounts/logged-out/", 302)]
    html = response.content.decode()
    assert "<h1>You have logged out</h1>" in html
    assert '<a class="btn btn-primary" href="/accounts/login/">Log in again</a>' in html
    assert 'href="/resources/#support-right-now">Find support now</a>' in html
    assert not response.wsgi_request.user.is_authenticated


def test_the_logged_out_page_sends_someone_still_logged_in_to_their_start(
    client, alice, coordinator, cohort
):
    client.force_login(alice)
    assert client.get("/accounts/logged-out/")["Location"] == "/"
    client.force_login(coordinator)
    assert client.get("/accounts/logged-out/")["Location"] == "/admin/"


def test_logging_out_of_the_admin_ends_on_the_same_page(coordinator_client):
    response = coordinator_client.post("/admin/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/logged-out/"


def test_password_change(alice_client, alice):
    response = alice_client.get("/accounts/password_change/")
    assert response.status_code == 200
    response = alice_client.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "brand-new-longer-secret",
            "new_password2": "brand-new-longer-secret",
        },
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("brand-new-longer-secret")


def test_password_change_refuses_a_weak_password(alice_client):
    response = alice_client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"},
    )
    assert response.status_code == 200
    assert b"too short" in response.content


def test_password_reset_by_email(client, alice):
    with worker_runs_after():
        response = client.post("/accounts/password_reset/", {"email": "alice@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.org"]
    assert "Peer Support Training" in message.subject
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)

    response = client.get(link, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url,
        {"new_password1": "a-fresh-long-password", "new_password2": "a-fresh-long-password"},
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("a-fresh-long-password")


def test_password_reset_does_not_reveal_whether_an_account_exists(client, db):
    with worker_runs_after():
        response = client.post("/accounts/password_reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"
    assert mail.outbox == []


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/login/",
        "/accounts/logged-out/",
        "/accounts/password_reset/",
        "/accounts/password_reset/done/",
        "/accounts/reset/done/",
        "/accounts/reset/MQ/bad-token/",
    ],
)
def test_account_pages_open_without_a_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 200
    assert b"Need support now?" in response.content


def test_email_goes_to_the_console_by_default():
    from django.conf import settings as django_settings

    # pytest-django swaps in the locmem backend while testing; what the
    # settings module chose is kept here.
    from peersupport import settings

    assert settings.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"
    assert django_settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend"
