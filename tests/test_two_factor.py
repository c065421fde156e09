"""Two-step sign-in: required for staff before anything opens, optional for
learners, recovery codes once each, and failed codes locked out like failed
passwords. (The first login in Chromium, from the QR code:
tests/browser/test_two_factor.py.)"""

import re
import time
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.helpers import PASSWORD, current_code, make_user

pytestmark = pytest.mark.django_db
User = get_user_model()


def password_login(client, username, password=PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


@pytest.fixture
def new_tutor(db):
    """A tutor whose first login this is: no authenticator yet."""
    from peersupport.roles import TUTORS

    user = make_user("nina", TUTORS)
    TOTPDevice.objects.filter(user=user).delete()
    return user


def code_for(device) -> str:
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def set_up(client, user):
    page = client.get("/accounts/two-step/set-up/?next=/admin/").content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = re.search(r"data-secret>([A-Z2-7 ]+)<", page).group(1).replace(" ", "")
    assert secret == __import__("base64").b32encode(device.bin_key).decode()
    return client.post("/accounts/two-step/set-up/", {"code": code_for(device), "next": "/admin/"})


@pytest.mark.parametrize("url", ["/admin/", "/admin/courses/cohort/", "/", "/journal/"])
def test_a_staff_login_opens_nothing_before_its_second_step(client, new_tutor, url):
    assert password_login(client, "nina").status_code == 302
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-step/set-up/?next=")
    # What stays open: where to get support, and logging out.
    assert client.get("/resources/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302


def test_first_staff_login_sets_up_the_authenticator_and_shows_recovery_codes_once(
    client, new_tutor
):
    password_login(client, "nina")
    response = set_up(client, new_tutor)
    html = response.content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", html)
    assert len(codes) == 10
    assert "shown only now" in html
    assert response["Cache-Control"].startswith("max-age=0")
    assert client.get("/admin/").status_code == 200
    assert TOTPDevice.objects.get(user=new_tutor).confirmed
    # The codes are never shown again.
    account = client.get("/account/").content.decode()
    assert not any(code in account for code in codes)


def test_a_code_is_asked_at_every_later_login(client, tutor):
    password_login(client, "tina")
    assert client.get("/admin/")["Location"].startswith("/accounts/two-step/?next=")
    response = client.post("/accounts/two-step/", {"code": "000000", "next": "/admin/"})
    assert "That code did not work" in response.content.decode()
    assert client.get("/admin/").status_code == 302
    time.sleep(1.1)  # django-otp asks for a pause after a wrong code (1 s, then 2, 4…)
    response = client.post("/accounts/two-step/", {"code": current_code(tutor), "next": "/admin/"})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_recovery_code_works_once(client, new_tutor):
    password_login(client, "nina")
    codes = re.findall(
        r"<li><code>([a-z2-7]{8})</code>", set_up(client, new_tutor).content.decode()
    )
    client.post("/accounts/logout/")
    password_login(client, "nina")
    assert client.post("/accounts/two-step/", {"code": codes[0].upper()}).status_code == 302
    assert client.get("/admin/").status_code == 200
    client.post("/accounts/logout/")
    password_login(client, "nina")
    response = client.post("/accounts/two-step/", {"code": codes[0]})
    assert "That code did not work" in response.content.decode()
    assert StaticToken.objects.filter(device__user=new_tutor).count() == 9


def test_five_wrong_codes_lock_the_account_from_that_address_and_a_password_does_not_unlock(
    client, tutor
):
    password_login(client, "tina")
    for _ in range(4):
        client.post("/accounts/two-step/", {"code": "111111"})
    # A fresh password login does not give fresh tries at the code.
    client.post("/accounts/logout/")
    assert password_login(client, "tina").status_code == 302
    response = client.post("/accounts/two-step/", {"code": "111111"})
    assert response.status_code == 429
    assert "too many unsuccessful attempts" in response.content.decode()
    assert client.get("/admin/").status_code == 302  # logged out
    # Now even the right password (and code) are refused from this address.
    assert password_login(client, "tina").status_code != 302


def test_learners_may_turn_it_on_and_then_need_it(client, alice, cohort):
    client.force_login(alice)
    assert client.get("/journal/").status_code == 200  # not required
    page = client.get("/account/").content.decode()
    assert "Set up two-step sign-in" in page
    client.get("/accounts/two-step/set-up/?next=/account/")
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    client.post("/accounts/two-step/set-up/", {"code": code_for(device), "next": "/account/"})
    client.post("/accounts/logout/")
    password_login(client, "alice")
    assert client.get("/journal/")["Location"].startswith("/accounts/two-step/?next=")
    client.post("/accounts/two-step/", {"code": current_code(alice)})
    assert client.get("/journal/").status_code == 200
    # Turning it off needs the password.
    client.post("/accounts/two-step/turn-off/", {"password": "wrong"})
    assert TOTPDevice.objects.filter(user=alice).exists()
    client.post("/accounts/two-step/turn-off/", {"password": PASSWORD})
    assert not TOTPDevice.objects.filter(user=alice).exists()


def test_a_half_signed_in_login_cannot_add_an_authenticator(client, tutor):
    password_login(client, "tina")
    response = client.get("/accounts/two-step/set-up/")
    assert response["Location"].startswith("/accounts/two-step/?next=")
    assert not TOTPDevice.objects.filter(user=tutor, confirmed=False).exists()


def test_an_operator_resets_a_lost_authenticator(client, tutor):
    output = StringIO()
    call_command("reset_second_factor", "tina", stdout=output)
    assert "Removed 1" in output.getvalue()
    password_login(client, "tina")
    assert client.get("/admin/")["Location"].startswith("/accounts/two-step/set-up/")


def test_demo_code_prints_the_demo_staffs_code_in_development_only(settings, course):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    output = StringIO()
    call_command("demo_code", "tutor", stdout=output)
    device = TOTPDevice.objects.get(user__username="tutor")
    assert output.getvalue().strip() == code_for(device)
    assert device.key == b"PeerSupportTrainDemo".hex()
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG=1"):
        call_command("demo_code", "tutor")
