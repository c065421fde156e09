from django.db import migrations

from peersupport.roles import COORDINATORS, TUTORS, grant

ROLES = {
    # Coordinators run cohorts: their dates, tutors, learners and deadlines.
    # Learners are withdrawn, never deleted, so no delete on enrolments or
    # learner accounts.
    COORDINATORS: {
        "courses.cohort": ["add", "change", "delete", "view"],
        "courses.enrolment": ["add", "change", "view"],
        "courses.sessionrelease": ["add", "change", "delete", "view"],
        "courses.assignmentdeadline": ["add", "change", "delete", "view"],
        "courses.deadlineextension": ["add", "change", "delete", "view"],
        "courses.learner": ["add", "change", "view"],
    },
    # Tutors see their own cohorts (the admin narrows the rows), read only.
    TUTORS: {
        "courses.cohort": ["view"],
        "courses.enrolment": ["view"],
        "courses.sessionrelease": ["view"],
        "courses.assignmentdeadline": ["view"],
        "courses.deadlineextension": ["view"],
        "courses.learner": ["view"],
    },
}


def grant_roles(apps, schema_editor):
    grant(apps, schema_editor, ROLES)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0003_cohorts_enrolments_timetable"),
        ("course_sessions", "0002_content_history"),
        ("assessments", "0002_assignment_history"),
        ("reflections", "0002_prompt_history"),
    ]

    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
