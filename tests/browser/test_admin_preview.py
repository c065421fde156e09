"""The admin's live Markdown preview, in a real Chromium."""

import pytest
from playwright.sync_api import expect

from sessions.models import Session
from tests.browser.helpers import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_the_preview_follows_the_coordinators_typing(page, live_server, coordinator, course):
    session = Session.objects.get(number=2)
    log_in(page, live_server, username="cora", next_url="/admin/")
    page.goto(f"{live_server.url}/admin/course_sessions/session/{session.pk}/change/")
    page.locator("#id_body").fill("## Changed\n\nNow with **bold** and <script>alert(1)</script>")
    preview = page.locator(".field-body_preview .markdown-preview")
    expect(preview.locator("strong")).to_have_text("bold")
    expect(preview.locator("h2")).to_have_text("Changed")
    assert preview.locator("script").count() == 0
    # Nothing is saved until the coordinator saves.
    session.refresh_from_db()
    assert "Changed" not in session.body
