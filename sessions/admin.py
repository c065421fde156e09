from django.contrib import admin

from peersupport.admin import ContentAdmin, rendered_preview
from peersupport.uploads import refused_upload
from peersupport.writing import FullLengthFieldsMixin
from reflections.models import ReflectionPrompt
from sessions.models import ExerciseFile, Lesson, Session


class LessonInline(FullLengthFieldsMixin, admin.TabularInline):
    model = Lesson
    fields = ["order", "title", "slug"]
    show_change_link = True
    extra = 0


class SessionPromptInline(FullLengthFieldsMixin, admin.StackedInline):
    """Prompts at the end of the session itself (a lesson's are on the lesson)."""

    model = ReflectionPrompt
    fk_name = "session"
    fields = ["order", "text"]
    extra = 0
    verbose_name = "reflection prompt for the whole session"
    verbose_name_plural = "reflection prompts for the whole session"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(lesson=None)


@admin.register(Session)
class SessionAdmin(ContentAdmin):
    list_display = ["number", "title", "has_content_note", "updated_at"]
    list_display_links = ["number", "title"]
    ordering = ["course", "number"]
    fields = [
        "course", "number", "title",
        "aim", "aim_preview",
        "content_note", "content_note_preview",
        "body", "body_preview",
    ]  # fmt: skip
    readonly_fields = ["aim_preview", "content_note_preview", "body_preview"]
    inlines = [LessonInline, SessionPromptInline]

    aim_preview = rendered_preview("aim", "Aim, as learners see it")
    content_note_preview = rendered_preview("content_note", "Content note, as learners see it")
    body_preview = rendered_preview("body", "Body, as learners see it")

    @admin.display(boolean=True, description="Content note")
    def has_content_note(self, obj):
        return bool(obj.content_note)


class ExerciseFileInline(FullLengthFieldsMixin, admin.TabularInline):
    model = ExerciseFile
    fields = ["order", "title", "file", "size", "content_type"]
    readonly_fields = ["size", "content_type"]
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class Form(formset.form):
            def clean(self):
                # A file refused while it arrived, for its size
                # (peersupport.uploads.UploadLimitHandler): none of it was
                # kept, so say why rather than "this field is required".
                refused = refused_upload(request, self.add_prefix("file"))
                if refused is not None:
                    self.errors.pop("file", None)
                    self.add_error(
                        "file",
                        f"“{refused.name}” is larger than {refused.limit // (1024 * 1024)} MB, "
                        "the most a lesson's file can be, so it was not uploaded. Please make "
                        "it smaller (a PDF, or smaller pictures) and choose it again.",
                    )
                return super().clean()

        formset.form = Form
        return formset


class LessonPromptInline(FullLengthFieldsMixin, admin.StackedInline):
    model = ReflectionPrompt
    fk_name = "lesson"
    fields = ["order", "text"]
    extra = 0


@admin.register(Lesson)
class LessonAdmin(ContentAdmin):
    list_display = ["title", "session", "order", "has_content_note", "updated_at"]
    list_filter = ["session"]
    list_select_related = ["session"]
    search_fields = ["title"]
    fields = [
        "session", "order", "title", "slug",
        "content_note", "content_note_preview",
        "body", "body_preview",
    ]  # fmt: skip
    readonly_fields = ["content_note_preview", "body_preview"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ExerciseFileInline, LessonPromptInline]

    content_note_preview = rendered_preview("content_note", "Content note, as learners see it")
    body_preview = rendered_preview("body", "Body, as learners see it")

    @admin.display(boolean=True, description="Content note")
    def has_content_note(self, obj):
        return bool(obj.content_note)
