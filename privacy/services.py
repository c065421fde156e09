"""A learner's data: everything of it as a ZIP, who has read it, and erasure."""

import io
import json
import zipfile
from dataclasses import asdict
from itertools import groupby

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Profile, reading_preferences
from assessments.models import (
    CriterionModeration,
    CriterionResult,
    Moderation,
    PassageComment,
    Review,
    StatusChange,
    Submission,
)
from calendars.models import CalendarFeed
from completion.models import Attendance, Certificate
from courses.models import DeadlineExtension, Enrolment
from outbox.models import Email
from peersupport.people import display_name
from privacy.models import AccessRecord, ErasureRequest
from reflections.export import journal_markdown
from reflections.models import Reflection
from reminders.models import Preferences, SentReminder, Unsubscription
from sessions.models import SessionCompletion, Visit


def record_work_read(sender, viewer, learner, kind, object_id, **kwargs) -> None:
    """Keep the record of someone opening a learner's work, which the learner
    sees on their account page (connected to peersupport.signals.work_read)."""
    if viewer.pk != learner.pk:
        AccessRecord.objects.create(viewer=viewer, learner=learner, kind=kind, object_id=object_id)


def data_export(learner) -> bytes:
    """Everything the app holds about ``learner``, as a ZIP of JSON and Markdown."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:

        def put_json(name, data):
            archive.writestr(name, json.dumps(data, indent=2, ensure_ascii=False, default=str))

        put_json("account.json", _account(learner))
        reflections = list(Reflection.objects.filter(learner=learner).in_course_order())
        put_json(
            "reflections.json",
            [
                {
                    "session": r.prompt.session.number,
                    "question": r.prompt.text,
                    "answer": r.text,
                    "shared_with_tutor": r.shared_with_tutor,
                    "created_at": r.created_at,
                    "updated_at": r.updated_at,
                }
                for r in reflections
            ],
        )
        archive.writestr(
            "journal.md", journal_markdown(learner, [r for r in reflections if r.text])
        )
        submissions = list(
            Submission.objects.filter(learner=learner)
            .select_related("assignment")
            .order_by("assignment__number", "attempt")
        )
        # Released feedback only: a draft review, its criteria's results and
        # its comments on passages are the tutor's work in progress.
        reviews = {
            r.submission_id: r
            for r in Review.objects.filter(
                submission__in=submissions, released_at__isnull=False
            ).prefetch_related("criterion_results", "passage_comments")
        }
        essays = []
        for submission in submissions:
            review = reviews.get(submission.pk)
            stem = f"essays/assignment-{submission.assignment.number}-attempt-{submission.attempt}"
            archive.writestr(f"{stem}.md", submission.text)
            if submission.attachment:
                try:
                    with submission.attachment.open("rb") as handle:
                        archive.writestr(f"{stem}-{submission.attachment_name}", handle.read())
                except FileNotFoundError:
                    pass
            criteria = _criteria(review)
            passage_comments = _passage_comments(review)
            if review:
                archive.writestr(f"{stem}-feedback.md", review.feedback)
            if criteria or passage_comments:
                archive.writestr(
                    f"{stem}-criteria-and-comments.md",
                    _criteria_and_comments_markdown(submission, criteria, passage_comments),
                )
            essays.append(
                {
                    "assignment": submission.assignment.number,
                    "attempt": submission.attempt,
                    "status": submission.status,
                    "word_count": submission.word_count,
                    "submitted_at": submission.submitted_at,
                    "late": submission.is_late,
                    "attached_file": submission.attachment_name,
                    "outcome": review.outcome if review else None,
                    "feedback_released_at": review.released_at if review else None,
                    "criteria": criteria,
                    "passage_comments": passage_comments,
                }
            )
        put_json("essays.json", essays)
        put_json(
            "attendance.json",
            [
                {"session": a.session.number, "status": a.get_status_display(),
                 "your_apology_note": a.apology_note, "catch_up_note": a.catch_up_note,
                 "marked_at": a.marked_at}
                for a in Attendance.objects.filter(enrolment__learner=learner)
                .select_related("session").order_by("session__number", "pk")
            ],
        )  # fmt: skip
        put_json(
            "certificates.json",
            [
                {"code": c.code, "name": c.name, "course": c.course_title,
                 "completed_on": c.completed_on, "issued_at": c.issued_at,
                 "checkable_online": c.verification_enabled, "withdrawn_at": c.withdrawn_at}
                for c in Certificate.objects.filter(enrolment__learner=learner)
            ],
        )  # fmt: skip
        put_json(
            "emails.json",
            [
                {"what": e.description, "queued_at": e.created_at, "status": e.status,
                 "sent_at": e.sent_at}
                for e in Email.objects.filter(recipient=learner).order_by("created_at", "pk")
            ],
        )  # fmt: skip
        put_json(
            "who-read-my-work.json",
            [
                {"when": a.viewed_at, "who": _name(a.viewer), "what": a.get_kind_display()}
                for a in access_list(learner)
            ],
        )
    return buffer.getvalue()


def _criteria(review) -> list[dict]:
    """Each criterion's result in released feedback, as the learner was shown it."""
    if review is None:
        return []
    return [
        {
            "criterion": result.criterion_text,
            "result": result.get_judgement_display(),
            "comment": result.comment,
        }
        for result in review.criterion_results.all()
    ]


def _passage_comments(review) -> list[dict]:
    """The tutor's comments on passages, numbered as the learner's page numbers
    them; start and end count characters into the essay's text as shown
    (assessments/passages.py)."""
    if review is None:
        return []
    return [
        {
            "number": number,
            "passage": comment.passage,
            "comment": comment.comment,
            "start": comment.start,
            "end": comment.end,
        }
        for number, comment in enumerate(review.passage_comments.all(), start=1)
    ]


def _criteria_and_comments_markdown(submission, criteria, passage_comments) -> str:
    lines = [
        f"# Assignment {submission.assignment.number}, attempt {submission.attempt}: "
        "your tutor’s criteria and comments",
        "",
    ]
    if criteria:
        lines += ["## The criteria", ""]
        for result in criteria:
            lines.append(f"- **{result['result'] or 'Not judged'}**: {result['criterion']}")
            lines += [f"  {line}".rstrip() for line in result["comment"].splitlines()]
        lines.append("")
    if passage_comments:
        lines += ["## Comments on passages of your essay", ""]
        for comment in passage_comments:
            lines += [
                f"### Comment {comment['number']} "
                f"(characters {comment['start']} to {comment['end']} of your essay)",
                "",
                *[f"> {line}".rstrip() for line in comment["passage"].splitlines()],
                "",
                comment["comment"],
                "",
            ]
    return "\n".join(lines).rstrip() + "\n"


def _account(learner) -> dict:
    enrolments = Enrolment.objects.filter(learner=learner).select_related("cohort")
    return {
        "username": learner.username,
        "first_name": learner.first_name,
        "last_name": learner.last_name,
        "email": learner.email,
        "date_joined": learner.date_joined,
        "last_login": learner.last_login,
        "enrolments": [
            {
                "cohort": e.cohort.name,
                "enrolled_at": e.enrolled_at,
                "withdrawn_at": e.withdrawn_at,
            }
            for e in enrolments
        ],
        "deadline_extensions": [
            {"assignment": x.assignment.number, "due_on": x.due_on}
            for x in DeadlineExtension.objects.filter(enrolment__learner=learner).select_related(
                "assignment"
            )
        ],
        "sessions_completed": [
            {"session": c.session.number, "completed_at": c.completed_at}
            for c in SessionCompletion.objects.filter(learner=learner).select_related("session")
        ],
        "pages_opened": [
            {
                "session": v.session.number,
                "lesson": v.lesson.title if v.lesson else None,
                "first_opened_at": v.first_visited_at,
            }
            for v in Visit.objects.filter(learner=learner)
            .select_related("session", "lesson")
            .order_by("first_visited_at", "pk")
        ],
        "erasure_requests": list(
            ErasureRequest.objects.filter(learner=learner).values("status", "requested_at")
        ),
        "reading_preferences": asdict(reading_preferences(learner)),
        "email_preferences": {
            kind: Preferences.of(learner.pk).wants(kind) for kind in _EMAIL_KINDS
        },
        "emails_turned_off": list(
            Unsubscription.objects.filter(user=learner).values("kind", "at", "how")
        ),
        "reminders_sent": list(SentReminder.objects.filter(user=learner).values("kind", "sent_at")),
        # The address itself is a key to the learner's calendar: not copied
        # into a file that may be kept anywhere.
        "calendar_address": list(
            CalendarFeed.objects.filter(user=learner).values("created_at", "reset_at")
        ),
    }


_EMAIL_KINDS = ("session_tomorrow", "deadline_soon", "feedback_released")


def access_list(learner):
    return AccessRecord.objects.filter(learner=learner).select_related("viewer")


def grouped_access(learner):
    """Who read what, one line per person, thing and day."""
    lines = []
    for (viewer, kind, day), records in groupby(
        access_list(learner),
        key=lambda a: (a.viewer, a.kind, timezone.localtime(a.viewed_at).date()),
    ):
        lines.append(
            {
                "who": _name(viewer),
                "what": dict(AccessRecord.Kind.choices)[kind],
                "day": day,
                "times": len(list(records)),
            }
        )
    return lines


def _name(user) -> str:
    if user is None:
        return "A former member of staff"
    return display_name(user)


def request_erasure(learner) -> ErasureRequest:
    request, _ = ErasureRequest.objects.get_or_create(
        learner=learner, status=ErasureRequest.Status.REQUESTED
    )
    return request


@transaction.atomic
def erase(erasure_request: ErasureRequest, coordinator) -> None:
    """Erase a learner: their writing and personal details go; what the
    assessment record must keep stays, anonymised. settings.ASSESSMENT_RETENTION
    says what: "outcomes" keeps each attempt's assignment, dates, word count
    and outcome (with each criterion's judgement), deleting the essay, its
    file and the feedback (the tutor's comments on criteria and passages, the
    passages quoted, moderators' comments on criteria, the reason for the
    outcome); "full" keeps those too, tied to the anonymised account
    (README, "Privacy")."""
    learner = erasure_request.learner
    Reflection.objects.filter(learner=learner).delete()
    SessionCompletion.objects.filter(learner=learner).delete()
    Visit.objects.filter(learner=learner).delete()
    AccessRecord.objects.filter(learner=learner).delete()
    Email.objects.filter(recipient=learner).delete()  # nothing more goes to them
    # Attendance and certificates are the record of the course: kept, without
    # the learner's own note or name; a certificate can no longer be checked.
    Attendance.objects.filter(enrolment__learner=learner).update(apology_note="")
    Certificate.objects.filter(enrolment__learner=learner).update(
        name="", verification_enabled=False
    )
    Certificate.history.filter(enrolment__learner=learner).update(name="")
    Profile.objects.filter(user=learner).delete()
    # Their calendar address stops working; their email choices and the
    # record of reminders sent go with the address they were sent to.
    CalendarFeed.objects.filter(user=learner).delete()
    Preferences.objects.filter(user=learner).delete()
    SentReminder.objects.filter(user=learner).delete()
    Unsubscription.objects.filter(user=learner).delete()
    for draft in Submission.objects.filter(learner=learner, status=Submission.Status.DRAFT):
        StatusChange.objects.filter(submission=draft).delete()
        _delete_file(draft)
        draft.delete()
    if settings.ASSESSMENT_RETENTION == "outcomes":
        submitted = Submission.objects.filter(learner=learner)
        for submission in submitted:
            _delete_file(submission)
        # update(), not save(): the word count as submitted stays on record.
        submitted.update(text="", text_html="", attachment="", attachment_name="")
        Review.objects.filter(submission__learner=learner).update(
            feedback="", feedback_html="", outcome_reason=""
        )
        # Each criterion's judgement stays with the outcome; the words about
        # the essay go, and the passages quoted from it.
        CriterionResult.objects.filter(review__submission__learner=learner).update(comment="")
        PassageComment.objects.filter(review__submission__learner=learner).update(
            passage="", comment=""
        )
        CriterionModeration.objects.filter(moderation__review__submission__learner=learner).update(
            comment=""
        )
        Moderation.objects.filter(review__submission__learner=learner).update(comment="")
    # A new, unusable password logs them out of every session (Django checks
    # each session against the password), and nothing left names them.
    # The account's history holds its old names and addresses; what stays
    # is the record, saved below, that a coordinator erased it.
    learner.history.all().delete()
    learner.username = f"erased-{learner.pk}"
    learner.first_name = learner.last_name = ""
    learner.email = ""
    learner.is_active = False
    learner.set_unusable_password()
    learner.save()
    erasure_request.status = ErasureRequest.Status.ERASED
    erasure_request.decided_by = coordinator
    erasure_request.decided_at = timezone.now()
    erasure_request.save()


def _delete_file(submission) -> None:
    if submission.attachment:
        name, storage = submission.attachment.name, submission.attachment.storage
        transaction.on_commit(lambda: storage.delete(name))
        submission.attachment = ""
