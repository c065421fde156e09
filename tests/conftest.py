import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from courses.content_files import DEFAULT_CONTENT_DIR, load_course
from courses.models import Course
from peersupport.roles import COORDINATORS, TUTORS

PASSWORD = "a-long-test-password"


@pytest.fixture
def course(db) -> Course:
    """The whole course, loaded from content/ as `make run` loads it."""
    load_course(DEFAULT_CONTENT_DIR)
    return Course.objects.get()


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
        user.groups.add(Group.objects.get(name=group))
    return user


# Three learners for every permission test (healthchecks' alice, bob and
# charlie): the owner, a peer in the same cohort, an outsider.
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
def coordinator(db):
    return make_user("cora", COORDINATORS)


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client
