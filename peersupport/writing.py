"""What the journal and the essay editor share: the autosave protocol, the
length rule for long text, conflicts between two tabs, and private file
downloads."""

from dataclasses import dataclass
from datetime import datetime

from django import forms
from django.http import FileResponse, Http404, JsonResponse
from django.utils import timezone


@dataclass(frozen=True)
class SavedVersion:
    """What the server holds of a piece of writing, as a conflict shows it."""

    text: str
    version: int
    updated_at: datetime
    shared: bool | None = None  # journal answers only

    @property
    def saved_at(self) -> str:
        return f"{timezone.localtime(self.updated_at):%H:%M}"


class WritingConflict(Exception):
    """A save started from an older version than the one stored: another tab
    or device saved in between. Nothing is overwritten; both are shown."""

    message = (
        "This was saved from another tab or device at {saved_at}, after this page was opened. "
        "Nothing is lost: choose which version to keep."
    )

    def __init__(self, theirs: SavedVersion):
        self.theirs = theirs
        super().__init__(self.message.format(saved_at=theirs.saved_at))


def is_stale(stored_version: int, base_version: int | None, same_content: bool) -> bool:
    """Whether a save based on ``base_version`` would overwrite someone else's.

    A save that changes nothing is never a conflict (a repeated autosave), and
    a client that sends no version (an old page) saves as before.
    """
    return base_version is not None and base_version != stored_version and not same_content


class VersionField(forms.IntegerField):
    """The version of the stored text a form's text was based on (hidden)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, min_value=0, **kwargs)


def conflict(error: WritingConflict) -> JsonResponse:
    """autosave.js shows both versions and lets the learner keep either."""
    theirs = error.theirs
    return JsonResponse(
        {
            "saved": False,
            "errors": [str(error)],
            "conflict": {
                "text": theirs.text,
                "version": theirs.version,
                "saved_at": theirs.saved_at,
                "shared": theirs.shared,
            },
        },
        status=409,
    )


def is_autosave(request) -> bool:
    """static/js/autosave.js marks its requests; a plain form POST is not one."""
    return request.headers.get("X-Requested-With") == "fetch"


def saved(text: str, updated_at, version: int, **extra) -> JsonResponse:
    """What autosave.js expects after a save: the time, the new version (the
    next save starts from it), and what was kept."""
    return JsonResponse(
        {
            "saved": True,
            "saved_at": f"{timezone.localtime(updated_at):%H:%M}",
            "updated_at": int(updated_at.timestamp() * 1000),
            "version": version,
            "length": len(text),
            **extra,
        }
    )


def refused(errors: list[str], status: int = 400) -> JsonResponse:
    """A save the app cannot make; the browser keeps the text and shows why."""
    return JsonResponse({"saved": False, "errors": errors}, status=status)


def clean_long_text(text: str, limit: int, what: str) -> str:
    """Keep text exactly as typed (only Windows line ends become "\\n"), up to
    ``limit`` characters; past it, say so kindly."""
    text = text.replace("\r\n", "\n")
    if len(text) > limit:
        raise forms.ValidationError(
            f"{what} is {len(text):,} characters long, and the most the app keeps is "
            f"{limit:,}. Your text is still in the box: please shorten it and save again."
        )
    return text


def private_file_response(field_file, filename: str, content_type: str) -> FileResponse:
    """A file from MEDIA_ROOT (never served directly), as a download."""
    if not field_file:
        raise Http404("There is no file here.")
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing; please tell your course coordinator.") from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type=content_type or "application/octet-stream",
    )
