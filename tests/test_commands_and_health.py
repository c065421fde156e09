"""seed_demo, the roles a fresh migrate creates, and /healthz."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from peersupport.roles import COORDINATORS, TUTORS
from tests.helpers import log_in

pytestmark = pytest.mark.django_db


def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="Refusing"):
        call_command("seed_demo", stdout=StringIO())
    assert not get_user_model().objects.exists()


def test_seed_demo_creates_the_four_accounts_and_is_safe_to_rerun(settings, client, course):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "Updated learner" in out.getvalue()
    users = {u.username: u for u in get_user_model().objects.all()}
    assert set(users) == {"learner", "learner2", "tutor", "coordinator"}
    assert not users["learner"].is_staff and not users["learner2"].is_staff
    assert users["tutor"].groups.get().name == TUTORS
    assert users["coordinator"].groups.get().name == COORDINATORS
    assert log_in(client, "learner", "peersupport-demo")
    assert len(client.get("/").context["progress"].sessions) == 11


def test_seed_demo_force_and_password(settings):
    settings.DEBUG = False
    call_command("seed_demo", "--force", "--password", "another-secret-1", stdout=StringIO())
    assert get_user_model().objects.get(username="tutor").check_password("another-secret-1")


def test_a_fresh_migrate_gives_working_roles():
    coordinators = Group.objects.get(name=COORDINATORS)
    tutors = Group.objects.get(name=TUTORS)
    assert coordinators.permissions.filter(codename="change_session").exists()
    assert coordinators.permissions.filter(codename="add_exercisefile").exists()
    assert tutors.permissions.filter(codename="view_session").exists()
    assert not tutors.permissions.filter(codename="change_session").exists()


def test_healthz_answers_ok_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")


def test_healthz_reports_a_broken_database(client, monkeypatch):
    from django.db import DatabaseError, connection

    def broken_cursor(*args, **kwargs):
        raise DatabaseError("gone")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
