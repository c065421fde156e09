"""A tutor's first login in a real Chromium: the second factor is set up from
the QR code on the page (read back from a screenshot, as a phone would), then
used with a code from it, and with a recovery code, which works once."""

import io
from urllib.parse import parse_qs, urlparse

import pytest
import zxingcpp
from django_otp.oath import TOTP
from PIL import Image
from playwright.sync_api import expect

from tests.browser.helpers import ARTIFACTS
from tests.helpers import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def scan(page) -> str:
    """What a phone's camera reads from the page's QR code."""
    png = page.locator("[data-qr-code] svg").screenshot()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "two-factor-qr.png").write_bytes(png)
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert results, "no QR code could be read from the page"
    return results[0].text


def code_from(otpauth: str, step_offset=0) -> str:
    from base64 import b32decode

    secret = parse_qs(urlparse(otpauth).query)["secret"][0]
    totp = TOTP(b32decode(secret))
    totp.time += step_offset * 30
    return f"{totp.token():06d}"


def password_step(page, live_server, next_url="/admin/"):
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.get_by_label("Username").fill("nina")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_a_tutors_first_login_sets_up_the_second_factor_from_the_qr_code(page, live_server):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from peersupport.roles import TUTORS
    from tests.helpers import make_user

    tutor = make_user("nina", TUTORS)
    TOTPDevice.objects.filter(user=tutor).delete()  # a brand-new staff account

    password_step(page, live_server)
    page.wait_for_url("**/accounts/two-step/set-up/**")
    expect(page.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    otpauth = scan(page)
    assert otpauth.startswith("otpauth://totp/Peer%20Support%20Training%3Anina?secret=")
    page.get_by_label("The 6-digit code the app shows").fill(code_from(otpauth))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = page.locator("[data-recovery-codes] code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="I have saved them: continue").click()
    page.wait_for_url(f"{live_server.url}/admin/")
    expect(page.get_by_role("heading", name="What to do next")).to_be_visible()
    page.context.clear_cookies()

    # Next login: the password, then a code from the app (the next one: a
    # code is accepted once).
    password_step(page, live_server)
    page.wait_for_url("**/accounts/two-step/?**")
    page.get_by_label("Code").fill(code_from(otpauth, step_offset=1))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}/admin/")
    page.context.clear_cookies()

    # No phone: a recovery code, once.
    password_step(page, live_server)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}/admin/")
    page.context.clear_cookies()
    password_step(page, live_server)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("That code did not work")).to_be_visible()
    assert "/accounts/two-step/" in page.url
