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
    fields = ["title", "slug", "overview", "overview_preview", "resources", "resources_preview"]
    readonly_fields = ["overview_preview", "resources_preview"]

    overview_preview = rendered_preview("overview", "Overview, as learners see it")
    resources_preview = rendered_preview("resources", "Resources, as learners see it")
