from django.db import migrations

from peersupport.roles import COORDINATORS, TUTORS, grant

EDIT = ["add", "change", "delete", "view"]

ROLES = {
    COORDINATORS: {
        "courses.course": EDIT,
        "course_sessions.session": EDIT,
        "course_sessions.lesson": EDIT,
        "course_sessions.exercisefile": EDIT,
        "reflections.reflectionprompt": EDIT,
        "assessments.assignment": EDIT,
    },
    TUTORS: {
        "courses.course": ["view"],
        "course_sessions.session": ["view"],
        "course_sessions.lesson": ["view"],
        "course_sessions.exercisefile": ["view"],
        "reflections.reflectionprompt": ["view"],
        "assessments.assignment": ["view"],
    },
}


def create_roles(apps, schema_editor):
    grant(apps, schema_editor, ROLES)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("courses", "0001_initial"),
        ("course_sessions", "0001_initial"),
        ("reflections", "0001_initial"),
        ("assessments", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
