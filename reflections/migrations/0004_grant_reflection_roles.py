from django.db import migrations

from peersupport.roles import TUTORS, grant

# Tutors read the reflections learners in their cohorts chose to share (the
# admin narrows the rows). Coordinators get nothing here: they never read
# learners' private writing.
ROLES = {TUTORS: {"reflections.reflection": ["view"]}}


def grant_roles(apps, schema_editor):
    grant(apps, schema_editor, ROLES)


class Migration(migrations.Migration):
    dependencies = [
        ("reflections", "0003_learners_reflections"),
        ("courses", "0004_grant_cohort_roles"),
    ]

    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
