from django.db import migrations

from peersupport.roles import COORDINATORS, TUTORS, grant

ROLES = {
    # Coordinators write the criteria with the rest of the assignment.
    COORDINATORS: {
        "assessments.criterion": ["add", "change", "delete", "view"],
        "assessments.criterionresult": ["view"],
        "assessments.passagecomment": ["view"],
        "assessments.criterionmoderation": ["view"],
    },
    # Tutors mark against the criteria, comment on passages, moderate per
    # criterion, and keep their own snippets of feedback (the admin shows each
    # tutor only theirs).
    TUTORS: {
        "assessments.criterion": ["view"],
        "assessments.criterionresult": ["add", "change", "delete", "view"],
        "assessments.passagecomment": ["add", "change", "delete", "view"],
        "assessments.criterionmoderation": ["add", "change", "view"],
        "assessments.feedbacksnippet": ["add", "change", "delete", "view"],
    },
}


def grant_roles(apps, schema_editor):
    grant(apps, schema_editor, ROLES)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0006_criteria_passages_snippets")]

    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
