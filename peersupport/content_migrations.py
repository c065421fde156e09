"""For migrations that add a field to a content model's ``content_fields``.

``load_course`` keeps a row a coordinator has edited: one whose values no
longer match the fingerprint of what it last loaded (peersupport/models.py).
A new content field changes what the fingerprint covers, so every loaded row
would look edited and keep its old text for ever. This migration step
re-signs the rows that were unchanged since their load, with the new field,
and leaves rows that really were edited as they are.
"""

from django.db import migrations

from peersupport.models import fingerprint


def content_fields_added(app_label: str, model_name: str, before: tuple, after: tuple):
    def resign(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        for row in model.objects.exclude(loaded_fingerprint=""):
            if row.loaded_fingerprint == fingerprint({f: getattr(row, f) for f in before}):
                model.objects.filter(pk=row.pk).update(
                    loaded_fingerprint=fingerprint({f: getattr(row, f) for f in after})
                )

    return migrations.RunPython(resign, migrations.RunPython.noop)
