"""Helpers for the tests: people, cohorts, logging in, editing rows, admin
forms. Fixtures built on them are in tests/conftest.py."""

import importlib
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from courses.cohorts import timetable
from courses.models import Cohort, Enrolment
from peersupport.roles import COORDINATORS, TUTORS

PASSWORD = "a-long-test-password"

# Pages save the session to restart the idle timeout at most once a minute
# (IdleTimeoutMiddleware); a test's requests come within a minute of its login.
SESSION_REFRESH_QUERIES = 0
# Every request reads the login: the session, then the user with their active
# enrolment and the versions of its cohort and course (courses/learner/access.py).
ACCESS_QUERIES = 2
# What a process reads when its copy of the course (the course, sessions,
# lessons, prompts, exercise files, assignments, criteria) or of a cohort's timetable
# (the cohort, opening dates, deadlines, extensions, tutors) is out of date
# (courses/learner/copies.py).
STRUCTURE_QUERIES = 7
TIMETABLE_QUERIES = 5


# The data migrations that grant roles their permissions, in order.
ROLE_MIGRATIONS = [
    "courses.migrations.0002_create_roles",
    "courses.migrations.0004_grant_cohort_roles",
    "reflections.migrations.0004_grant_reflection_roles",
    "assessments.migrations.0004_grant_assessment_roles",
    "assessments.migrations.0007_grant_marking_roles",
    "privacy.migrations.0002_grant_privacy_roles",
    "outbox.migrations.0002_grant_outbox_roles",
    "completion.migrations.0002_grant_completion_roles",
]


def ensure_roles():
    """The role groups as the migrations make them. A transactional (browser)
    test empties the database, groups included; this puts them back."""
    from django.apps import apps

    from peersupport.roles import grant

    if Group.objects.filter(name__in=[TUTORS, COORDINATORS]).count() == 2:
        return
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()  # the emptied database's ids are gone
    for migration in ROLE_MIGRATIONS:
        grant(apps, None, importlib.import_module(migration).ROLES)


# RFC 6238's test secret: the authenticator every staff account of the tests has.
TEST_TOTP_KEY = "3132333435363738393031323334353637383930"


def give_authenticator(user):
    """A confirmed authenticator app (TOTP) for ``user``, as set up."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": "Authenticator app", "key": TEST_TOTP_KEY}
    )
    return device


def current_code(user) -> str:
    """The code ``user``'s authenticator shows now. A code is accepted once;
    tests that sign the same person in twice within its 30 seconds are let
    through by forgetting the last one used."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user, confirmed=True)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def make_user(username, group=None, **extra):
    user = get_user_model().objects.create_user(
        username=username,
        email=f"{username}@example.org",
        password=PASSWORD,
        first_name=username.capitalize(),
        is_staff=group is not None,
        **extra,
    )
    if group:
        ensure_roles()
        user.groups.add(Group.objects.get(name=group))
        give_authenticator(user)
    return user


def make_cohort(course, name, start=None, tutors=(), learners=()):
    """A cohort with its default timetable; by default every session is open."""
    from django.utils import timezone

    start = start or timezone.localdate() - timedelta(weeks=12)
    cohort = Cohort.objects.create(course=course, name=name, start_date=start)
    cohort.tutors.add(*tutors)
    timetable.create_timetable(cohort)
    for learner in learners:
        Enrolment.objects.create(cohort=cohort, learner=learner)
    return cohort


def log_in(client, username, password=PASSWORD) -> bool:
    """Log in through the login form, as a person does (and as django-axes,
    which needs the request, expects); staff then give their code."""
    response = client.post("/accounts/login/", {"username": username, "password": password})
    if response.status_code != 302:
        return False
    user = get_user_model().objects.filter(username=username).first()
    if user is not None and user.is_staff:
        response = client.post("/accounts/two-step/", {"code": current_code(user)})
    return response.status_code == 302


def edit(instance, **changes):
    """Change a row as the admin does, through save(): the signals that tell
    every process its copy of the course is out of date (courses/learner/copies.py)
    fire, which a queryset update() would skip."""
    for name, value in changes.items():
        setattr(instance, name, value)
    instance.save()
    return instance


def inline_management(*prefixes) -> dict:
    """The management form of each admin inline, with no rows changed."""
    data = {}
    for prefix in prefixes:
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    return data


def session_form(session, **changes):
    """The admin's session form, unchanged but for ``changes``."""
    data = {
        "course": session.course_id,
        "number": session.number,
        "title": session.title,
        "aim": session.aim,
        "content_note": session.content_note,
        "body": session.body,
    }
    data.update(changes)
    return {**data, **inline_management("lessons", "prompts")}


# The course's pages in the order a learner walks them: each session's own
# page, then its lessons (only session 3 has one).
STORY = "/sessions/3/a-personal-story-of-recovery/"
COURSE_PAGES = [
    "/sessions/1/",
    "/sessions/2/",
    "/sessions/3/",
    STORY,
    *[f"/sessions/{n}/" for n in range(4, 12)],
]
