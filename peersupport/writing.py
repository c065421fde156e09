"""What the journal and the essay editor share: the autosave protocol, the
length rule for long text, conflicts between two tabs, what counts as blank,
and private file downloads. (Uploads: peersupport/uploads.py.)"""

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
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


# ---------------------------------------------------------------- what counts as text

# Characters that show nothing: an essay made of them (and spaces) is empty,
# whatever str.strip() says. Format characters (category Cf) cover the
# zero-width space, joiners, word joiner, byte order mark and the bidi
# controls; these are the blank-looking letters and symbols on top.
_BLANK_LOOKING = frozenset("\u115f\u1160\u2800\u3164\uffa0")


def is_blank(text: str) -> bool:
    """Whether ``text`` has nothing a reader would see: only white space,
    control, format (zero-width, bidi) and blank-looking characters."""
    return all(
        char.isspace()
        or char in _BLANK_LOOKING
        or unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp")
        for char in text
    )


NUL_MESSAGE = (
    "Null characters are not allowed, and this text has one: an invisible character that "
    "can come with text copied from some programs. It was not saved yet."
)


def refuse_nul_kindly(field: forms.Field) -> forms.Field:
    """Django's own check for NUL characters (PostgreSQL cannot store them),
    with a message that says what happened and that nothing is lost."""
    field.validators = [
        validator
        for validator in field.validators
        if not isinstance(validator, ProhibitNullCharactersValidator)
    ] + [ProhibitNullCharactersValidator(message=NUL_MESSAGE)]
    return field


NUL_TAKEN_OUT = "We have taken it out of your text, which is in the box: please save again."


def without_nul(text: str) -> str:
    """The text to put back in the box after a refusal: no person types a
    NUL, so taking it out loses nothing, and the next save goes through."""
    return text.replace("\x00", "")


def allow_full_length(formfield: forms.Field | None) -> forms.Field | None:
    """Let the browser take as many characters as the server does.

    ``maxlength`` counts UTF-16 units, so a field of 200 characters stops at
    100 emoji (or letters of the rarer Chinese characters). The attribute
    becomes the worst case, two units a character; the server still refuses
    more than ``max_length`` characters, with a message.
    """
    max_length = getattr(formfield, "max_length", None)
    if max_length and "maxlength" in formfield.widget.attrs:
        formfield.widget.attrs["maxlength"] = str(2 * max_length)
    return formfield


class FullLengthFieldsMixin:
    """For a ModelAdmin or an inline: every text box takes its full length
    in characters (allow_full_length)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return allow_full_length(super().formfield_for_dbfield(db_field, request, **kwargs))
