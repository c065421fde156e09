from django.db import migrations

from peersupport.roles import COORDINATORS, grant

# Coordinators confirm learners' erasure requests.
ROLES = {COORDINATORS: {"privacy.erasurerequest": ["change", "view"]}}


def grant_roles(apps, schema_editor):
    grant(apps, schema_editor, ROLES)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_initial"),
        ("assessments", "0004_grant_assessment_roles"),
    ]

    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
