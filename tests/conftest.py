"""The fixtures every test shares: the course loaded once, and the people
of every permission test. The helpers they use are in tests/helpers.py."""

import pytest

from courses.content import DEFAULT_CONTENT_DIR, load_course
from courses.models import Course
from peersupport.roles import COORDINATORS, TUTORS
from tests.helpers import give_authenticator, make_cohort, make_user


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the course once into the test database; each test's transaction
    rolls back what it changes."""
    with django_db_blocker.unblock():
        load_course(DEFAULT_CONTENT_DIR)


@pytest.fixture
def course(db) -> Course:
    """The whole course, loaded from content/ as `make run` loads it."""
    course = Course.objects.first()
    if course is None:  # a transactional (browser) test emptied the database
        load_course(DEFAULT_CONTENT_DIR)
        course = Course.objects.get()
    return course


@pytest.fixture
def empty_database(db):
    """No course content, for tests of loading it."""
    from assessments.models import Assignment
    from reflections.models import ReflectionPrompt
    from sessions.models import Session

    Assignment.objects.all().delete()
    ReflectionPrompt.objects.all().delete()
    Session.objects.all().delete()
    Course.objects.all().delete()


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with nothing cached: no cache entries, no copy of
    the course or a timetable in this process (courses/learner/copies.py),
    and no compiled query (peersupport/compiled.py).
    A copy kept from an earlier test with the same version is current until
    COPIES_MAX_AGE, and expiring in the middle of a test changed its query
    count (seen once on PostgreSQL, where the suite runs slower)."""
    from django.core.cache import cache

    from courses.learner.copies import forget_copies
    from peersupport.compiled import forget_compiled

    cache.clear()
    forget_copies()
    forget_compiled()


@pytest.fixture(autouse=True)
def staff_pass_the_second_step(monkeypatch):
    """``client.force_login(staff)`` gives a login that has passed the second
    step too, as signing in with password and code does (accounts/)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    log_in_directly = Client.force_login

    def force_login(self, user, backend=None):
        log_in_directly(self, user, backend)
        if user.is_staff:
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = give_authenticator(user).persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


# Three learners for every permission test (healthchecks' alice, bob and
# charlie): the owner, a peer in the same cohort, an outsider in another
# cohort; and a tutor for each of the two cohorts.
@pytest.fixture
def alice(db):
    return make_user("alice")


@pytest.fixture
def bob(db):
    return make_user("bob")


@pytest.fixture
def charlie(db):
    return make_user("charlie")


@pytest.fixture
def tutor(db):
    return make_user("tina", TUTORS)


@pytest.fixture
def other_tutor(db):
    return make_user("otto", TUTORS)


@pytest.fixture
def second_tutor(cohort):
    """Another tutor of Alice's cohort, to moderate and to race."""
    tutor = make_user("terry", TUTORS)
    cohort.tutors.add(tutor)
    return tutor


@pytest.fixture
def cohort(course, alice, bob, tutor):
    """Alice and Bob's cohort, tutored by Tina; every session open."""
    return make_cohort(course, "Spring", tutors=[tutor], learners=[alice, bob])


@pytest.fixture
def other_cohort(course, charlie, other_tutor):
    """Charlie's cohort, tutored by Otto."""
    return make_cohort(course, "Autumn", tutors=[other_tutor], learners=[charlie])


@pytest.fixture
def coordinator(db):
    return make_user("cora", COORDINATORS)


@pytest.fixture
def alice_client(client, alice, cohort):
    client.force_login(alice)
    return client


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client
