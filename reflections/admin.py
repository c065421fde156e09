from django.contrib import admin

from peersupport.admin import ContentAdmin, rendered_preview
from reflections.models import ReflectionPrompt


@admin.register(ReflectionPrompt)
class ReflectionPromptAdmin(ContentAdmin):
    list_display = ["__str__", "session", "lesson", "order"]
    list_filter = ["session"]
    list_select_related = ["session", "lesson"]
    search_fields = ["text"]
    fields = ["session", "lesson", "order", "text", "text_preview"]
    readonly_fields = ["text_preview"]

    text_preview = rendered_preview("text_html", "Prompt, as learners see it")
