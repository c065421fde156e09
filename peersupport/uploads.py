"""Uploaded files, before they are stored: how large they may be (refused
while they arrive), what they may be called, and what is inside an archive
(looked into without unpacking it). Storing them: peersupport/storage.py."""

import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.urls import Resolver404, resolve

# ---------------------------------------------------------------- upload sizes

# What a one-file form may carry besides its file: the CSRF token, the
# multipart boundaries and headers, a long file name.
FORM_ALLOWANCE_BYTES = 8 * 1024


def upload_limit(max_bytes: int):
    """Mark a view as taking one file of at most ``max_bytes`` (the outermost
    decorator). Other views take up to settings.UPLOAD_MAX_BYTES a file."""

    def decorate(view):
        view.upload_max_bytes = max_bytes
        return view

    return decorate


@dataclass(frozen=True)
class RefusedUpload:
    name: str
    size: int  # about the whole file's size when ``whole``, else a lower bound
    limit: int
    whole: bool


def refused_upload(request, field_name: str) -> RefusedUpload | None:
    """The file sent in ``field_name`` that UploadLimitHandler refused for
    its size, if it did: the view says so, instead of "choose a file"."""
    return getattr(request, "refused_uploads", {}).get(field_name)


class UploadLimitHandler(FileUploadHandler):
    """Refuse an over-size file while it arrives, not after.

    Listed first in FILE_UPLOAD_HANDLERS. A file is skipped (nothing of it is
    kept, in memory or on disk) as soon as it is known to be over the limit
    of the page it is sent to: at once when the request's Content-Length
    already says so for a page taking one file, else when its bytes pass the
    limit. The rest of the body is read and the form's other fields arrive as
    usual, so the page can show what was typed and a kind message
    (``refused_upload``). nginx also caps the whole body, before Django.
    """

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.limit, self.one_file = _upload_limit_for(self.request)
        self.body_too_large = bool(
            self.one_file and content_length and content_length > self.limit + FORM_ALLOWANCE_BYTES
        )
        self.body_length = content_length or 0

    def receive_data_chunk(self, raw_data, start):
        # Refused at the first chunk, not in new_file: by then the handlers
        # after this one hold this file only, and skipping it closes just it.
        if self.body_too_large:
            self._refuse(self.body_length - FORM_ALLOWANCE_BYTES, whole=True)
        if start + len(raw_data) > self.limit:
            self._refuse(start + len(raw_data), whole=False)
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler keeps the file

    def _refuse(self, size, whole):
        refused = getattr(self.request, "refused_uploads", {})
        refused[self.field_name] = RefusedUpload(self.file_name, size, self.limit, whole)
        self.request.refused_uploads = refused
        raise SkipFile


def _upload_limit_for(request) -> tuple[int, bool]:
    """(the most bytes a file sent to this page may have, whether the page
    is marked as taking one file)."""
    default = getattr(settings, "UPLOAD_MAX_BYTES", 25 * 1024 * 1024)
    try:
        view = resolve(request.path_info).func
    except Resolver404:
        return default, False
    limit = getattr(view, "upload_max_bytes", None)
    return (limit, True) if limit is not None else (default, False)


# ---------------------------------------------------------------- uploaded file names

_WINDOWS_RESERVED = set('<>:"/\\|?*')


def clean_file_name(name: str, extension: str = "", max_chars: int = 80, fallback="file") -> str:
    """A file name fit to show and to save a download under: no folders, no
    control, bidi or zero-width characters, none that Windows refuses, at most
    ``max_chars`` characters, ending in ``extension`` (the file's real type,
    when known; otherwise its own extension is kept). A name with nothing
    usable left becomes ``fallback``."""
    name = unicodedata.normalize("NFC", str(name)).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(" " if char.isspace() else char for char in name if _fit_for_names(char))
    stem, dot, own_extension = name.rpartition(".")
    if not dot:
        stem, own_extension = name, ""
    if not extension:
        own_extension = "".join(c for c in own_extension if c.isalnum())[:10].lower()
        extension = f".{own_extension}" if own_extension else ""
    stem = " ".join(stem.split()).strip(" ._-")
    if not any(char.isalnum() for char in stem):
        stem = fallback
    return stem[: max(1, max_chars - len(extension))].rstrip(" .") + extension


def _fit_for_names(char: str) -> bool:
    if char.isspace():
        return True
    return unicodedata.category(char) not in _INVISIBLE_CATEGORIES and char not in _WINDOWS_RESERVED


# Control, format (bidi, zero-width), private-use, unassigned and surrogate
# characters, and line or paragraph separators.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp"})


def shorten_file_name(name: str, max_chars: int, max_bytes: int | None = None) -> str:
    """``name`` cut to ``max_chars`` characters (and ``max_bytes`` bytes of
    UTF-8, what a disk's file names are limited by), keeping its extension."""
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) > 10:
        stem, dot, extension = name, "", ""
    tail = f"{dot}{extension}"

    def fits(candidate: str) -> bool:
        return len(candidate) <= max_chars and (
            max_bytes is None or len(candidate.encode("utf-8", "surrogatepass")) <= max_bytes
        )

    while stem and not fits(stem + tail):
        stem = stem[:-1]
    return (stem + tail) if stem else tail.lstrip(".")[:max_chars]


# ---------------------------------------------------------------- looking inside uploaded archives

# Word, OpenDocument and the other office files are ZIP archives. A small
# archive can unpack to gigabytes (a 1 MB upload to 1 GiB), so nothing here
# unpacks one: the sizes its directory declares are checked, and at most a
# few bytes of a named part are read.
ZIP_MAX_ENTRIES = 5_000  # a long report has a few hundred parts
ZIP_MAX_UNPACKED_BYTES = 256 * 1024 * 1024
# Text in office files packs to a tenth or so of its size; a part that
# packs a hundredfold smaller is filler made to unpack into a huge file.
ZIP_MAX_RATIO = 100
ZIP_RATIO_GRACE_BYTES = 1024 * 1024  # small parts may pack as they like
_EOCD = struct.Struct("<4s4H2LH")
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")
_SEARCH_TAIL = _EOCD.size + 65_535  # the directory's end record and its comment


class UnsafeArchive(ValueError):
    """An archive that is not looked into. ``reason`` is "damaged" (not a
    readable ZIP), "too_large" (it would unpack far larger than any real
    document, or packs suspiciously well) or "too_many_parts"."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class ArchiveContents:
    names: frozenset[str]
    starts: dict[str, bytes]  # the first bytes of the parts asked for


def peek_into_zip(
    file,
    read: dict[str, int] | None = None,
    max_unpacked: int = ZIP_MAX_UNPACKED_BYTES,
    max_entries: int = ZIP_MAX_ENTRIES,
) -> ArchiveContents:
    """The names of the parts of the ZIP archive ``file`` (a seekable binary
    file), and the first ``read[name]`` bytes of the parts named in ``read``.

    Raises UnsafeArchive for an archive that is damaged, declares more than
    ``max_entries`` parts, would unpack to more than ``max_unpacked`` bytes,
    or packs more than ZIP_MAX_RATIO to one. Memory use does not depend on
    what the archive would unpack to.
    """
    try:
        entries, directory_size = _zip_directory_size(file)
        # zipfile reads the whole directory and makes an object per part: an
        # archive claiming millions of tiny parts is refused before that.
        if entries > max_entries or directory_size > max_entries * 1024:
            raise UnsafeArchive("too_many_parts")
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            infos = archive.infolist()
            if len(infos) > max_entries:
                raise UnsafeArchive("too_many_parts")
            unpacked = sum(info.file_size for info in infos)
            packed = sum(info.compress_size for info in infos)
            if unpacked > max_unpacked or any(_packs_suspiciously(i) for i in infos):
                raise UnsafeArchive("too_large")
            if unpacked > ZIP_RATIO_GRACE_BYTES and unpacked > ZIP_MAX_RATIO * max(packed, 1):
                raise UnsafeArchive("too_large")
            starts = {}
            for name, size in (read or {}).items():
                try:
                    info = archive.getinfo(name)
                except KeyError:
                    continue
                # read(n) of a part unpacks little more than n bytes, and
                # never more than the size its directory entry declares.
                with archive.open(info) as part:
                    starts[name] = part.read(size)
            return ArchiveContents(frozenset(info.filename for info in infos), starts)
    except UnsafeArchive:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        struct.error,
        EOFError,
        OSError,
        ValueError,
        RuntimeError,  # encrypted
        NotImplementedError,  # an unknown way of packing
        UnicodeDecodeError,
    ):
        raise UnsafeArchive("damaged") from None
    finally:
        file.seek(0)


def _packs_suspiciously(info: zipfile.ZipInfo) -> bool:
    return info.file_size > ZIP_RATIO_GRACE_BYTES and info.file_size > ZIP_MAX_RATIO * max(
        info.compress_size, 1
    )


def _zip_directory_size(file) -> tuple[int, int]:
    """(number of parts, bytes of the central directory) as the archive's end
    record declares them, read without parsing the directory."""
    file.seek(0, 2)
    size = file.tell()
    start = max(0, size - _SEARCH_TAIL)
    file.seek(start)
    tail = file.read(size - start)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < _EOCD.size:
        raise UnsafeArchive("damaged")
    _, _, _, _, entries, directory_size, offset, _ = _EOCD.unpack_from(tail, at)
    if entries == 0xFFFF or directory_size == 0xFFFFFFFF or offset == 0xFFFFFFFF:
        # ZIP64: the real figures are in a record the locator points to.
        if at < _ZIP64_LOCATOR.size:
            raise UnsafeArchive("damaged")
        signature, _, record_at, _ = _ZIP64_LOCATOR.unpack_from(tail, at - _ZIP64_LOCATOR.size)
        if signature != b"PK\x06\x07" or record_at > size - _ZIP64_EOCD.size:
            raise UnsafeArchive("damaged")
        file.seek(record_at)
        record = file.read(_ZIP64_EOCD.size)
        if len(record) < _ZIP64_EOCD.size or not record.startswith(b"PK\x06\x06"):
            raise UnsafeArchive("damaged")
        *_, entries, directory_size, _ = _ZIP64_EOCD.unpack(record)
    return entries, directory_size


# ---------------------------------------------------------------- pictures

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"


def is_image(upload) -> bool:
    """Whether ``upload`` is a PNG or JPEG picture, by its first bytes."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    return head.startswith((PNG_SIGNATURE, JPEG_SIGNATURE))
