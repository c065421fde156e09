"""Checking an essay's attached file by what it contains, not what it is called."""

from dataclasses import dataclass

from assessments.models import ATTACHMENT_MAX_BYTES
from peersupport.uploads import UnsafeArchive, clean_file_name, peek_into_zip

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
EXTENSIONS = {PDF: ".pdf", DOCX: ".docx", ODT: ".odt"}

# An essay's Word or OpenDocument file unpacks to a few times its size; ten
# times the largest upload is far more than any real one needs.
ATTACHMENT_MAX_UNPACKED_BYTES = 10 * ATTACHMENT_MAX_BYTES
ATTACHMENT_MAX_PARTS = 2_000

NOT_A_DOCUMENT = (
    "This file is not a PDF, Word or OpenDocument document, whatever its name says. "
    "Please save your essay in one of those formats and attach it again."
)
CANNOT_UNPACK = (
    "This file can’t be attached: it looks damaged, or it would be far too large once "
    "unpacked (Word and OpenDocument files are packed, like a ZIP file). Please save your "
    "essay as a PDF and attach that instead."
)


class AttachmentError(ValueError):
    """A file the app will not keep; the message says why, kindly."""


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str


def check_attachment(upload) -> CheckedFile:
    """The real type of ``upload`` (PDF, DOCX or ODT), or AttachmentError."""
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise AttachmentError(too_large_message(upload.size))
    upload.seek(0)
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
        raise AttachmentError(NOT_A_DOCUMENT)
    return CheckedFile(content_type, EXTENSIONS[content_type])


def too_large_message(size: int | None = None) -> str:
    """Why a file is too large; ``size`` None when only "more than" is known."""
    limit = f"{ATTACHMENT_MAX_BYTES // 1024 // 1024} MB"
    how_big = f"{size / 1024 / 1024:.1f} MB" if size is not None else f"more than {limit}"
    return (
        f"This file is {how_big}; the most you can attach is {limit}. Try saving it as a "
        "PDF, or with smaller pictures."
    )


def display_name(name: str, checked: CheckedFile) -> str:
    """The name the file is shown and downloaded under: the learner's own,
    without folders or invisible and direction-changing characters, ending in
    the extension of what the file really is ("essay.pdf" when nothing of
    the name is usable)."""
    return clean_file_name(name, checked.extension, max_chars=80, fallback="essay")


def _office_type(upload) -> str | None:
    try:
        archive = peek_into_zip(
            upload.file if hasattr(upload, "file") else upload,
            # The ODT mimetype is 39 bytes; a little more shows trailing space.
            read={"mimetype": len(ODT) + 8},
            max_unpacked=ATTACHMENT_MAX_UNPACKED_BYTES,
            max_entries=ATTACHMENT_MAX_PARTS,
        )
    except UnsafeArchive as problem:
        if problem.reason == "damaged":
            return None
        raise AttachmentError(CANNOT_UNPACK) from None
    if "word/document.xml" in archive.names and "[Content_Types].xml" in archive.names:
        return DOCX
    if archive.starts.get("mimetype", b"").strip() == ODT.encode():
        return ODT
    return None
