from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from peersupport.models import MarkdownRendered


class Command(BaseCommand):
    help = (
        "Render every stored Markdown field to HTML again. Run it after changing the "
        "renderer or the sanitiser's allowlist, so stored HTML follows the new rules."
    )

    def handle(self, **options):
        for model in apps.get_models():
            if not issubclass(model, MarkdownRendered) or not model.markdown_fields:
                continue
            html_fields = list(model.markdown_fields.values())
            changed = []
            total = 0
            with transaction.atomic():
                # Ordered by pk alone: a default ordering across a nullable join
                # cannot be locked on PostgreSQL.
                rows = model.objects.order_by("pk").select_for_update()
                for row in rows.iterator(chunk_size=500):
                    total += 1
                    before = [getattr(row, name) for name in html_fields]
                    row.render_markdown_fields()
                    if [getattr(row, name) for name in html_fields] != before:
                        changed.append(row)
                model.objects.bulk_update(changed, html_fields, batch_size=500)
            self.stdout.write(
                f"{model._meta.label}: {len(changed)} of {total} re-rendered with changes."
            )
