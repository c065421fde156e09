from django.db import migrations

from peersupport.roles import COORDINATORS, TUTORS, grant

# Tutors take the register of their cohorts; coordinators see it, run the
# completion report, issue and withdraw certificates and set what they carry.
ROLES = {
    TUTORS: {"completion.attendance": ["add", "change", "view"]},
    COORDINATORS: {
        "completion.attendance": ["add", "change", "view"],
        "completion.certificate": ["add", "change", "view"],
        "completion.certificatesettings": ["add", "change", "view"],
    },
}


def grant_roles(apps, schema_editor):
    grant(apps, schema_editor, ROLES)


class Migration(migrations.Migration):
    dependencies = [
        ("completion", "0001_attendance_and_certificates"),
        ("outbox", "0002_grant_outbox_roles"),
    ]

    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
