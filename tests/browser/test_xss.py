"""Every Markdown surface, loaded with every payload, in a real Chromium:
nothing runs.

The browser context bypasses the Content-Security-Policy, so this proves the
sanitiser alone; the CSP is a second wall (tests/test_security.py).
"""

import pytest

from assessments import services
from assessments.models import Assignment, Submission
from courses.models import Course
from reflections.models import Reflection, ReflectionPrompt
from sessions.models import Lesson, Session
from tests.browser.helpers import DESKTOP, log_in
from tests.essays import submitted_essay
from tests.marking import mark
from tests.xss_payloads import PAYLOADS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CATCH = """
window.__xss = 0;
window.xss = function () { window.__xss += 1; };
window.alert = window.confirm = window.prompt = window.xss;
"""
DOCUMENT = "\n\n".join(f"Payload {i}:\n\n{p}" for i, p in enumerate(PAYLOADS))


def load_everything(alice, tutor):
    """Every surface's Markdown becomes every payload."""
    course = Course.objects.get()
    course.resources = "## Support right now\n\n" + DOCUMENT
    course.overview = DOCUMENT
    course.save()
    session = Session.objects.get(number=3)
    session.body = DOCUMENT
    session.content_note = DOCUMENT
    session.aim = DOCUMENT
    session.save()
    lesson = Lesson.objects.get()
    lesson.body = DOCUMENT
    lesson.save()
    prompt = ReflectionPrompt.objects.filter(lesson=lesson).first()
    prompt.text = DOCUMENT
    prompt.save()
    assignment = Assignment.objects.get(number=1)
    assignment.brief = DOCUMENT
    assignment.save()
    Reflection.objects.create(learner=alice, prompt=prompt, text=DOCUMENT, shared_with_tutor=True)
    essay = submitted_essay(alice)
    essay.text = DOCUMENT
    essay.save()
    review = mark(essay, tutor, "pass", DOCUMENT)
    services.release(review, tutor)
    return essay, Reflection.objects.get(learner=alice)


SURFACES = {
    "/resources/": "resource",
    "/": "course overview",
    "/sessions/3/": "session aim, content note, body, prompt",
    "/sessions/3/a-personal-story-of-recovery/": "lesson body, prompt, reflection",
    "/journal/": "reflection",
    "/assignments/1/": "brief, essay, feedback",
}


def test_no_payload_runs_on_any_surface(browser, live_server, alice, tutor, cohort):
    essay, reflection = load_everything(alice, tutor)
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    context.add_init_script(CATCH)
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    fired = {}
    try:
        # The trap works: an unsanitised payload does fire it.
        page.set_content("<img src=x onerror=xss()><svg onload=xss()></svg>")
        page.wait_for_timeout(200)
        assert page.evaluate("window.__xss") == 2
        log_in(page, live_server)
        for path in SURFACES:
            page.goto(live_server.url + path)
            # Give event handlers their chance: hover, focus, scroll everything.
            page.mouse.move(10, 10)
            page.keyboard.press("Tab")
            page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
            page.wait_for_timeout(300)
            fired[path] = page.evaluate("window.__xss")
        page.context.clear_cookies()
        log_in(page, live_server, username="tina", next_url="/admin/")
        for path in [
            f"/admin/assessments/submission/{essay.pk}/change/",
            f"/admin/reflections/reflection/{reflection.pk}/change/",
            "/admin/course_sessions/session/",
        ]:
            page.goto(live_server.url + path)
            page.wait_for_timeout(300)
            fired[path] = page.evaluate("window.__xss")
    finally:
        context.close()
    assert dialogs == []
    assert fired == {path: 0 for path in fired}
    assert len(PAYLOADS) >= 50
    assert Submission.objects.get(pk=essay.pk).text == DOCUMENT  # stored as written
