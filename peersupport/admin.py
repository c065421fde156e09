"""Admin building blocks shared by every app: row scoping, Markdown preview,
content history with diffs."""

import difflib
import re

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from peersupport.rendering import render_markdown
from peersupport.roles import is_coordinator
from peersupport.storage import UploadStorageError
from peersupport.writing import FullLengthFieldsMixin


def rendered_preview(source_field: str, description: str):
    """A read-only admin field showing a Markdown field as learners see it.

    It renders the field's text as the page has it, through the one renderer
    with the model's profile: on the history page's "revert" form that is the
    version being restored, not the current one. With JavaScript,
    static/admin/js/markdown-preview.js keeps it up to date while typing.
    """

    @admin.display(description=description)
    def preview(self, obj):
        html = (
            render_markdown(getattr(obj, source_field), obj.markdown_profile)
            if obj is not None
            else ""
        )
        # Safe: produced by peersupport.rendering, which sanitises with bleach.
        return format_html('<div class="markdown-preview">{}</div>', mark_safe(html))  # noqa: S308

    return preview


MAX_SEARCH_CHARS = 200


class GuardedAdmin(FullLengthFieldsMixin, admin.ModelAdmin):
    """The base of every admin here: hostile or mistaken input gets a message,
    never a server error, an object outside the user's rows is a 404, and
    text boxes take their full length in any script (FullLengthFieldsMixin).

    (Django's admin would redirect a missing object to its front page with
    "doesn't exist", a different answer from the 403 of a forbidden model; a
    plain 404 confirms nothing.)
    """

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except UploadStorageError as error:
            # The storage refused a file (full, read-only): the transaction
            # rolled back, so nothing was saved. Show the form again with
            # everything typed in it and the reason, instead of a 500.
            request.upload_refused = str(error)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        refused = getattr(request, "upload_refused", None)
        if refused is None:
            return form_class

        class UploadRefusedForm(form_class):
            def clean(self):
                super().clean()
                raise ValidationError(refused)

        return UploadRefusedForm

    def get_search_results(self, request, queryset, search_term):
        if len(search_term) > MAX_SEARCH_CHARS:
            self.message_user(
                request,
                f"Please search for something shorter than {MAX_SEARCH_CHARS} characters.",
                messages.WARNING,
            )
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)

    def response_action(self, request, queryset):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(value.isdigit() and len(value) < 19 for value in selected):
            self.message_user(
                request, "Those items could not be found. Please select them again.", messages.ERROR
            )
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)

    @admin.display(description=mark_safe('<input type="checkbox" id="action-toggle">'))
    def action_checkbox(self, obj):
        """Django's row checkbox, written out directly: Django renders a form
        widget through the template engine for every row, which took 4 of the
        review queue's 45 ms."""
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" '
            'aria-label="Select this object for an action - {}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            obj,
        )


class TextDiffHelper(HistoricalRecordContextHelper):
    """Shows what changed in long text as a word diff rather than cut-off text."""

    def stringify_delta_change_values(self, change, old, new):
        if isinstance(old, str) and isinstance(new, str):
            return word_diff(old, new)
        return super().stringify_delta_change_values(change, old, new)


def word_diff(old: str, new: str) -> tuple[str, str]:
    """(old, new) as HTML, with removed words in <del> and added words in <ins>."""
    old_words, new_words = _WORDS.split(old), _WORDS.split(new)
    old_html, new_html = [], []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        before = escape("".join(old_words[i1:i2]))
        after = escape("".join(new_words[j1:j2]))
        if tag == "equal":
            old_html.append(_elide(before))
            new_html.append(_elide(after))
            continue
        if before.strip():
            old_html.append(f"<del>{before}</del>")
        if after.strip():
            new_html.append(f"<ins>{after}</ins>")
    # Safe: every piece was escaped above.
    return mark_safe("".join(old_html)), mark_safe("".join(new_html))  # noqa: S308


# Words and the white space between them, both kept, so the diff joins back up.
_WORDS = re.compile(r"(\s+)")


def _elide(text: str, keep: int = 60) -> str:
    """Unchanged stretches shortened to their ends, so the change stands out."""
    if len(text) <= 2 * keep + 5:
        return text
    return f"{text[:keep]} … {text[-keep:]}"


def object_id_or_404(model, object_id):
    """``object_id`` as ``model``'s key, or a 404. The admin's URLs take any
    text as an id (a relative image address in feedback makes the browser ask
    for ".../1/change/picture.png"); one that cannot be a key is not found,
    not a server error."""
    try:
        return model._meta.pk.to_python(unquote(str(object_id)))
    except ValidationError:
        raise Http404 from None


class GuardedHistoryAdmin(SimpleHistoryAdmin):
    """django-simple-history's History and revert pages, with an id that is
    not a number a 404 (simple_history looks it up as given: a 500)."""

    def history_view(self, request, object_id, extra_context=None):
        object_id_or_404(self.model, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        object_id_or_404(self.model, object_id)
        if not str(version_id).isdigit():
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)


class PeopleHistoryAdmin(GuardedHistoryAdmin):
    """The audit trail of staff actions on people (accounts, enrolments,
    extensions, erasures): each row's History page says who changed what and
    when. Coordinators read it; nobody reverts it (a change to a person is
    made again, on purpose, through its own form or action)."""

    def revert_disabled(self, request, obj=None):
        return True

    def history_view(self, request, object_id, extra_context=None):
        self._coordinators_only(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._coordinators_only(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _coordinators_only(self, request, object_id):
        # Outside the person's rows it does not exist (404); inside, only
        # coordinators read its history (403).
        if not str(object_id).isdigit() or not (
            self.get_queryset(request).filter(pk=object_id).exists()
        ):
            raise Http404
        if not is_coordinator(request.user):
            raise PermissionDenied


class ContentAdmin(GuardedHistoryAdmin, GuardedAdmin):
    """Course content: revision history (who, when, a diff, revert) and a live
    preview of every Markdown field."""

    class Media:
        js = ["js/http.js", "admin/js/markdown-preview.js"]
        css = {"all": ["admin/css/peersupport-admin.css"]}

    def get_historical_record_context_helper(self, request, historical_record):
        return TextDiffHelper(self.model, historical_record)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        markdown_fields = getattr(self.model, "markdown_fields", {})
        if isinstance(db_field, models.TextField) and db_field.name in markdown_fields:
            formfield.widget.attrs["data-markdown-preview"] = f"{db_field.name}_preview"
            formfield.widget.attrs["data-markdown-preview-url"] = reverse("admin:markdown_preview")
        return formfield
