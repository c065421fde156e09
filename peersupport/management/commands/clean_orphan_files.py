from django.core.management.base import BaseCommand

from peersupport.orphans import GRACE, audit_files, remove


class Command(BaseCommand):
    help = (
        "Find files in MEDIA_ROOT that no record refers to (and interrupted uploads), and "
        "records whose file is missing. Lists them; --delete removes the unreferenced ones. "
        f"Files younger than {GRACE} are left alone. Safe to re-run."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--delete",
            action="store_true",
            help="Remove unreferenced files and interrupted uploads (otherwise only list them).",
        )

    def handle(self, *args, delete=False, **options):
        audit = audit_files()
        for title, names in [
            ("Files no record refers to", audit.orphans),
            ("Interrupted uploads", audit.partial),
            ("Records whose file is missing (restore it from a backup)", audit.missing),
        ]:
            self.stdout.write(f"{title}: {len(names)}")
            for name in names:
                self.stdout.write(f"  {name}")
        if delete:
            removed = remove(audit.removable)
            self.stdout.write(f"Removed {removed} file(s).")
        elif audit.removable:
            self.stdout.write("Nothing removed: run again with --delete to remove them.")
