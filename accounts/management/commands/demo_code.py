from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = (
        "Development only: print the current second-factor code of a demo staff account "
        "(seed_demo gives them an authenticator with a known secret). Refused unless "
        "DJANGO_DEBUG is on."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if not settings.DEBUG:
            raise CommandError("demo_code works only with DJANGO_DEBUG=1 (development).")
        device = TOTPDevice.objects.filter(
            user__in=get_user_model()._default_manager.filter(username=username), confirmed=True
        ).first()
        if device is None:
            raise CommandError(f"{username} has no authenticator (run seed_demo first).")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
