"""Reading preferences: saved on the account page, read with the login, printed
on every page's <html> for static/css/reading.css. What a browser makes of them
is tests/browser/test_reading_preferences.py."""

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Profile, ReadingPreferences
from tests.helpers import ACCESS_QUERIES
from tests.test_learner_pages import DASHBOARD_QUERIES, LESSON_QUERIES, SESSION_QUERIES

pytestmark = pytest.mark.django_db

READING_CSS = Path(settings.BASE_DIR) / "static" / "css" / "reading.css"
DEFAULTS = {
    "text_size": "standard",
    "line_spacing": "standard",
    "font": "standard",
    "colour_scheme": "system",
}
# Every value of every preference, and the attribute of <html> it gives.
CHOICES = [
    ("text_size", "standard", 'data-text-size="standard"'),
    ("text_size", "large", 'data-text-size="large"'),
    ("text_size", "larger", 'data-text-size="larger"'),
    ("text_size", "largest", 'data-text-size="largest"'),
    ("line_spacing", "standard", 'data-line-spacing="standard"'),
    ("line_spacing", "wide", 'data-line-spacing="wide"'),
    ("font", "standard", 'data-font="standard"'),
    ("font", "atkinson", 'data-font="atkinson"'),
    ("colour_scheme", "light", 'data-bs-theme="light"'),
    ("colour_scheme", "dark", 'data-bs-theme="dark"'),
    ("high_contrast", "on", 'data-contrast="high"'),
]


def html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.content.decode()).group(0)


def save(client, **changes):
    return client.post("/account/reading/", {**DEFAULTS, **changes})


def test_a_learner_who_never_chose_gets_the_usual_look(alice_client, alice):
    tag = html_tag(alice_client.get("/"))
    for attribute in [
        'data-text-size="standard"',
        'data-line-spacing="standard"',
        'data-font="standard"',
        'data-contrast="standard"',
    ]:
        assert attribute in tag
    # No data-bs-theme: light or dark follows the device (reading.css).
    assert "data-bs-theme" not in tag
    assert not Profile.objects.filter(user=alice).exists()


def test_a_visitor_who_is_not_logged_in_gets_no_attributes(client):
    assert html_tag(client.get("/accounts/login/")) == '<html lang="en-GB">'


@pytest.mark.parametrize("field,value,attribute", CHOICES, ids=[f"{f}={v}" for f, v, _ in CHOICES])
def test_each_preference_is_saved_and_set_on_the_next_page(
    alice_client, alice, field, value, attribute
):
    response = save(alice_client, **{field: value})
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    page = alice_client.get("/account/")
    assert "Your reading preferences are saved." in page.content.decode()
    saved = Profile.objects.get(user=alice)
    assert getattr(saved, field) == (True if value == "on" else value)
    for url in ["/", "/sessions/3/", "/journal/", "/account/", "/resources/"]:
        assert attribute in html_tag(alice_client.get(url)), url
    # The form shows what is saved.
    assert page.context["reading_form"].initial[field] == getattr(saved, field)


def test_the_default_scheme_follows_the_device_and_unticking_contrast_turns_it_off(
    alice_client, alice
):
    save(alice_client, colour_scheme="dark", high_contrast="on")
    save(alice_client, colour_scheme="system")  # an unticked box is not sent
    tag = html_tag(alice_client.get("/"))
    assert "data-bs-theme" not in tag
    assert 'data-contrast="standard"' in tag


def test_saving_preferences_keeps_the_name_on_the_certificate(alice_client, alice):
    Profile.objects.create(user=alice, name_on_certificate="Alice Q. Learner")
    save(alice_client, text_size="largest")
    profile = Profile.objects.get(user=alice)
    assert (profile.name_on_certificate, profile.text_size) == ("Alice Q. Learner", "largest")


@pytest.mark.parametrize(
    "field,bad,message",
    [
        ("text_size", "huge", "Please choose one of the text sizes listed."),
        ("text_size", "", "Please choose one of the text sizes listed."),
        ("line_spacing", "double", "Please choose one of the line spacings listed."),
        ("font", "comic-sans", "Please choose one of the fonts listed."),
        ("colour_scheme", '"><script>alert(1)</script>', "light or dark settings listed."),
    ],
)
def test_a_bad_value_is_refused_with_a_message_and_keeps_the_other_choices(
    alice_client, alice, field, bad, message
):
    chosen = {
        "text_size": "larger",
        "line_spacing": "wide",
        "font": "atkinson",
        "colour_scheme": "dark",
        "high_contrast": "on",
    }
    response = alice_client.post("/account/reading/", {**chosen, field: bad})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "Your reading preferences are not saved yet" in html
    assert f'href="#id_{field}_0"' in html  # the list at the top links to the choices
    assert "<script>alert(1)</script>" not in html
    assert not Profile.objects.filter(user=alice).exists()
    # Everything else chosen is still chosen on the page.
    for name, value in chosen.items():
        if name != field:
            assert is_checked(html, name, value), name


def is_checked(html: str, name: str, value: str) -> bool:
    inputs = re.findall(rf'<input[^>]*name="{name}"[^>]*>', html)
    return any(
        (f'value="{value}"' in tag or 'type="checkbox"' in tag) and " checked" in tag
        for tag in inputs
    )


def test_a_missing_preference_is_refused(alice_client, alice):
    response = alice_client.post("/account/reading/", {"text_size": "large"})
    assert response.status_code == 400
    assert "Please choose one of the fonts listed." in response.content.decode()
    assert not Profile.objects.filter(user=alice).exists()


def test_preferences_are_saved_only_by_post_and_only_when_logged_in(client, alice_client):
    assert alice_client.get("/account/reading/").status_code == 405
    client.logout()
    response = client.post("/account/reading/", {**DEFAULTS, "text_size": "large"})
    assert "/accounts/login/" in response["Location"]
    assert not Profile.objects.exists()


def test_the_preferences_come_with_the_login_query(alice_client, alice):
    Profile.objects.create(user=alice, font="atkinson", high_contrast=True)
    alice_client.get("/")  # this process's copies of the course are current
    with CaptureQueriesContext(connection) as queries:
        response = alice_client.get("/")
    user_query = queries.captured_queries[ACCESS_QUERIES - 1]["sql"]
    assert "accounts_profile" in user_query
    assert response.wsgi_request.user.reading == ReadingPreferences(
        font="atkinson", high_contrast=True
    )


@pytest.mark.parametrize("with_profile", [False, True], ids=["no profile", "profile"])
def test_learner_pages_keep_their_pinned_query_counts(
    alice_client, alice, course, django_assert_num_queries, with_profile
):
    # The numbers pinned in tests/test_learner_pages.py, with and without
    # preferences: the login query every page makes reads them.
    if with_profile:
        Profile.objects.create(user=alice, text_size="largest", colour_scheme="dark")
    # This process's copies of the course are current, and the pages have
    # been opened once (a first view also records the visit).
    for url in ["/", "/sessions/3/", "/sessions/3/a-personal-story-of-recovery/"]:
        alice_client.get(url)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        tag = html_tag(alice_client.get("/"))
    assert ('data-text-size="largest"' in tag) is with_profile
    with django_assert_num_queries(SESSION_QUERIES):
        alice_client.get("/sessions/3/")
    with django_assert_num_queries(LESSON_QUERIES):
        alice_client.get("/sessions/3/a-personal-story-of-recovery/")


LEARNER_PAGES = [
    "/",
    "/sessions/3/",
    "/sessions/3/a-personal-story-of-recovery/",
    "/journal/",
    "/assignments/1/",
    "/resources/",
    "/account/",
]


def test_preferences_add_no_query_to_any_learner_page(alice_client, alice, course):
    def counts():
        found = {}
        for url in LEARNER_PAGES:
            alice_client.get(url)  # anything a first visit does, done
            with CaptureQueriesContext(connection) as queries:
                assert alice_client.get(url).status_code == 200
            found[url] = len(queries)
        return found

    without = counts()
    save(alice_client, text_size="larger", font="atkinson", colour_scheme="dark")
    assert counts() == without


def test_the_preferences_are_in_my_data_download(alice_client, alice):
    save(alice_client, text_size="larger", font="atkinson", high_contrast="on")
    archive = zipfile.ZipFile(io.BytesIO(alice_client.get("/account/data/").content))
    account = json.loads(archive.read("account.json"))
    assert account["reading_preferences"] == {
        "text_size": "larger",
        "line_spacing": "standard",
        "font": "atkinson",
        "colour_scheme": "system",
        "high_contrast": True,
    }


def test_a_profile_cannot_hold_a_value_outside_the_choices(alice):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Profile.objects.create(user=alice, font="comic-sans")


def css_rules(css: str) -> dict[str, list[str]]:
    """The declarations of each innermost rule, by selector (comments out)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    return {
        " ".join(selector.split()): sorted(d.strip() for d in body.split(";") if d.strip())
        for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css)
    }


def test_the_dark_colours_following_the_device_are_bootstraps_own():
    """reading.css copies Bootstrap's [data-bs-theme=dark] rules under
    @media (prefers-color-scheme: dark): the copy must match the Bootstrap
    installed, so an upgrade that changes them fails here."""
    bootstrap = css_rules(Path(finders.find("bootstrap/css/bootstrap.css")).read_text())
    text = READING_CSS.read_text()
    copy = text[text.index("/* bootstrap-dark: start */") : text.index("/* bootstrap-dark: end */")]
    assert "@media screen and (prefers-color-scheme: dark)" in copy
    rules = css_rules(copy.split("{", 1)[1])
    assert len(rules) == 4
    for selector, declarations in rules.items():
        original = selector.replace(":root:not([data-bs-theme])", "[data-bs-theme=dark]")
        assert bootstrap[original] == declarations, selector


def test_the_font_files_reading_css_names_are_served_by_the_site(client):
    urls = re.findall(r'url\("(\.\./fonts/[^"]+)"\)', READING_CSS.read_text())
    assert len(urls) == 4
    for url in urls:
        name = url.removeprefix("../")
        assert finders.find(name), name
        response = client.get(f"/static/{name}")
        assert response.status_code == 200
        assert b"".join(response.streaming_content)[:4] == b"\x00\x01\x00\x00"  # TrueType


def test_collectstatic_rewrites_the_font_urls_to_hashed_names(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", "-v0")
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    css = (tmp_path / manifest["css/reading.css"]).read_text()
    font = manifest["fonts/atkinson-hyperlegible/AtkinsonHyperlegible-Regular.ttf"]
    assert f'url("../{font}")' in css
