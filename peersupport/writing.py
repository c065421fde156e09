"""What the journal and the essay editor share: the autosave protocol, the
length rule for long text, and private file downloads."""

from django import forms
from django.http import FileResponse, Http404, JsonResponse
from django.utils import timezone


def is_autosave(request) -> bool:
    """static/js/autosave.js marks its requests; a plain form POST is not one."""
    return request.headers.get("X-Requested-With") == "fetch"


def saved(text: str, updated_at, **extra) -> JsonResponse:
    """What autosave.js expects after a save: the time, and what was kept."""
    return JsonResponse(
        {
            "saved": True,
            "saved_at": f"{timezone.localtime(updated_at):%H:%M}",
            "updated_at": int(updated_at.timestamp() * 1000),
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
