"""The course itself: its title, overview and resources."""

from django.contrib import admin

from courses.models import (
    Course,
)
from peersupport.admin import (
    ContentAdmin,
    rendered_preview,
)


@admin.register(Course)
class CourseAdmin(ContentAdmin):
    list_display = ["title", "slug", "updated_at"]
    fieldsets = [
        (None, {"fields": [
            "title", "slug", "overview", "overview_preview", "resources", "resources_preview",
        ]}),
        ("Completing the course", {
            "description": "What a learner must do to complete the course and be given a "
            "certificate. Sessions count when the learner was present (or, if you allow it, "
            "caught up after missing them).",
            "fields": [
                "completion_sessions_attended", "completion_required_sessions",
                "completion_caught_up_counts", "completion_assignments_passed",
            ],
        }),
    ]  # fmt: skip
    readonly_fields = ["overview_preview", "resources_preview"]

    overview_preview = rendered_preview("overview", "Overview, as learners see it")
    resources_preview = rendered_preview("resources", "Resources, as learners see it")
