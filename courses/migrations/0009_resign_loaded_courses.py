from django.db import migrations

from peersupport.content_migrations import content_fields_added


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0008_completion_rule"),
    ]

    operations = [
        # 0008 added the completion rule to what load_course compares: courses
        # loaded before it would otherwise look edited and never load again.
        content_fields_added(
            "courses",
            "Course",
            before=("title", "overview", "resources"),
            after=(
                "title",
                "overview",
                "resources",
                "completion_sessions_attended",
                "completion_required_sessions",
                "completion_caught_up_counts",
                "completion_assignments_passed",
            ),  # fmt: skip
        ),
    ]
