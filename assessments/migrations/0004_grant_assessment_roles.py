from django.db import migrations

from peersupport.roles import COORDINATORS, TUTORS, grant

ROLES = {
    # Tutors review the essays of their cohorts (the admin narrows the rows):
    # they write and release feedback, and moderate each other's reviews.
    TUTORS: {
        "assessments.submission": ["view", "change"],
        "assessments.review": ["add", "change", "view"],
        "assessments.moderation": ["change", "view"],
        "assessments.statuschange": ["view"],
    },
    # Coordinators oversee assessment: they read submissions and reviews, pick
    # a sample for moderation, and set each assignment's rules.
    COORDINATORS: {
        "assessments.submission": ["view"],
        "assessments.review": ["view"],
        "assessments.moderation": ["add", "view"],
        "assessments.statuschange": ["view"],
    },
}


def grant_roles(apps, schema_editor):
    grant(apps, schema_editor, ROLES)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0003_submissions_reviews_moderation"),
        ("courses", "0005_cohort_requires_moderation"),
        ("reflections", "0004_grant_reflection_roles"),
    ]

    operations = [migrations.RunPython(grant_roles, migrations.RunPython.noop)]
