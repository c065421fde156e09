"""Checking an essay's attached file by what it contains, not what it is called."""

import io
import zipfile
from dataclasses import dataclass

from assessments.models import ATTACHMENT_MAX_BYTES

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
EXTENSIONS = {PDF: ".pdf", DOCX: ".docx", ODT: ".odt"}


class AttachmentError(ValueError):
    """A file the app will not keep; the message says why, kindly."""


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str


def check_attachment(upload) -> CheckedFile:
    """The real type of ``upload`` (PDF, DOCX or ODT), or AttachmentError."""
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise AttachmentError(
            f"This file is {upload.size / 1024 / 1024:.1f} MB; the most you can attach is "
            f"{ATTACHMENT_MAX_BYTES // 1024 // 1024} MB. Try saving it as a PDF, or with "
            "smaller pictures."
        )
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        content_type = PDF
    elif head.startswith(b"PK\x03\x04"):
        content_type = _office_type(upload)
    else:
        content_type = None
    upload.seek(0)
    if content_type is None:
        raise AttachmentError(
            "This file is not a PDF, Word (.docx) or OpenDocument (.odt) document, whatever "
            "its name says. Please save your essay in one of those formats and attach it again."
        )
    return CheckedFile(content_type, EXTENSIONS[content_type])


def _office_type(upload) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(upload.read())) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names and "[Content_Types].xml" in names:
                return DOCX
            if "mimetype" in names and archive.read("mimetype").strip() == ODT.encode():
                return ODT
    except (zipfile.BadZipFile, KeyError, ValueError, RuntimeError):
        return None
    return None
