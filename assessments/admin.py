from django.contrib import admin

from assessments.models import Assignment
from peersupport.admin import ContentAdmin, rendered_preview


@admin.register(Assignment)
class AssignmentAdmin(ContentAdmin):
    list_display = ["number", "title", "min_words", "max_words", "feedback_session"]
    list_display_links = ["number", "title"]
    list_select_related = ["feedback_session"]
    fields = [
        "course", "number", "title", "brief", "brief_preview",
        "min_words", "max_words", "feedback_session",
    ]  # fmt: skip
    readonly_fields = ["brief_preview"]

    brief_preview = rendered_preview("brief_html", "Brief, as learners see it")
