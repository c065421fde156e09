from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.second_factor import turn_off


class Command(BaseCommand):
    help = (
        "Remove a person's second factor (a lost phone): their authenticator and recovery "
        "codes. Staff set up a new one at their next login. Check who is asking first."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model()._default_manager.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account has the username {username!r}.")
        removed = turn_off(user)
        self.stdout.write(
            f"Removed {removed} second-factor device(s) of {username}. "
            + ("They set up a new one at their next login." if user.is_staff else "")
        )
