"""Rows that processes keep copies of, and how every write to them says so.

Learner pages read the course and each cohort's timetable from a copy kept in
each process (courses/learner/copies.py), current while a version stored on
the course or the cohort row is unchanged. The version must change with
every write to anything a copy holds, on every write path, or a process
would show old content with nobody noticing. So it is not left to the code
that writes:

* a *version holder* (the course, a cohort) writes a new random version into
  its own row on every ``save()``, also when ``update_fields`` is given, and
  in the same statement as every queryset ``update()`` or ``bulk_update()``
  (``VersionHolder``, ``VersionHolderQuerySet``);
* a *copied* row (a session, a lesson, an opening date…) tells its model
  after every ``save()`` and ``delete()``, and its queryset after every
  ``update()``, ``bulk_create()``, ``bulk_update()`` and ``delete()``
  (``Copied``, ``CopiedQuerySet``); the model's ``copies_changed`` gives the
  holders a new version, in the same transaction as the write.

Writing a row some other way (raw SQL, a model not listed here) is not
covered; copies also expire after settings.COPIES_MAX_AGE seconds, so even
then a miss cannot last. Nothing here knows which models are involved: each
app declares its own.
"""

import uuid

from django.db import models, transaction


def new_version() -> uuid.UUID:
    # Random rather than counted: a write that was rolled back can never be
    # mistaken for a later one that reaches the same number.
    return uuid.uuid4()


class VersionHolderQuerySet(models.QuerySet):
    """Every bulk write of version holders writes new versions with it."""

    def update(self, **kwargs):
        kwargs.setdefault(self.model.version_field, new_version())
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, batch_size=None):
        objs = list(objs)
        for obj in objs:
            setattr(obj, self.model.version_field, new_version())
        return super().bulk_update(objs, {*fields, self.model.version_field}, batch_size)

    def new_version(self) -> int:
        """Mark every copy of these rows stale (what a copied row's change does)."""
        return models.QuerySet.update(self, **{self.model.version_field: new_version()})


class VersionHolder(models.Model):
    """A row whose version says whether a copy of it (and of what hangs off
    it) is current. ``version_field`` names the UUIDField."""

    version_field: str

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        setattr(self, self.version_field, new_version())
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, self.version_field}
        super().save(*args, **kwargs)


class CopiedQuerySet(models.QuerySet):
    """Every bulk write of copied rows tells their model, which marks the
    copies holding them stale, in the same transaction."""

    def update(self, **kwargs):
        with transaction.atomic(using=self.db, savepoint=False):
            # The rows as they were (an update can move a row to another
            # holder) and as they are.
            pks = list(self.values_list("pk", flat=True))
            rows = self.model._base_manager.filter(pk__in=pks)
            self.model.copies_changed(rows)
            count = super().update(**kwargs)
            self.model.copies_changed(rows)
        return count

    def bulk_create(self, objs, *args, **kwargs):
        with transaction.atomic(using=self.db, savepoint=False):
            created = super().bulk_create(objs, *args, **kwargs)
            self.model.copies_changed(created)
        return created

    def bulk_update(self, objs, fields, batch_size=None):
        objs = list(objs)
        with transaction.atomic(using=self.db, savepoint=False):
            count = super().bulk_update(objs, fields, batch_size)
            self.model.copies_changed(objs)
        return count

    def delete(self):
        with transaction.atomic(using=self.db, savepoint=False):
            self.model.copies_changed(self)
            return super().delete()

    delete.alters_data = True
    delete.queryset_only = True


class Copied(models.Model):
    """A row some copy holds. ``copies_changed(rows)`` (a queryset or a list
    of instances) gives the holders of ``rows`` a new version."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)
            type(self).copies_changed([self])

    def delete(self, *args, **kwargs):
        with transaction.atomic(using=kwargs.get("using")):
            type(self).copies_changed([self])
            return super().delete(*args, **kwargs)

    @classmethod
    def copies_changed(cls, rows) -> None:
        raise NotImplementedError(f"{cls.__name__} must say whose copies it changes")


def values_of(rows, attname: str) -> set:
    """The values of ``attname`` in ``rows`` (a queryset or instances)."""
    if isinstance(rows, models.QuerySet):
        return set(rows.order_by().values_list(attname, flat=True))
    return {getattr(row, attname) for row in rows}
