"""Migrations that add a content field re-sign rows unchanged since their
load, so load_course keeps loading them (peersupport/content_migrations.py)."""

import pytest
from django.apps import apps

from peersupport.content_migrations import content_fields_added
from peersupport.models import fingerprint
from sessions.models import Lesson

pytestmark = pytest.mark.django_db

BEFORE = ("title", "order", "body")
AFTER = ("title", "order", "content_note", "body")


def test_rows_unchanged_since_their_load_are_re_signed_and_edited_rows_are_not(course):
    loaded, edited = (
        Lesson.objects.all()[0],
        Lesson.objects.create(
            session=Lesson.objects.get().session, slug="edited", title="Edited", body="Mine"
        ),
    )
    # As a database loaded before the content note existed: signed without it.
    Lesson.objects.filter(pk=loaded.pk).update(
        loaded_fingerprint=fingerprint({f: getattr(loaded, f) for f in BEFORE})
    )
    Lesson.objects.filter(pk=edited.pk).update(loaded_fingerprint="0" * 64)
    assert Lesson.objects.get(pk=loaded.pk).edited_since_load  # the bug this fixes

    content_fields_added("course_sessions", "Lesson", BEFORE, AFTER).code(apps, None)

    assert not Lesson.objects.get(pk=loaded.pk).edited_since_load
    assert Lesson.objects.get(pk=edited.pk).loaded_fingerprint == "0" * 64
