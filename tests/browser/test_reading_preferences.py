"""Reading preferences in a real Chromium: each one, saved on the account page,
sets the next page before any script runs; every learner page passes axe with
each one on; print stays black on white; the font comes from the site."""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Profile
from reflections.models import Reflection, ReflectionPrompt
from tests.browser.helpers import ARTIFACTS, log_in, screenshot
from tests.browser.test_learner_journey import AXE_OPTIONS
from tests.helpers import make_cohort

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
LESSON = "/sessions/3/a-personal-story-of-recovery/"

# What getComputedStyle says of the dashboard.
STYLE = """() => {
    const root = getComputedStyle(document.documentElement);
    const body = getComputedStyle(document.body);
    const link = document.querySelector("main a[href]:not(.btn):not(.badge):not(.alert-link)");
    return {
        root_size: parseFloat(root.fontSize),
        body_size: parseFloat(body.fontSize),
        line_height: parseFloat(body.lineHeight),
        font: body.fontFamily,
        color: body.color,
        background: body.backgroundColor,
        link: link && getComputedStyle(link).color,
    };
}"""
WHITE, BLACK = "rgb(255, 255, 255)", "rgb(0, 0, 0)"
DARK_BACKGROUND = "rgb(33, 37, 41)"  # Bootstrap's dark body


def same_as_default(style, default):
    return style == default


def size(factor):
    return lambda style, default: style["root_size"] == pytest.approx(default["root_size"] * factor)


def colours(color, background, link):
    return lambda style, default: (
        (style["color"], style["background"], style["link"])
        == (
            color or default["color"],
            background or default["background"],
            link or default["link"],
        )
    )


# (the group's legend, the choice's label, or None for the checkbox; the
# device's light or dark setting; what the dashboard must then show), in
# order: each step starts from the one before.
STEPS = [
    ("Text size", "Large", "light", size(1.125)),
    ("Text size", "Larger", "light", size(1.25)),
    ("Text size", "Largest", "light", size(1.5)),
    ("Text size", "Standard", "light", same_as_default),
    (
        "Space between lines",
        "Wide",
        "light",
        lambda style, _: style["line_height"] == pytest.approx(2 * style["body_size"]),
    ),
    ("Space between lines", "Standard", "light", same_as_default),
    (
        "Font",
        "Atkinson Hyperlegible, made so that letters are easy to tell apart",
        "light",
        lambda style, _: style["font"].startswith('"Atkinson Hyperlegible"'),
    ),
    ("Font", "The site's usual font", "light", same_as_default),
    ("High contrast", None, "light", colours(BLACK, None, "rgb(0, 67, 168)")),
    # Dark, still with high contrast; then high contrast off again.
    ("Light or dark", "Dark", "light", colours(WHITE, DARK_BACKGROUND, "rgb(158, 197, 254)")),
    (
        "High contrast",
        None,
        "light",
        colours("rgb(222, 226, 230)", DARK_BACKGROUND, "rgb(110, 168, 254)"),
    ),
    ("Light or dark", "Light", "dark", same_as_default),
    (
        "Light or dark",
        "The same as my phone or computer",
        "dark",
        colours("rgb(222, 226, 230)", DARK_BACKGROUND, "rgb(110, 168, 254)"),
    ),
    ("Light or dark", "The same as my phone or computer", "light", same_as_default),
]


def choose(page, live_server, legend, label):
    page.goto(f"{live_server.url}/account/")
    if label is None:
        page.get_by_label(legend, exact=True).click()
    else:
        page.get_by_role("group", name=legend).get_by_label(label, exact=True).check()
    page.get_by_role("button", name="Save my reading preferences").click()
    expect(page.get_by_text("Your reading preferences are saved.")).to_be_visible()


def record_style_at_first_script(context):
    """Every script the site sends starts, here, by recording the page's
    style if no script did before: what the page looked like before any of
    its scripts ran (they are deferred, so they run once the stylesheets are
    in, and nothing but a script could change the page after its first paint)."""

    def prepend(route):
        response = route.fetch()
        record = f"window.__firstScriptStyle = window.__firstScriptStyle || ({STYLE})();\n"
        route.fulfill(response=response, body=record + response.text())

    context.route("**/*.js", prepend)


def test_each_preference_sets_the_next_page_before_any_script_runs(
    browser, live_server, alice, cohort
):
    context = browser.new_context(viewport=PHONE, color_scheme="light")
    try:
        record_style_at_first_script(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        log_in(page, live_server)
        default = page.evaluate("window.__firstScriptStyle")
        assert (default["color"], default["background"]) == ("rgb(33, 37, 41)", WHITE)
        assert default["link"] == "rgb(13, 110, 253)"
        assert not default["font"].startswith('"Atkinson')
        problems = []
        for legend, label, device, shows in STEPS:
            choose(page, live_server, legend, label)
            page.emulate_media(color_scheme=device)
            page.goto(f"{live_server.url}/")
            style = page.evaluate("window.__firstScriptStyle")
            if not shows(style, default):
                problems.append(f"{legend}: {label} on a {device} device: {style}")
        assert problems == []
    finally:
        context.close()


def test_the_legible_font_loads_from_the_site_itself(page, live_server, alice, cohort):
    Profile.objects.create(user=alice, font=Profile.Font.ATKINSON)
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    log_in(page, live_server, next_url=LESSON)
    faces = page.evaluate(
        """async () => {
            await document.fonts.ready;
            const loaded = await document.fonts.load('1em "Atkinson Hyperlegible"');
            return loaded.map((face) => face.status);
        }"""
    )
    assert faces == ["loaded"]
    fonts = [url for url in requests if url.endswith(".ttf")]
    assert fonts and all(url.startswith(f"{live_server.url}/static/fonts/") for url in fonts)
    assert all(url.startswith(live_server.url) for url in requests)  # nothing leaves the site
    screenshot(page, "reading-atkinson-lesson")


@pytest.mark.parametrize(
    "reading,device",
    [
        ({"colour_scheme": "dark"}, "light"),
        ({"colour_scheme": "dark", "high_contrast": True}, "light"),
        ({"colour_scheme": "system"}, "dark"),
        ({"high_contrast": True}, "dark"),
    ],
    ids=["dark", "dark high contrast", "system dark", "system dark high contrast"],
)
def test_print_is_black_on_white_whatever_the_screen_shows(
    page, live_server, alice, cohort, reading, device
):
    Profile.objects.create(user=alice, **reading)
    page.emulate_media(color_scheme=device)
    log_in(page, live_server, next_url="/journal/")
    assert page.evaluate(STYLE)["background"] == DARK_BACKGROUND  # on the screen
    page.emulate_media(media="print", color_scheme=device)
    assert page.evaluate(STYLE)["background"] in ("rgba(0, 0, 0, 0)", WHITE)
    assert page.evaluate(LIGHT_TEXT) == []


# Text in a colour too light to read on white paper (under 4.5:1).
LIGHT_TEXT = """() => {
    const luminance = (color) => {
        const [r, g, b] = color.match(/[\\d.]+/g).slice(0, 3).map((c) => {
            c = c / 255;
            return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    return [...document.body.querySelectorAll("*")]
        .filter((el) => el.checkVisibility() && [...el.childNodes].some(
            (node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim()))
        .filter((el) => 1.05 / (luminance(getComputedStyle(el).color) + 0.05) < 4.5)
        .map((el) => `${el.tagName}: ${el.textContent.trim().slice(0, 40)}`);
}"""


def test_every_choice_of_the_form_is_big_enough_to_tap(page, live_server, alice, cohort):
    page.set_viewport_size(PHONE)
    log_in(page, live_server, next_url="/account/")
    form = page.locator("form.reading-form")
    boxes = form.evaluate(
        """(form) => [...form.querySelectorAll("input[type=radio], input[type=checkbox]")].map(
            (input) => {
                const box = (el) => el.getBoundingClientRect().toJSON();
                return {
                    id: input.id,
                    input: box(input),
                    label: box(form.querySelector(`label[for="${input.id}"]`)),
                };
            })"""
    )
    assert len(boxes) == 12  # 4 sizes, 2 spacings, 2 fonts, 3 schemes, contrast
    for choice in boxes:
        label, box = choice["label"], choice["input"]
        assert label["width"] >= 44 and label["height"] >= 44, choice
        # The label's box covers its radio button or checkbox: one target.
        assert label["left"] <= box["left"] and box["right"] <= label["right"], choice
        assert label["top"] <= box["top"] and box["bottom"] <= label["bottom"], choice
    save = form.get_by_role("button", name="Save my reading preferences").bounding_box()
    assert save["width"] >= 44 and save["height"] >= 44
    form.screenshot(path=ARTIFACTS / "reading-form.png")
    # Tapping a label's far end chooses it.
    large = form.get_by_role("group", name="Text size").get_by_label("Large", exact=True)
    label = form.locator('label[for="id_text_size_1"]').bounding_box()
    page.mouse.click(label["x"] + label["width"] - 5, label["y"] + label["height"] / 2)
    expect(large).to_be_checked()


# Each value of each preference, one at a time (the defaults are
# tests/browser/test_learner_journey.py's), and dark with high contrast.
AXE_CASES = [
    ({"text_size": "large"}, "light"),
    ({"text_size": "larger"}, "light"),
    ({"text_size": "largest"}, "light"),
    ({"line_spacing": "wide"}, "light"),
    ({"font": "atkinson"}, "light"),
    ({"high_contrast": True}, "light"),
    ({"colour_scheme": "light"}, "dark"),
    ({"colour_scheme": "dark"}, "light"),
    ({"colour_scheme": "system"}, "dark"),
    ({"colour_scheme": "dark", "high_contrast": True}, "light"),
    ({"colour_scheme": "system", "high_contrast": True}, "dark"),
]
PAGES = [
    "/",
    "/sessions/3/",
    LESSON,
    "/sessions/10/",  # not open yet
    "/journal/",
    "/assignments/1/",
    "/resources/",
    "/account/",
    "/accounts/login/",  # as a logged-in learner sees it
]


SCREENSHOTS = {"/": "dashboard", LESSON: "lesson", "/account/": "account"}


@pytest.fixture
def three_weeks_in(course, alice):
    """Alice's cohort started two weeks ago: sessions 1 to 3 are open, the
    rest not yet; she has written one answer."""
    make_cohort(course, "Spring", start=timezone.localdate() - timedelta(weeks=2), learners=[alice])
    Reflection.objects.create(
        learner=alice,
        prompt=ReflectionPrompt.objects.filter(lesson__isnull=False).first(),
        text="A private answer.",
    )


@pytest.mark.parametrize(
    "reading,device",
    AXE_CASES,
    ids=["-".join(f"{k}={v}" for k, v in r.items()) + f"-on-{d}" for r, d in AXE_CASES],
)
def test_every_learner_page_passes_axe_with_each_preference(
    browser, live_server, alice, three_weeks_in, reading, device, request
):
    Profile.objects.create(user=alice, **reading)
    context = browser.new_context(viewport=PHONE, color_scheme=device)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        log_in(page, live_server)
        axe = Axe()
        failures = {}
        for path in PAGES:
            page.goto(live_server.url + path)
            problems = [
                f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
                for v in axe.run(page, options=AXE_OPTIONS).response["violations"]
            ]
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                problems.append(f"{overflow}px wider than the screen")
            if problems:
                failures[path] = problems
            if path in SCREENSHOTS:
                screenshot(page, f"reading-{request.node.callspec.id}-{SCREENSHOTS[path]}")
        assert failures == {}
    finally:
        context.close()
