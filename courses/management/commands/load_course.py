from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courses.content import DEFAULT_CONTENT_DIR, ContentError, load_course


class Command(BaseCommand):
    help = (
        "Load the course from a folder of Markdown files (content/ by default) into the "
        "database. Safe to re-run: unchanged rows are left alone, and rows a coordinator "
        "edited in the admin are kept unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", default=str(DEFAULT_CONTENT_DIR))
        parser.add_argument(
            "--force",
            action="store_true",
            help="Overwrite content a coordinator edited in the admin with the files' version.",
        )

    def handle(self, directory, force, **options):
        try:
            report = load_course(Path(directory), force=force)
        except ContentError as error:
            raise CommandError(f"Nothing was loaded. {error.path}: {error.problem}") from None
        self.stdout.write(
            f"Course loaded from {directory}: {report.created} created, {report.updated} "
            f"updated, {report.unchanged} unchanged, {len(report.kept)} kept."
        )
        if report.kept:
            self.stdout.write(
                "Kept because a coordinator edited them in the admin (use --force to overwrite):"
            )
            for row in report.kept:
                self.stdout.write(f"  {row}")
