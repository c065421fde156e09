from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courses.content import write_course
from courses.models import Course


class Command(BaseCommand):
    help = (
        "Write the course in the database out as files that load_course reads. "
        "Export into an empty folder, then compare it with content/ to see what "
        "coordinators changed in the admin."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument(
            "--force", action="store_true", help="Write into a folder that is not empty."
        )

    def handle(self, directory, force, **options):
        target = Path(directory)
        if target.exists() and any(target.iterdir()) and not force:
            raise CommandError(
                f"{target} is not empty. Export into a new folder, or use --force to write "
                "over the files in it (files the course no longer has are left there)."
            )
        course = Course.objects.current()
        if course is None:
            raise CommandError("There is no course in the database to export.")
        count = write_course(target, course)
        self.stdout.write(f"Wrote {count} files to {target}.")
