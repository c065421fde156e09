"""Uploaded files are written whole or not at all.

Every file (an essay's attachment, a lesson's exercise file) is first written
under a temporary name beside its real one, and renamed into place only once
it is complete. A rename within one folder is atomic, so a file under its
real name is always whole. If writing fails (a full disk, a read-only
folder), what was written is removed and ``UploadStorageError`` says why, in
words a learner or coordinator can act on.

Files are put in place *before* the row naming them commits, never after: a
committed row then never points at a missing file. A crash between the two
leaves at worst a file no row names, which ``manage.py clean_orphan_files``
finds (peersupport/orphans.py); so do temporary files of interrupted writes.
"""

import contextlib
import errno
import os
import secrets

from django.core.files.storage import FileSystemStorage

# Temporary files start with this, so they are never taken for real ones.
PART_PREFIX = ".part-"


class UploadStorageError(Exception):
    """A file could not be stored; the message is for the person uploading."""


def storage_problem(error: OSError) -> str:
    if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        reason = "the server's storage is full"
    elif error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        reason = "the server's storage is not accepting files"
    else:
        reason = "the server could not store it"
    return (
        f"The file could not be saved just now: {reason}. Nothing else was lost. Please try "
        "again in a few minutes, and if it happens again, tell your course coordinator."
    )


class SafeFileSystemStorage(FileSystemStorage):
    def _save(self, name, content):
        directory, basename = os.path.split(name)
        part = os.path.join(directory, f"{PART_PREFIX}{secrets.token_hex(8)}-{basename}")
        try:
            part = super()._save(part, content)
            while True:
                final = self.path(name)
                if not os.path.exists(final):
                    break
                name = self.get_available_name(name)
            os.replace(self.path(part), final)
        except OSError as error:
            self._remove_quietly(part)
            raise UploadStorageError(storage_problem(error)) from error
        return name.replace("\\", "/")

    def _remove_quietly(self, name):
        # Never written, or the folder refuses even this.
        with contextlib.suppress(OSError):
            os.remove(self.path(name))
