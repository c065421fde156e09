"""What the ground floor announces and the apps above it act on (pretix's
``base/signals.py`` habit): a lower layer never imports an upper one, it
sends a signal the upper one connects to in its AppConfig.ready().

* ``work_read``: a member of staff opened a learner's work (an essay, its
  file, a reflection the learner shared). Sent with ``viewer``, ``learner``,
  ``kind`` ("essay", "essay_file" or "reflection") and ``object_id``; privacy
  keeps the record the learner sees on their account page.
* ``todo_requested``: the admin's front page asks what ``user`` should do
  next. Each receiver returns a list of ``TodoItem``; urgent ones first,
  then in the order the apps are installed.
"""

from dataclasses import dataclass

from django.dispatch import Signal

work_read = Signal()
todo_requested = Signal()


@dataclass(frozen=True)
class TodoItem:
    text: str
    url: str = ""
    urgent: bool = False  # something is wrong or waiting: listed first


def announce_work_read(viewer, learner, kind: str, object_id: int) -> None:
    work_read.send(sender=kind, viewer=viewer, learner=learner, kind=kind, object_id=object_id)


def todo_for(user) -> list[TodoItem]:
    """Everything the installed apps ask of ``user``, for the admin's front page."""
    items = [item for _, found in todo_requested.send(sender=None, user=user) for item in found]
    return sorted(items, key=lambda item: not item.urgent)  # stable: app order otherwise
