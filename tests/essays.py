"""Helpers for the essay tests: real-looking files, and a submitted essay."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from assessments import services
from assessments.models import Assignment

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def odt_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def upload(name: str, data: bytes, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def essay_of(words: int) -> str:
    return " ".join(f"word{i}" for i in range(words))


def submitted_essay(learner, number=1, words=1600):
    assignment = Assignment.objects.get(number=number)
    services.start_draft(learner, assignment)
    services.save_draft(learner, assignment, essay_of(words))
    return services.submit(learner, assignment, declaration=True, outside_range_ok=True)
