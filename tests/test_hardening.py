"""What an outside attack found, fixed: ZIP bombs, over-long and unusable
file names, non-numeric ids in the admin, refused text lost without
JavaScript, invisible essays, bidi overrides in names, maxlength counted in
UTF-16, password-reset timing, inline styles on the history pages, missing
browser-policy headers, exercise files checked by name only, over-size
uploads refused late, and cacheable password pages."""

import io
import os
import re
import subprocess
import sys
import zipfile
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import ATTACHMENT_MAX_BYTES, Submission
from reflections.models import Reflection, ReflectionPrompt
from sessions.models import EXERCISE_FILE_MAX_BYTES, ExerciseFile, Lesson, Session
from tests.essays import PDF_BYTES, docx_bytes, odt_bytes, submitted_essay, upload
from tests.uploads import post_lesson_with_upload

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]
FORM = "application/x-www-form-urlencoded"  # what a browser sends without JavaScript
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
MB = 1024 * 1024


@pytest.fixture
def media(settings, tmp_path):
    """MEDIA_ROOT of this test's own, to see exactly what was stored."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "media" / ".incoming")
    (tmp_path / "media" / ".incoming").mkdir(parents=True)
    return tmp_path / "media"


def stored_files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def post_form(client, url, data, **extra):
    """A plain form post, urlencoded, as a browser sends one."""
    return client.post(url, urlencode(data, doseq=True), content_type=FORM, **extra)


# ---------------------------------------------------------------- 1. ZIP bombs


def zip_with(parts: dict[str, bytes | int]) -> bytes:
    """A ZIP archive; a part given as a number is that many zero bytes,
    compressed as they are written (1 GiB packs to about 1 MB)."""
    buffer = io.BytesIO()
    zeros = bytes(MB)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            if isinstance(content, bytes):
                archive.writestr(name, content)
                continue
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w", force_zip64=True) as part:
                for _ in range(content // MB):
                    part.write(zeros)
    return buffer.getvalue()


@cache
def bomb(shape: str, unpacked: int = 256 * MB) -> bytes:
    return {
        # The attack: an ODT's "mimetype" part, which the check read whole.
        "odt-mimetype": lambda: zip_with({"mimetype": unpacked}),
        "odt": lambda: zip_with({"mimetype": ODT_MIMETYPE, "content.xml": unpacked}),
        "docx": lambda: zip_with(
            {"[Content_Types].xml": b"<Types/>", "word/document.xml": unpacked}
        ),
        "docx-many-parts": lambda: zip_with(
            {
                "[Content_Types].xml": b"<Types/>",
                "word/document.xml": b"<w:document/>",
                **{f"word/media/{i}.xml": b"" for i in range(20_000)},
            }
        ),
    }[shape]()


MEMORY_CHILD = """
import os, resource, sys
import django
django.setup()
from django.core.files.uploadedfile import UploadedFile
from assessments.attachments import AttachmentError, check_attachment

path = sys.argv[1]
upload = UploadedFile(open(path, "rb"), name="essay.odt", size=os.path.getsize(path))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    check_attachment(upload)
    outcome = "accepted"
except AttachmentError as error:
    outcome = "refused: " + str(error)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print((after - before) // 1024)  # ru_maxrss is in KiB on Linux
print(outcome)
"""


def test_checking_a_zip_bomb_keeps_a_workers_memory_flat(tmp_path):
    path = tmp_path / "bomb.odt"
    path.write_bytes(bomb("odt-mimetype", unpacked=1024 * MB))
    assert path.stat().st_size < 2 * MB  # a small upload that unpacks to 1 GiB
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(ROOT)}
    child = subprocess.run(
        [sys.executable, "-c", MEMORY_CHILD, str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert child.returncode == 0, child.stderr[-3000:]
    grown_mb, outcome = child.stdout.strip().splitlines()[-2:]
    assert int(grown_mb) < 100, f"peak memory grew by {grown_mb} MB checking a 1 MB upload"
    assert outcome.startswith("refused: ") and "too large once unpacked" in outcome


@pytest.mark.parametrize("shape", ["docx", "odt", "odt-mimetype", "docx-many-parts"])
def test_zip_bombs_are_refused_kindly_and_nothing_is_stored(
    alice_client, alice, cohort, media, shape
):
    name = "essay.docx" if shape.startswith("docx") else "essay.odt"
    response = alice_client.post(
        "/assignments/1/attachment/", {"file": upload(name, bomb(shape))}, follow=True
    )
    html = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 200
    assert "it looks damaged, or it would be far too large once unpacked" in html
    assert "Please save your essay as a PDF and attach that instead." in html
    assert "zip bomb" not in html.lower()
    assert not Submission.objects.filter(learner=alice).exclude(attachment="").exists()
    assert stored_files(media) == []


def test_real_word_and_opendocument_files_are_still_attached(alice_client, alice, cohort):
    for name, data in [("essay.docx", docx_bytes()), ("essay.odt", odt_bytes())]:
        response = alice_client.post(
            "/assignments/1/attachment/", {"file": upload(name, data)}, follow=True
        )
        assert "is attached to your draft" in response.content.decode()


# ---------------------------------------------------------------- 2. long exercise-file names


@pytest.mark.parametrize("stem", ["a" * 251, "é" * 251, "Session 3 – " + "ü" * 239])
def test_an_exercise_file_with_a_255_character_name_is_kept_with_its_extension(
    coordinator_client, client, alice, cohort, media, stem
):
    name = f"{stem}.pdf"
    assert len(name) == 255
    lesson = Lesson.objects.get()
    response = post_lesson_with_upload(
        coordinator_client, lesson, "Handout", SimpleUploadedFile(name, b"%PDF-1.4 handout")
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    exercise_file = ExerciseFile.objects.get()
    assert len(exercise_file.filename) <= 200 and exercise_file.filename.endswith(".pdf")
    assert exercise_file.filename.startswith(stem[:150])
    assert len(exercise_file.file.name) <= 255 and exercise_file.file.name.endswith(".pdf")
    assert stored_files(media) == [exercise_file.file.name]
    client.force_login(alice)
    download = client.get(exercise_file.get_absolute_url())
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 handout"


# ---------------------------------------------------------------- 3. non-numeric ids in the admin


@pytest.mark.parametrize(
    "path",
    [
        "abc/change/",
        "1.5/change/",
        "%00/change/",
        # A relative image address in feedback: the browser asks for this.
        "{pk}/change/picture.png",
    ],
)
def test_the_review_page_with_a_non_numeric_id_is_a_404(client, tutor, alice, cohort, path):
    essay = submitted_essay(alice)
    client.force_login(tutor)
    response = client.get("/admin/assessments/submission/" + path.format(pk=essay.pk), follow=True)
    assert response.status_code == 404


@pytest.mark.parametrize(
    "model",
    [
        "courses/course",
        "course_sessions/session",
        "course_sessions/lesson",
        "reflections/reflectionprompt",
        "assessments/assignment",
        "courses/enrolment",
        "privacy/erasurerequest",
    ],
)
@pytest.mark.parametrize("path", ["abc/history/", "abc/history/1/", "1/history/abc/"])
def test_history_pages_with_a_non_numeric_id_are_a_404(coordinator_client, course, model, path):
    response = coordinator_client.get(f"/admin/{model}/{path}")
    assert response.status_code == 404


# ---------------------------------------------------------------- 4. refused text kept without JS


def test_a_too_long_essay_saved_without_javascript_comes_back_in_the_box(
    alice_client, alice, cohort
):
    post_form(alice_client, "/assignments/1/draft/", {"text": "My old draft.", "version": 0})
    text = "word " * 40_001  # past ESSAY_MAX_CHARS
    response = post_form(alice_client, "/assignments/1/draft/", {"text": text, "version": 1})
    html = response.content.decode()
    assert response.status_code == 400
    assert f">{text}</textarea>" in html
    assert "Your text is still in the box: please shorten it and save again." in html
    assert 'aria-describedby="essay-errors' in html
    assert "My old draft." not in html
    assert Submission.objects.get(learner=alice).text == "My old draft."


def test_an_essay_with_a_nul_character_comes_back_without_it(alice_client, alice, cohort):
    response = post_form(
        alice_client, "/assignments/1/draft/", {"text": "My essay\x00 goes here.", "version": 0}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert ">My essay goes here.</textarea>" in html
    assert "an invisible character" in html and "please save again" in html
    assert not Submission.objects.filter(learner=alice).exclude(text="").exists()
    # Saved again as it now is, it goes through.
    response = post_form(
        alice_client, "/assignments/1/draft/", {"text": "My essay goes here.", "version": 0}
    )
    assert response.status_code == 302
    assert Submission.objects.get(learner=alice).text == "My essay goes here."


def test_an_essay_saved_after_it_was_submitted_elsewhere_is_shown_to_copy(
    alice_client, alice, cohort
):
    submitted_essay(alice)
    response = post_form(
        alice_client, "/assignments/1/draft/", {"text": "Words from an old tab.", "version": 1}
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert ">Words from an old tab.</textarea>" in html
    assert "can no longer be changed" in html


def test_a_journal_answer_with_a_nul_character_comes_back_without_it(alice_client, alice, cohort):
    prompt = ReflectionPrompt.objects.filter(lesson__isnull=False).first()
    response = post_form(
        alice_client,
        f"/journal/prompts/{prompt.pk}/",
        {"text": "What I felt\x00 today.", "version": 0, "shared_with_tutor": "on"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert ">What I felt today.</textarea>" in html
    assert "an invisible character" in html
    assert 'id="share" checked' in html
    assert not Reflection.objects.exists()


class _FormFields(HTMLParser):
    """The values a browser would send for the form with id ``form_id``."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.data = form_id, []
        self._in_form, self._select, self._textarea = False, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._in_form = attrs.get("id") == self.form_id
        name = attrs.get("name")
        if not self._in_form or not name or "__prefix__" in name:
            if tag == "option" and self._select and "selected" in attrs:
                self.data.append((self._select, attrs.get("value", "")))
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data.append((name, attrs.get("value", "on")))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self.data.append((name, attrs.get("value") or ""))
        elif tag == "select":
            self._select = name
        elif tag == "textarea":
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, value = self._textarea
            self.data.append((name, value[1:] if value.startswith("\n") else value))
            self._textarea = None
        elif tag == "form":
            self._in_form = False


def form_fields(html: str, form_id: str) -> list[tuple[str, str]]:
    parser = _FormFields(form_id)
    parser.feed(html)
    return parser.data


def test_a_coordinators_cohort_edit_with_a_nul_character_keeps_everything_typed(
    coordinator_client, cohort
):
    url = f"/admin/courses/cohort/{cohort.pk}/change/"
    fields = form_fields(coordinator_client.get(url).content.decode(), "cohort_form")
    changed = [
        (name, "Spring\x00 2026" if name == "name" else value)
        for name, value in fields
        if name != "contact_email"
    ] + [("contact_email", "new-contact@example.org"), ("_save", "Save")]
    response = post_form(coordinator_client, url, changed)
    html = response.content.decode()
    assert response.status_code == 200, html[:2000]
    assert "Null characters are not allowed" in html  # beside the field
    assert 'value="new-contact@example.org"' in html  # everything else typed is kept
    cohort.refresh_from_db()
    assert cohort.name == "Spring" and cohort.contact_email != "new-contact@example.org"


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/accounts/login/", {"username": "alice\x00", "password": "x\x00"}),
        ("/accounts/password_reset/", {"email": "alice\x00@example.org"}),
    ],
)
def test_plain_forms_with_a_nul_character_never_fail(client, alice, url, data):
    response = post_form(client, url, data)
    assert response.status_code in (200, 302, 400, 429)


def test_an_admin_action_with_a_nul_id_gets_a_message(coordinator_client, cohort):
    response = post_form(
        coordinator_client,
        "/admin/courses/cohort/",
        {"action": "open_all_sessions", "_selected_action": [f"{cohort.pk}\x00"]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Those items could not be found" in response.content.decode()


def test_a_nul_character_in_a_query_string_is_still_refused(coordinator_client):
    assert coordinator_client.get("/admin/courses/learner/?q=%00").status_code == 400


# ---------------------------------------------------------------- 5a. unusable attachment names


@pytest.mark.parametrize("name", ["🌱", "....pdf", "🌱🌱.pdf", "\u202e\u202e.pdf", "!!!"])
def test_a_file_whose_name_has_nothing_usable_is_attached_as_essay_pdf(
    alice_client, alice, cohort, media, name
):
    response = alice_client.post(
        "/assignments/1/attachment/", {"file": upload(name, PDF_BYTES)}, follow=True
    )
    assert response.status_code == 200
    assert "“essay.pdf” is attached to your draft" in response.content.decode()
    draft = Submission.objects.get(learner=alice)
    assert draft.attachment_name == "essay.pdf"
    assert stored_files(media) == [draft.attachment.name]  # nothing else left behind


# ---------------------------------------------------------------- 5b. invisible essays

INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff \n\t\u200b"


def test_text_of_zero_width_characters_and_spaces_is_blank():
    from peersupport.writing import is_blank

    assert is_blank(INVISIBLE) and is_blank("") and is_blank("\u202e\u2066 ")
    assert not is_blank("\u200ba") and not is_blank("🌱") and not is_blank("-")


def test_an_essay_of_zero_width_characters_cannot_be_submitted(alice_client, alice, cohort):
    alice_client.post("/assignments/1/draft/", {"text": INVISIBLE})
    response = alice_client.post(
        "/assignments/1/submit/",
        {"declaration": "on", "outside_range_ok": "on", "attempt": 1},
        follow=True,
    )
    assert "Your essay is empty" in response.content.decode()
    assert Submission.objects.get(learner=alice).is_draft


# ---------------------------------------------------------------- 5c. names that change direction

RLO = "\u202e"


def test_an_attachments_name_loses_its_direction_controls_and_is_isolated(
    alice_client, alice, cohort
):
    alice_client.post(
        "/assignments/1/attachment/", {"file": upload(f"my{RLO}fdp.exe\x07.pdf", PDF_BYTES)}
    )
    draft = Submission.objects.get(learner=alice)
    assert not re.search(r"[\u202a-\u202e\u2066-\u2069\x00-\x1f]", draft.attachment_name)
    html = alice_client.get("/assignments/1/").content.decode()
    assert f"<bdi>{draft.attachment_name}</bdi>" in html


def test_names_in_the_admin_are_isolated(client, tutor, alice, cohort):
    alice.first_name = f"Al{RLO}ice"
    alice.save()
    tutor.first_name = f"Ti{RLO}na"
    tutor.save()
    essay = submitted_essay(alice)
    client.force_login(tutor)
    html = client.get(f"/admin/assessments/submission/{essay.pk}/change/").content.decode()
    assert f"<h1><bdi>Al{RLO}ice</bdi>: assignment 1, attempt 1</h1>" in html
    assert f"&#x2068;Al{RLO}ice&#x2069;: assignment 1" in html  # the window's title
    assert f"<strong><bdi>Ti{RLO}na</bdi></strong>" in html  # "Welcome, …"
    assert "admin/css/peersupport-admin.css" in html


def test_names_on_the_progress_report_are_isolated(coordinator_client, alice, cohort):
    alice.first_name = f"Al{RLO}ice"
    alice.save()
    html = coordinator_client.get(f"/admin/courses/cohort/{cohort.pk}/progress/").content.decode()
    assert re.search(rf"<td><bdi>Al{RLO}ice[^<]*</bdi></td>", html)
    assert f"<bdi>{cohort.name}</bdi>" in html


# ---------------------------------------------------------------- 5d. maxlength in UTF-16 units


def test_text_boxes_take_their_full_length_in_emoji(coordinator_client, client, course):
    lesson = Lesson.objects.get()
    html = coordinator_client.get(
        f"/admin/course_sessions/lesson/{lesson.pk}/change/"
    ).content.decode()
    title = re.search(r'<input type="text" name="title"[^>]*>', html).group(0)
    assert 'maxlength="400"' in title  # 200 characters, each up to 2 UTF-16 units
    session = coordinator_client.get(
        f"/admin/course_sessions/session/{Session.objects.get(number=1).pk}/change/"
    ).content.decode()
    assert 'name="title"' in session and 'maxlength="200"' not in session
    reset = client.get("/accounts/password_reset/").content.decode()
    assert 'maxlength="508"' in reset
    # The server still counts characters: 200 emoji are a 200-character title.
    emoji_title = "🌱" * 200
    response = post_form(
        coordinator_client,
        f"/admin/course_sessions/lesson/{lesson.pk}/change/",
        [(n, emoji_title if n == "title" else v) for n, v in form_fields(html, "lesson_form")]
        + [("_save", "Save")],
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    lesson.refresh_from_db()
    assert lesson.title == emoji_title


# ---------------------------------------------------------------- 5e. password-reset timing


def normalised(queries) -> list[str]:
    return [re.sub(r"'[^']*'|\b\d+\b", "?", query["sql"]) for query in queries]


def test_a_password_reset_does_the_same_work_whether_or_not_the_account_exists(client, alice):
    post_form(client, "/accounts/password_reset/", {"email": "warm-up@example.org"})
    done = {}
    for address in ["alice@example.org", "nobody@example.org"]:
        with CaptureQueriesContext(connection) as queries:
            response = post_form(client, "/accounts/password_reset/", {"email": address})
        assert response["Location"] == "/accounts/password_reset/done/"
        done[address] = normalised(queries.captured_queries)
    assert done["alice@example.org"] == done["nobody@example.org"]
    # And nothing in the request looks the address up.
    assert not any("auth_user" in sql for sql in done["alice@example.org"])


def test_the_worker_queues_the_reset_email_only_for_an_account(client, alice):
    from accounts.forms import send_password_reset
    from outbox.models import Email

    # The task as the worker runs it (tests/tasks.py's worker closes the
    # test's connection on PostgreSQL, so it is called directly here).
    send_password_reset.func("ALICE@example.org", "testserver", "http")
    send_password_reset.func("nobody@example.org", "testserver", "http")
    assert list(Email.objects.values_list("recipient__username", "description")) == [
        ("alice", "Password reset link")
    ]


# ---------------------------------------------------------------- 6a. history pages and the CSP


def test_history_and_revert_pages_have_no_inline_style(coordinator_client, course):
    session = Session.objects.get(number=2)
    session.title = "A changed title"
    session.save()
    record = session.history.order_by("history_id").first()
    base = f"/admin/course_sessions/session/{session.pk}/history/"
    for url in [base, f"{base}{record.history_id}/"]:
        response = coordinator_client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert not re.search(r"<[^>]+\sstyle=", html), url
        assert "admin/css/peersupport-admin.css" in html, url


# ---------------------------------------------------------------- 6b. browser policies

POLICY_MIDDLEWARE = "peersupport.middleware.BrowserPolicyMiddleware"


def test_the_browser_policy_middleware_is_registered_above_whitenoise():
    middleware = django_settings.MIDDLEWARE
    assert POLICY_MIDDLEWARE in middleware, "add it to MIDDLEWARE (see the report)"
    assert middleware.index(POLICY_MIDDLEWARE) < middleware.index(
        "whitenoise.middleware.WhiteNoiseMiddleware"
    )


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/static/css/site.css", "/healthz"])
def test_every_response_says_what_the_browser_may_not_do(alice_client, url):
    response = alice_client.get(url)
    assert response.status_code == 200, url
    policy = response["Permissions-Policy"]
    for feature in ["camera", "microphone", "geolocation", "payment", "usb"]:
        assert f"{feature}=()" in policy
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


# ---------------------------------------------------------------- 6c. exercise files by content

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("slides.pdf", PNG, "ends in .pdf, but it is not a PDF"),
        ("photo.png", PDF_BYTES, "ends in .png, but it is not a PNG picture"),
        ("photo.jpg", PNG, "ends in .jpg, but it is not a JPEG picture"),
        ("notes.txt", b"\x00\x01\x02 binary \x03", "ends in .txt, but it is not plain text"),
        ("handout.docx", b"PK\x03\x04 not a zip", "ends in .docx, but it is not a Word"),
        ("sheet.xlsx", docx_bytes(), "ends in .xlsx, but it is not an Excel spreadsheet"),
        ("talk.mp3", PDF_BYTES, "ends in .mp3, but it is not an MP3 recording"),
        ("handout.odt", docx_bytes(), "ends in .odt, but it is not an OpenDocument text"),
        ("old.doc", docx_bytes(), "ends in .doc, but it is not a Word document"),
    ],
)
def test_an_exercise_file_that_is_not_what_its_name_says_is_refused(
    coordinator_client, course, media, name, data, problem
):
    lesson = Lesson.objects.get()
    response = post_lesson_with_upload(
        coordinator_client, lesson, "Handout", SimpleUploadedFile(name, data)
    )
    html = response.content.decode().replace("&#x27;", "'").replace("&rsquo;", "’")
    assert response.status_code == 200
    assert problem in html
    assert not ExerciseFile.objects.exists() and stored_files(media) == []


@pytest.mark.parametrize("shape", ["docx", "odt"])
def test_an_office_exercise_file_that_unpacks_to_far_too_much_is_refused(
    coordinator_client, course, media, shape
):
    lesson = Lesson.objects.get()
    response = post_lesson_with_upload(
        coordinator_client, lesson, "Bomb", SimpleUploadedFile(f"big.{shape}", bomb(shape))
    )
    assert response.status_code == 200
    assert "it would be far too large once unpacked" in response.content.decode()
    assert not ExerciseFile.objects.exists()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("slides.pdf", PDF_BYTES),
        ("photo.png", PNG),
        ("photo.jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF"),
        ("notes.txt", "Café, naïve – “quoted”\n".encode()),
        ("notes.md", "Windows text: café\r\n".encode("cp1252")),
        ("notes.txt", "\ufeffUTF-16 text".encode("utf-16")),
        ("letter.rtf", b"{\\rtf1\\ansi hello}"),
        ("talk.mp3", b"ID3\x04\x00\x00\x00\x00\x00\x00"),
        ("talk.mp3", b"\xff\xfb\x90\x64\x00"),
        ("clip.mp4", b"\x00\x00\x00\x18ftypmp42\x00\x00"),
        ("talk.m4a", b"\x00\x00\x00\x20ftypM4A \x00\x00"),
        ("handout.docx", docx_bytes()),
        ("handout.odt", odt_bytes()),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 30),
    ],
)
def test_exercise_files_that_are_what_they_say_are_kept(
    coordinator_client, course, media, name, data
):
    lesson = Lesson.objects.get()
    response = post_lesson_with_upload(
        coordinator_client, lesson, "Handout", SimpleUploadedFile(name, data)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert ExerciseFile.objects.get().filename == name


# ---------------------------------------------------------------- 6d. big uploads refused early

UPLOAD_HANDLER = "peersupport.uploads.UploadLimitHandler"


def test_the_upload_limit_handler_is_registered_first():
    handlers = django_settings.FILE_UPLOAD_HANDLERS
    assert handlers and handlers[0] == UPLOAD_HANDLER, "add it first (see the report)"


@pytest.fixture
def bytes_kept(monkeypatch):
    """How many bytes of uploads Django's own handlers kept, in memory or on
    disk (the memory handler passes on what it does not keep)."""
    kept = {"bytes": 0}
    memory, disk = (
        MemoryFileUploadHandler.receive_data_chunk,
        TemporaryFileUploadHandler.receive_data_chunk,
    )

    def in_memory(self, raw_data, start):
        kept["bytes"] += len(raw_data) if self.activated else 0
        return memory(self, raw_data, start)

    def on_disk(self, raw_data, start):
        kept["bytes"] += len(raw_data)
        return disk(self, raw_data, start)

    monkeypatch.setattr(MemoryFileUploadHandler, "receive_data_chunk", in_memory)
    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", on_disk)
    return kept


def test_an_attachment_the_request_says_is_too_big_is_refused_before_any_is_kept(
    alice_client, alice, cohort, media, bytes_kept
):
    big = PDF_BYTES + b"0" * (ATTACHMENT_MAX_BYTES + MB)
    response = alice_client.post(
        "/assignments/1/attachment/", {"file": upload("big.pdf", big)}, follow=True
    )
    html = response.content.decode()
    assert "the most you can attach is 10 MB" in html
    assert bytes_kept["bytes"] == 0  # Content-Length said so before the file arrived
    assert not Submission.objects.filter(learner=alice).exclude(attachment="").exists()
    assert stored_files(media) == []


def test_an_attachment_just_over_the_limit_is_refused_as_it_passes_the_limit(
    alice_client, alice, cohort, media, bytes_kept
):
    big = PDF_BYTES + b"0" * ATTACHMENT_MAX_BYTES
    response = alice_client.post(
        "/assignments/1/attachment/", {"file": upload("big.pdf", big)}, follow=True
    )
    assert "the most you can attach is 10 MB" in response.content.decode()
    assert bytes_kept["bytes"] <= ATTACHMENT_MAX_BYTES  # then it stops keeping it
    assert stored_files(media) == []


def test_an_attachment_just_under_the_limit_is_still_attached(alice_client, alice, cohort, media):
    near = PDF_BYTES + b"0" * (ATTACHMENT_MAX_BYTES - len(PDF_BYTES) - 1)
    response = alice_client.post(
        "/assignments/1/attachment/", {"file": upload("near.pdf", near)}, follow=True
    )
    assert "is attached to your draft" in response.content.decode()


def test_an_over_size_exercise_file_is_refused_while_it_arrives(
    coordinator_client, course, media, bytes_kept
):
    lesson = Lesson.objects.get()
    big = SimpleUploadedFile("slides.pdf", b"%PDF-1.4 " + b"x" * EXERCISE_FILE_MAX_BYTES)
    response = post_lesson_with_upload(
        coordinator_client, lesson, "Slides", big, body=lesson.body + "\nMY NEW LINE"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "“slides.pdf” is larger than 25 MB" in html
    assert "MY NEW LINE</textarea>" in html  # what was typed is still in the form
    assert bytes_kept["bytes"] <= EXERCISE_FILE_MAX_BYTES
    assert not ExerciseFile.objects.exists() and stored_files(media) == []


# ---------------------------------------------------------------- 6e. password pages never stored


@pytest.mark.parametrize("url", ["/accounts/password_change/", "/accounts/password_change/done/"])
def test_password_change_pages_are_never_stored(alice_client, url):
    response = alice_client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
