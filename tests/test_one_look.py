"""One look: the admin in the learner site's colours and type (light and
dark, every pair of text and background at WCAG AA), the site's own error
pages under DEBUG too, a "You have logged out" page, and learner pages free
of file formats and markup jargon."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import include, path

from reflections.models import Reflection, ReflectionPrompt

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- a urlconf for the error pages


@login_not_required
def _server_error(request):
    raise RuntimeError("a bug, for the test")


@login_not_required
def _permission_denied(request):
    raise PermissionDenied


# This module is also the URLconf of the tests marked with it: two views that
# fail on purpose, then the whole site (404.html links to its pages).
urlpatterns = [
    path("test-error/", _server_error),
    path("test-denied/", _permission_denied),
    path("", include("peersupport.urls")),
]

TECHNICAL_404 = (b"Django tried these URL patterns", b"technical_404", b"URLconf")


# ---------------------------------------------------------------- error pages under DEBUG


@override_settings(DEBUG=True)
@pytest.mark.parametrize("url", ["/no-such-page/", "/sessions/3/no-such-lesson/"])
def test_under_debug_a_missing_page_is_the_sites_own_404(alice_client, course, url):
    # One address no URL matches; one whose view raises Http404.
    response = alice_client.get(url)
    assert response.status_code == 404
    assert "We can’t find that page" in response.content.decode()
    assert b"Need support now?" in response.content
    for marker in TECHNICAL_404:
        assert marker not in response.content
    # The page knows who is logged in, as every other page does.
    assert b"Log out" in response.content


@override_settings(DEBUG=True)
def test_under_debug_a_visitor_who_is_not_logged_in_gets_the_same_404(client, course):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We can’t find that page" in response.content.decode()


@override_settings(DEBUG=True)
def test_under_debug_a_missing_slash_is_still_added(alice_client, course):
    response = alice_client.get("/sessions/3")
    assert response.status_code == 301 and response["Location"] == "/sessions/3/"


@override_settings(DEBUG=True)
@pytest.mark.urls(__name__)
def test_under_debug_permission_denied_is_the_sites_own_403(client, db):
    response = client.get("/test-denied/")
    assert response.status_code == 403
    assert "This page isn’t available to you" in response.content.decode()


@override_settings(DEBUG=True)
@pytest.mark.urls(__name__)
def test_under_debug_a_server_error_keeps_djangos_page_for_developers(client, db):
    client.raise_request_exception = False
    response = client.get("/test-error/")
    assert response.status_code == 500
    assert b"a bug, for the test" in response.content  # the traceback page
    assert b"Something went wrong on our side" not in response.content


@pytest.mark.urls(__name__)
def test_without_debug_nothing_changes(client, db):
    client.raise_request_exception = False
    assert b"We can\xe2\x80\x99t find that page" in client.get("/no-such-page/").content
    assert b"isn\xe2\x80\x99t available to you" in client.get("/test-denied/").content
    response = client.get("/test-error/")
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content
    assert b"a bug, for the test" not in response.content


# ---------------------------------------------------------------- the admin's look

ADMIN_CSS = Path(finders.find("admin/css/peersupport-admin.css")).read_text()
DJANGO_BASE_CSS = Path(finders.find("admin/css/base.css")).read_text()
DJANGO_DARK_CSS = Path(finders.find("admin/css/dark_mode.css")).read_text()
BOOTSTRAP_CSS = Path(finders.find("bootstrap/css/bootstrap.min.css")).read_text()

_DECLARATION = re.compile(r"--([\w-]+)\s*:\s*([^;]+);")


def variables(css: str, opening: str) -> dict[str, str]:
    """The custom properties of the first block that starts with ``opening``."""
    start = css.index(opening) + len(opening)
    body = css[start : css.index("}", start)]
    return {name: " ".join(value.split()) for name, value in _DECLARATION.findall(body)}


LIGHT = variables(ADMIN_CSS, 'html[data-theme="light"],\n:root {')
DARK_BY_SYSTEM = variables(ADMIN_CSS, "@media (prefers-color-scheme: dark) {\n  :root {")
DARK_BY_TOGGLE = variables(ADMIN_CSS, 'html[data-theme="dark"] {')
DARK = {**LIGHT, **DARK_BY_TOGGLE}  # what dark mode leaves alone stays as in light


def test_the_admin_theme_sets_every_colour_djangos_admin_has():
    django_light = variables(DJANGO_BASE_CSS, 'html[data-theme="light"],\n:root {')
    own_colours = {name for name, value in django_light.items() if not value.startswith("var(")}
    assert own_colours - set(LIGHT) == set()
    django_dark = variables(DJANGO_DARK_CSS, 'html[data-theme="dark"] {')
    assert set(django_dark) - set(DARK_BY_TOGGLE) == set()


def test_dark_mode_is_the_same_whether_the_system_or_the_toggle_chose_it():
    assert DARK_BY_SYSTEM == DARK_BY_TOGGLE


def test_the_admin_uses_the_learner_sites_font_and_blue():
    def bootstrap(name):
        return re.search(rf"--bs-{name}:([^;]+);", BOOTSTRAP_CSS).group(1)

    def squeezed(value):
        return [font.strip() for font in value.split(",")]

    assert squeezed(LIGHT["font-family-primary"]) == squeezed(bootstrap("font-sans-serif"))
    assert squeezed(LIGHT["font-family-monospace"]) == squeezed(bootstrap("font-monospace"))
    assert LIGHT["primary"] == LIGHT["button-bg"] == bootstrap("primary")


# Text and the background it sits on, as Django's admin pairs them.
PAIRS = [
    ("body-fg", "body-bg"),
    ("body-quiet-color", "body-bg"),
    ("body-quiet-color", "darkened-bg"),
    ("body-medium-color", "body-bg"),
    ("header-color", "body-bg"),  # the header has the page's background here
    ("header-branding-color", "body-bg"),
    ("link-fg", "body-bg"),
    ("link-fg", "darkened-bg"),
    ("link-fg", "selected-bg"),
    ("link-fg", "selected-row"),
    ("link-hover-color", "body-bg"),
    ("header-link-color", "header-bg"),  # module captions, fieldset headings
    ("breadcrumbs-fg", "breadcrumbs-bg"),
    ("breadcrumbs-link-fg", "breadcrumbs-bg"),
    ("primary-fg", "primary"),
    ("primary-fg", "secondary"),
    ("button-fg", "button-bg"),
    ("button-fg", "button-hover-bg"),
    ("button-fg", "default-button-bg"),
    ("button-fg", "default-button-hover-bg"),
    ("button-fg", "close-button-bg"),
    ("button-fg", "close-button-hover-bg"),
    ("button-fg", "delete-button-bg"),
    ("button-fg", "delete-button-hover-bg"),
    ("error-fg", "body-bg"),
    ("body-fg", "message-success-bg"),
    ("body-fg", "message-warning-bg"),
    ("body-fg", "message-error-bg"),
    ("body-fg", "selected-row"),
]


def contrast(one: str, two: str) -> float:
    def luminance(colour):
        colour = colour.lstrip("#")
        if len(colour) == 3:
            colour = "".join(c * 2 for c in colour)
        channels = [int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(one), luminance(two)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize(("text", "background"), PAIRS)
def test_every_text_on_its_background_meets_aa(theme, text, background):
    colours = LIGHT if theme == "light" else DARK
    ratio = contrast(colours[text], colours[background])
    assert ratio >= 4.5, f"{text} on {background} in {theme}: {ratio:.2f}"


def test_the_theme_loads_after_djangos_own_styles_on_admin_pages(coordinator_client):
    pages = [
        Client().get("/admin/login/"),
        coordinator_client.get("/admin/"),
        coordinator_client.get("/admin/course_sessions/lesson/"),
    ]
    for response in pages:
        html = response.content.decode()
        assert html.index("admin/css/dark_mode.css") < html.index("peersupport-admin.css")


# ---------------------------------------------------------------- no jargon for learners

JARGON = re.compile(r"(?i)\bmarkdown\b|\.md\b|\bhtml\b")


class VisibleText(HTMLParser):
    """What a person reads or hears: text, and the attributes read aloud."""

    SPOKEN = {"title", "aria-label", "placeholder", "alt"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._hidden += 1
        attrs = dict(attrs)
        self.parts += [value for name, value in attrs.items() if name in self.SPOKEN and value]
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def jargon_on(response) -> list[str]:
    parser = VisibleText()
    parser.feed(response.content.decode())
    return [part.strip() for part in parser.parts if JARGON.search(part)]


LEARNER_PAGES = [
    "/",
    "/account/",
    "/assignments/1/",
    "/sessions/1/",
    "/sessions/3/",
    "/sessions/3/a-personal-story-of-recovery/",
    "/sessions/11/",
    "/journal/",
    "/resources/",
    "/accounts/password_change/",
    "/no-such-page/",
]
ANONYMOUS_PAGES = [
    "/accounts/login/",
    "/accounts/logged-out/",
    "/accounts/password_reset/",
    "/accounts/password_reset/done/",
    "/resources/",
]


@pytest.mark.parametrize("url", LEARNER_PAGES)
def test_learner_pages_speak_plainly(alice_client, alice, course, url):
    prompt = ReflectionPrompt.objects.filter(session__number=1).first()
    Reflection.objects.create(learner=alice, prompt=prompt, text="**What** I wrote")
    assert jargon_on(alice_client.get(url)) == []


@pytest.mark.parametrize("url", ANONYMOUS_PAGES)
def test_pages_before_logging_in_speak_plainly(client, course, url):
    assert jargon_on(client.get(url)) == []


def test_the_jargon_check_finds_what_it_looks_for(alice_client, course):
    class Page:
        content = b'<p>Write in Markdown</p><a title="my.md">x</a><script>"html"</script>'

    assert jargon_on(Page) == ["Write in Markdown", "my.md"]
