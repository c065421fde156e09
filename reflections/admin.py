from django.contrib import admin

from peersupport.admin import ContentAdmin, GuardedAdmin, rendered_preview
from peersupport.people import display_name
from peersupport.signals import announce_work_read
from reflections.models import Reflection, ReflectionPrompt


@admin.register(ReflectionPrompt)
class ReflectionPromptAdmin(ContentAdmin):
    list_display = ["__str__", "session", "lesson", "order"]
    list_filter = ["session"]
    list_select_related = ["session", "lesson"]
    search_fields = ["text"]
    fields = ["session", "lesson", "order", "text", "text_preview"]
    readonly_fields = ["text_preview"]

    text_preview = rendered_preview("text", "Prompt, as learners see it")


@admin.register(Reflection)
class SharedReflectionAdmin(GuardedAdmin):
    """Reflections learners chose to share, for the tutors of their cohorts.

    Read only, and deliberately not scoped like other admins: an answer that
    is not shared is seen by nobody but its author, so even a coordinator or a
    superuser sees here only what was shared with them as a tutor.
    """

    list_display = ["learner_name", "session_number", "prompt_text", "updated_at"]
    list_select_related = ["learner", "prompt__session"]
    list_filter = ["prompt__session"]
    search_fields = ["learner__first_name", "learner__last_name", "learner__email"]
    fields = ["learner_name", "prompt_text", "answer", "updated_at"]
    readonly_fields = fields
    ordering = ["-updated_at"]

    answer = rendered_preview("text", "Answer")

    def get_queryset(self, request):
        return super().get_queryset(request).shared_with(request.user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200:
            reflection = self.get_queryset(request).get(pk=object_id)
            announce_work_read(request.user, reflection.learner, "reflection", reflection.pk)
        return response

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Learner", ordering="learner__last_name")
    def learner_name(self, reflection):
        return display_name(reflection.learner)

    @admin.display(description="Session", ordering="prompt__session__number")
    def session_number(self, reflection):
        return reflection.prompt.session.number

    @admin.display(description="Question")
    def prompt_text(self, reflection):
        return reflection.prompt.text
