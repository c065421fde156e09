"""Each page's query count, for one learner (or tutor), on the current database."""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peersupport.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from courses.learner import copies  # noqa: E402

sessions = json.loads(Path(sys.argv[1]).read_text())
pages = json.loads(sys.argv[2])
counts = {}
for name, (who, path) in pages.items():
    client = Client(HTTP_HOST="127.0.0.1")
    person = sessions["tutor"] if who == "tutor" else sessions["learners"][0]
    client.cookies["sessionid"] = person["session"]
    # The first view reads this process's copy of the course and timetable
    # (courses/learner/copies.py), as in a new process; the second is every view after it.
    copies.forget_copies()
    with CaptureQueriesContext(connection) as first:
        client.get(path)
    with CaptureQueriesContext(connection) as queries:
        status = client.get(path).status_code
    counts[name] = {"status": status, "queries": len(queries), "first": len(first)}
print(json.dumps(counts))
