"""Admin helpers shared by every app's admin."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.safestring import mark_safe


def rendered_preview(html_field: str, description: str):
    """A read-only admin field showing a Markdown field as learners see it.

    It shows the stored, sanitised HTML (the renderer's output), so what the
    coordinator sees after saving is exactly what reaches learners.
    """

    @admin.display(description=description)
    def preview(self, obj):
        html = getattr(obj, html_field, "") if obj is not None else ""
        if not html:
            return "Save to see how this looks to learners."
        # Safe: produced by peersupport.rendering, which sanitises with bleach.
        return format_html('<div class="markdown-preview">{}</div>', mark_safe(html))  # noqa: S308

    return preview
