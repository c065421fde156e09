"""Generate the benchmark's dataset with bulk inserts.

Large: 20 cohorts, 1,000 learners, every learner with an answer to every
prompt and both essays submitted with released feedback. Small: 1 cohort,
2 learners, the same per-learner data. Writes bench/sessions-<size>.json with
login sessions for the load generator (made directly, to skip 1,000 slow
password hashes).

Run by bench/run.py with DATABASE_URL pointing at a fresh database that has
been migrated and loaded with the course.
"""

import json
import os
import secrets
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peersupport.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from assessments.models import Assignment, Review, StatusChange, Submission  # noqa: E402
from courses.cohorts import timetable  # noqa: E402
from courses.models import Cohort, Course, Enrolment  # noqa: E402
from peersupport.middleware import IDLE_STAMP  # noqa: E402
from peersupport.rendering import render_learner_markdown  # noqa: E402
from reflections.models import Reflection, ReflectionPrompt  # noqa: E402
from sessions.models import Session, SessionCompletion  # noqa: E402

ANSWER = (
    "Reading this story reminded me of my own first months of recovery. "
    "What helped most was someone who had been there too, and **hope**.\n\n"
) * 4
ESSAY = " ".join(["My recovery and peer support."] * 320)
FEEDBACK = "A thoughtful essay. You link your story to the recovery approach well."
BACKEND = "accounts.backends.EmailOrUsernameBackend"


def generate(cohorts: int, per_cohort: int) -> dict:
    started = time.monotonic()
    course = Course.objects.get()
    start = timezone.localdate() - timedelta(weeks=12)
    tutors_group = Group.objects.get(name="Tutors")
    prompts = list(ReflectionPrompt.objects.all())
    sessions = list(Session.objects.all())
    assignments = list(Assignment.objects.all())
    answer_html = render_learner_markdown(ANSWER)
    essay_html = render_learner_markdown(ESSAY)
    feedback_html = render_learner_markdown(FEEDBACK)
    now = timezone.now()

    tutors = User.objects.bulk_create(
        [User(username=f"bench-tutor-{c}", is_staff=True, password="!") for c in range(cohorts)]
    )
    for tutor in tutors:
        tutor.groups.add(tutors_group)
    learners = User.objects.bulk_create(
        [
            User(username=f"bench-learner-{i}", email=f"bench{i}@example.org", password="!")
            for i in range(cohorts * per_cohort)
        ]
    )
    enrolments = []
    for c in range(cohorts):
        cohort = Cohort.objects.create(course=course, name=f"Bench cohort {c}", start_date=start)
        cohort.tutors.add(tutors[c])
        timetable.create_timetable(cohort)
        enrolments += [
            Enrolment(cohort=cohort, learner=learner)
            for learner in learners[c * per_cohort : (c + 1) * per_cohort]
        ]
    Enrolment.objects.bulk_create(enrolments)
    Reflection.objects.bulk_create(
        [
            Reflection(learner=learner, prompt=prompt, text=ANSWER, text_html=answer_html)
            for learner in learners
            for prompt in prompts
        ],
        batch_size=2000,
    )
    SessionCompletion.objects.bulk_create(
        [
            SessionCompletion(learner=learner, session=s)
            for learner in learners
            for s in sessions[:6]
        ],
        batch_size=2000,
    )
    submissions = Submission.objects.bulk_create(
        [
            Submission(
                learner=learner,
                assignment=assignment,
                attempt=1,
                status=Submission.Status.SUBMITTED,
                text=ESSAY,
                text_html=essay_html,
                word_count=len(ESSAY.split()),
                declaration=True,
                submitted_at=now - timedelta(days=3),
            )
            for learner in learners
            for assignment in assignments
        ],
        batch_size=2000,
    )
    # Both essays reviewed; the first released (passed), the second waiting
    # in the queue with draft feedback.
    tutor_of = {e.learner_id: tutors[i // per_cohort] for i, e in enumerate(enrolments)}
    reviews, released = [], []
    for submission in submissions:
        first = submission.assignment_id == assignments[0].pk
        reviews.append(
            Review(
                submission=submission,
                tutor=tutor_of[submission.learner_id],
                outcome="pass",
                feedback=FEEDBACK,
                feedback_html=feedback_html,
                released_at=now if first else None,
            )
        )
        if first:
            released.append(submission.pk)
    Review.objects.bulk_create(reviews, batch_size=2000)
    Submission.objects.filter(pk__in=released).update(status=Submission.Status.PASSED)
    StatusChange.objects.bulk_create(
        [
            StatusChange(submission=s, from_status="draft", to_status="submitted")
            for s in submissions
        ],
        batch_size=2000,
    )
    elapsed = time.monotonic() - started

    def session_for(user):
        store = SessionStore()
        store["_auth_user_id"] = str(user.pk)
        store["_auth_user_backend"] = BACKEND
        store["_auth_user_hash"] = user.get_session_auth_hash()
        store[IDLE_STAMP] = int(time.time())  # as a real login leaves it
        if user.is_staff:  # staff have passed the second step of signing in
            device, _ = TOTPDevice.objects.get_or_create(
                user=user, confirmed=True, defaults={"name": "Benchmark"}
            )
            store[DEVICE_ID_SESSION_KEY] = device.persistent_id
        store.create()
        return store.session_key

    return {
        "seconds": round(elapsed, 1),
        "learners": [
            {"session": session_for(learner), "csrf": secrets.token_hex(16), "id": learner.pk}
            for learner in learners
        ],
        "tutor": {"session": session_for(tutors[0]), "csrf": secrets.token_hex(16)},
        "prompt": prompts[-1].pk,
        "counts": {
            "cohorts": cohorts,
            "learners": len(learners),
            "reflections": Reflection.objects.count(),
            "submissions": Submission.objects.count(),
            "reviews": Review.objects.count(),
        },
    }


if __name__ == "__main__":
    size = sys.argv[1]
    cohorts, per_cohort = {"small": (1, 2), "large": (20, 50)}[size]
    result = generate(cohorts, per_cohort)
    out = Path(__file__).resolve().parent / f"sessions-{size}.json"
    out.write_text(json.dumps(result))
    print(json.dumps({"seconds": result["seconds"], **result["counts"]}))
