"""Files in MEDIA_ROOT that no row names, and rows whose file is missing.

Every FileField of every model is read, historical versions included (an
old version of an exercise file can be restored), so this module knows no
app. Files younger than ``GRACE`` are left alone: they may belong to an
upload still on its way.
"""

import os
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models

from peersupport.storage import PART_PREFIX

GRACE = timedelta(hours=1)


@dataclass
class FileAudit:
    orphans: list[str] = field(default_factory=list)  # whole files no row names
    partial: list[str] = field(default_factory=list)  # interrupted writes and uploads
    missing: list[str] = field(default_factory=list)  # named by a row, not on disk

    @property
    def removable(self) -> list[str]:
        return self.orphans + self.partial


def referenced_names() -> set[str]:
    names = set()
    for model in apps.get_models():
        for model_field in model._meta.get_fields():
            if isinstance(model_field, models.FileField):
                names.update(
                    model._default_manager.exclude(**{model_field.name: ""})
                    .values_list(model_field.name, flat=True)
                    .iterator()
                )
    return names


def audit_files(now: float | None = None) -> FileAudit:
    """What is in MEDIA_ROOT against what the database names."""
    root = Path(settings.MEDIA_ROOT)
    incoming = Path(settings.FILE_UPLOAD_TEMP_DIR)
    cutoff = (now or time.time()) - GRACE.total_seconds()
    named = referenced_names()
    audit = FileAudit()
    on_disk = set()
    for folder, _, files in os.walk(root):
        for filename in files:
            path = Path(folder) / filename
            relative = path.relative_to(root).as_posix()
            on_disk.add(relative)
            try:
                if path.stat().st_mtime > cutoff:
                    continue
            except FileNotFoundError:
                continue  # removed while we looked
            if filename.startswith(PART_PREFIX) or incoming in path.parents:
                audit.partial.append(relative)
            elif relative not in named:
                audit.orphans.append(relative)
    audit.missing = sorted(named - on_disk)
    audit.orphans.sort()
    audit.partial.sort()
    return audit


def remove(relative_names: list[str]) -> int:
    root = Path(settings.MEDIA_ROOT)
    removed = 0
    for name in relative_names:
        try:
            (root / name).unlink()
            removed += 1
        except FileNotFoundError:
            pass
    return removed


def audit_counts() -> tuple[int, int]:
    """(unreferenced or partial files, missing files), recomputed at most every
    15 minutes: walking MEDIA_ROOT on every admin front page would cost too much."""
    from django.core.cache import cache

    def count():
        audit = audit_files()
        return len(audit.removable), len(audit.missing)

    return tuple(cache.get_or_set("peersupport:file-audit", count, timeout=15 * 60))


def storage_todo(sender, user, **kwargs) -> list:
    """Missing or unreferenced files, for coordinators (connected to
    peersupport.signals.todo_requested)."""
    from peersupport.roles import is_coordinator
    from peersupport.signals import TodoItem

    if not is_coordinator(user):
        return []
    unreferenced, missing = audit_counts()
    items = []
    if missing:
        items.append(
            TodoItem(
                f"{missing} uploaded file(s) are missing from storage: please ask whoever runs "
                "the site to restore them from a backup (manage.py clean_orphan_files lists them).",
                urgent=True,
            )
        )
    if unreferenced:
        items.append(
            TodoItem(
                f"{unreferenced} file(s) in storage belong to nothing (interrupted uploads): "
                "whoever runs the site can remove them with manage.py clean_orphan_files --delete.",
                urgent=True,
            )
        )
    return items
