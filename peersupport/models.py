"""Abstract bases shared by the course-content models of every app."""

import hashlib
import json

from django.db import models

from peersupport.rendering import CONTENT, Profile, render_markdown


def fingerprint(values: dict) -> str:
    """A stable hash of a content row's editable values."""
    encoded = json.dumps(values, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


class MarkdownRendered(models.Model):
    """Stores the sanitised HTML of each Markdown field beside it, rendered on save.

    Subclasses list ``markdown_fields`` as ``{"body": "body_html"}``. Rendering
    once here keeps Markdown out of every template loop.
    """

    markdown_fields: dict[str, str] = {}
    markdown_profile: Profile = CONTENT

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        rendered = self.render_markdown_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, *rendered}
        super().save(*args, **kwargs)

    def render_markdown_fields(self) -> list[str]:
        for source, target in self.markdown_fields.items():
            setattr(self, target, render_markdown(getattr(self, source), self.markdown_profile))
        return list(self.markdown_fields.values())


class CourseContent(MarkdownRendered):
    """Course content loaded from ``content/`` and editable in the admin.

    ``loaded_fingerprint`` is the hash of the values as ``load_course`` last
    wrote them. When the row's values no longer match it, a coordinator has
    edited the row in the admin, and a plain re-load keeps their edit.
    """

    # The attnames whose values come from the content files (FKs as "x_id").
    content_fields: tuple[str, ...] = ()

    loaded_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # Browsers send text areas with CRLF line ends and the admin strips
        # trailing space; store content the way files and forms agree on, so
        # saving an untouched form is not mistaken for an edit.
        for name in self.content_fields:
            value = getattr(self, name)
            if isinstance(value, str):
                setattr(self, name, value.replace("\r\n", "\n").strip())
        super().save(*args, **kwargs)

    @staticmethod
    def history_excluded(markdown_fields: dict[str, str]) -> list[str]:
        """Fields a content model's history leaves out: derived, not edited.

        Reverting to an old version saves the row, which renders its HTML
        again; the load fingerprint stays, so a revert to the loaded text makes
        the row "unchanged" for load_course once more.
        """
        return [*markdown_fields.values(), "loaded_fingerprint", "updated_at"]

    def content_values(self) -> dict:
        return {name: getattr(self, name) for name in self.content_fields}

    def current_fingerprint(self) -> str:
        return fingerprint(self.content_values())

    @property
    def edited_since_load(self) -> bool:
        return (
            bool(self.loaded_fingerprint) and self.current_fingerprint() != self.loaded_fingerprint
        )
