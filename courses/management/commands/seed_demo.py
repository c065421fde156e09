from datetime import time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from courses.cohorts import timetable
from courses.models import Cohort, Course, Enrolment, SessionRelease
from peersupport.roles import COORDINATORS, TUTORS

DEMO_COHORT = "Demo cohort"
# The demo cohort started three weeks ago: sessions 1 to 4 are open, the rest
# show the date they open.
DEMO_COHORT_STARTED_WEEKS_AGO = 3
# Where and when the demo's live sessions meet; session 4 (the one that opens
# the day the cohort is made) meets online, so its link shows at once.
DEMO_SESSION_TIMES = (time(10, 0), time(12, 30))
DEMO_PLACE = "Room 4, Park Lane Centre, Leeds"
DEMO_ONLINE_SESSION = 4
DEMO_MEETING_URL = "https://meet.example.org/peer-support-demo"
DEMO_PASSWORD = "peersupport-demo"  # noqa: S105 - documented demo password
# The demo staff's authenticator, printed in the README (base32
# KBSWK4STOVYHA33SORKHEYLJNZCGK3LP) and by `manage.py demo_code USERNAME`.
DEMO_TOTP_KEY = b"PeerSupportTrainDemo".hex()

# username: (first name, last name, role group or None for a learner)
DEMO_ACCOUNTS = {
    "learner": ("Alex", "Learner", None),
    "learner2": ("Sam", "Learner", None),
    "tutor": ("Taylor", "Tutor", TUTORS),
    "coordinator": ("Chris", "Coordinator", COORDINATORS),
}


class Command(BaseCommand):
    help = (
        "Create the demo accounts learner, learner2, tutor and coordinator (the staff with "
        "an authenticator whose secret is in the README). For development only: refuses "
        "when DJANGO_DEBUG is off unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEMO_PASSWORD)
        parser.add_argument(
            "--force", action="store_true", help="Create the accounts even without debug."
        )

    @transaction.atomic
    def handle(self, password, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to create demo accounts with a known password while DJANGO_DEBUG "
                "is off (this looks like a real deployment). Use --force if you mean it."
            )
        User = get_user_model()
        for username, (first, last, role) in DEMO_ACCOUNTS.items():
            user, created = User.objects.get_or_create(username=username)
            user.first_name, user.last_name = first, last
            user.email = f"{username}@example.com"
            # Learners are never staff; tutors and coordinators work in the admin.
            user.is_staff = role is not None
            user.is_superuser = False
            user.set_password(password)
            user.save()
            if role:
                user.groups.set([Group.objects.get(name=role)])
                self.give_authenticator(user)
            else:
                user.groups.clear()
            self.stdout.write(f"{'Created' if created else 'Updated'} {username}")
        self.seed_cohort(User)
        self.stdout.write(
            "Demo logins (password: "
            + ("the one you gave" if password != DEMO_PASSWORD else DEMO_PASSWORD)
            + "): "
            + ", ".join(DEMO_ACCOUNTS)
        )

    def give_authenticator(self, user):
        """Staff need a second factor: the demo's has a known secret, so a
        newcomer signs in with `manage.py demo_code USERNAME`."""
        TOTPDevice.objects.filter(user=user).exclude(key=DEMO_TOTP_KEY).delete()
        TOTPDevice.objects.update_or_create(
            user=user,
            key=DEMO_TOTP_KEY,
            defaults={"name": "Demo authenticator", "confirmed": True},
        )

    def seed_cohort(self, User):
        course = Course.objects.current()
        if course is None:
            self.stdout.write("No course loaded (run load_course first): no demo cohort made.")
            return
        start = timezone.localdate() - timedelta(weeks=DEMO_COHORT_STARTED_WEEKS_AGO)
        cohort, created = Cohort.objects.get_or_create(
            course=course,
            name=DEMO_COHORT,
            defaults={"start_date": start, "contact_email": "coordinator@example.com"},
        )
        cohort.tutors.add(User.objects.get(username="tutor"))
        timetable.create_timetable(cohort)
        for username in ("learner", "learner2"):
            learner = User.objects.get(username=username)
            if not Enrolment.objects.active().filter(learner=learner).exists():
                Enrolment.objects.update_or_create(
                    cohort=cohort, learner=learner, defaults={"withdrawn_at": None}
                )
        self.stdout.write(
            f"{'Created' if created else 'Kept'} {DEMO_COHORT} (started {cohort.start_date}), "
            "with learner and learner2 enrolled and tutor as its tutor"
        )
        self.seed_live_sessions(cohort)

    def seed_live_sessions(self, cohort):
        """A time and place for the demo's sessions, and one session online;
        left alone once set (a coordinator may have changed them)."""
        if cohort.session_starts_at is None:
            cohort.session_starts_at, cohort.session_ends_at = DEMO_SESSION_TIMES
            cohort.session_location = DEMO_PLACE
            cohort.save(update_fields=["session_starts_at", "session_ends_at", "session_location"])
            self.stdout.write(f"Set the demo's live sessions: 10:00–12:30 at {DEMO_PLACE}")
        online = SessionRelease.objects.filter(
            cohort=cohort, session__number=DEMO_ONLINE_SESSION, meeting_url="", location=""
        ).first()
        if online is not None:
            online.meeting_url = DEMO_MEETING_URL
            online.location = "Online"
            online.save(update_fields=["meeting_url", "location"])
            self.stdout.write(f"Session {DEMO_ONLINE_SESSION} meets online: {DEMO_MEETING_URL}")
