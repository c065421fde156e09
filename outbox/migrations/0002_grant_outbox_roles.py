from django.db import migrations

from peersupport.roles import COORDINATORS, grant

# Coordinators see outgoing mail and retry what failed (the list's action
# needs "change"; no row can be edited by hand).
ROLES = {COORDINATORS: {"outbox.email": ["change", "view"]}}


def grant_roles(apps, schema_editor):
    grant(apps, schema_editor, ROLES)


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_outgoing_email"),
        ("privacy", "0002_grant_privacy_roles"),
    ]

    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
