"""Adding learners to cohorts, one by one or from a CSV file, and inviting them.

A new learner's username is their email address (lower case), so they can log
in with the address the invitation reached. They choose their own password
through the invitation link, which is Django's password-reset token: it works
once, and for PASSWORD_RESET_TIMEOUT; after that, "Forgotten your password?"
sends a fresh one.
"""

import csv
import io
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from courses.cohorts import emails
from courses.models import Cohort, Enrolment
from outbox.services import queue_email

MAX_CSV_BYTES = 1024 * 1024
MAX_CSV_ROWS = 5000
NAME_MAX = 150
EMAIL_MAX = 254

HEADER_ALIASES = {
    "first_name": {"first name", "firstname", "first", "given name", "forename"},
    "last_name": {"last name", "lastname", "last", "surname", "family name"},
    "email": {"email", "email address", "e-mail", "e-mail address", "mail"},
}


@dataclass(frozen=True)
class LearnerRow:
    line: int
    first_name: str
    last_name: str
    email: str


class EnrolmentError(Exception):
    """Problems that stop an import; each message names its line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass
class EnrolmentResult:
    accounts_created: int = 0
    accounts_reused: int = 0
    enrolled: int = 0
    already_enrolled: int = 0
    # Already in the cohort but never logged in: their invitation went again.
    invited_again: int = 0


# ---------------------------------------------------------------- CSV


def decode_csv(data: bytes) -> str:
    if len(data) > MAX_CSV_BYTES:
        raise EnrolmentError([f"The file is larger than {MAX_CSV_BYTES // 1024} KB."])
    for encoding in ("utf-8-sig", "cp1252"):  # Excel saves one or the other
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise EnrolmentError(["The file is not a text (CSV) file."])


def parse_learner_csv(text: str) -> list[LearnerRow]:
    """Read rows of first name, last name, email; raise EnrolmentError listing
    every bad line."""
    # Any line ending (Windows, old Mac, Unix); no NULs, which csv refuses.
    text = text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    try:
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as error:
        raise EnrolmentError([f"The file could not be read as CSV ({error})."]) from None
    columns, start = _columns(rows[0] if rows else [])
    problems, learners, seen = [], [], {}
    for index, row in enumerate(rows[start:], start=start + 1):
        if not any(cell.strip() for cell in row):
            continue  # blank lines are fine
        if len(learners) + len(problems) >= MAX_CSV_ROWS:
            problems.append(f"The file has more than {MAX_CSV_ROWS} learners; split it up.")
            break
        cell = {name: (row[i].strip() if i < len(row) else "") for name, i in columns.items()}
        email = cell["email"].lower()
        problem = _row_problem(cell, email)
        if problem is None and email in seen:
            problem = f"{email} is in the file twice (first on line {seen[email]})"
        if problem:
            problems.append(f"Line {index}: {problem}.")
            continue
        seen[email] = index
        learners.append(LearnerRow(index, cell["first_name"], cell["last_name"], email))
    if problems:
        raise EnrolmentError(problems)
    if not learners:
        raise EnrolmentError(["The file has no learners in it."])
    return learners


def _columns(first_row: list[str]) -> tuple[dict[str, int], int]:
    """Column positions from a header row, or the default order with no header."""
    normalised = [cell.strip().lower().replace("_", " ") for cell in first_row]
    found = {}
    for name, aliases in HEADER_ALIASES.items():
        for position, cell in enumerate(normalised):
            if cell in aliases:
                found[name] = position
    if "email" in found:
        found.setdefault("first_name", -1)
        found.setdefault("last_name", -1)
        return {k: (v if v >= 0 else 10_000) for k, v in found.items()}, 1
    return {"first_name": 0, "last_name": 1, "email": 2}, 0


def _row_problem(cell: dict[str, str], email: str) -> str | None:
    if not email:
        return "the email address is missing"
    try:
        validate_email(email)
    except ValidationError:
        return f"“{cell['email']}” is not a valid email address"
    if len(email) > EMAIL_MAX:
        return "the email address is too long"
    if not cell["first_name"]:
        return "the first name is missing"
    if len(cell["first_name"]) > NAME_MAX or len(cell["last_name"]) > NAME_MAX:
        return f"a name is longer than {NAME_MAX} characters"
    return None


# ---------------------------------------------------------------- enrolling


def import_learners(cohort: Cohort, rows: list[LearnerRow], site_url: str) -> EnrolmentResult:
    """Create or reuse an account for each row and enrol it in ``cohort``: all
    rows, or (if any cannot be enrolled) none. Each new learner's invitation
    is queued in the same transaction, and so is sent once, by the worker."""
    result = EnrolmentResult()
    problems = []
    with transaction.atomic():
        for row in rows:
            try:
                _enrol(cohort, row, result, site_url)
            except EnrolmentError as error:
                problems.extend(f"Line {row.line}: {p}" for p in error.problems)
        if problems:
            transaction.set_rollback(True)
    if problems:
        raise EnrolmentError(problems)
    return result


def enrol_learner(
    cohort: Cohort, first_name: str, last_name: str, email: str, site_url: str
) -> EnrolmentResult:
    """Add one learner (the admin's "add learner" form)."""
    row = LearnerRow(1, first_name.strip(), last_name.strip(), email.strip().lower())
    result = EnrolmentResult()
    with transaction.atomic():
        _enrol(cohort, row, result, site_url)
    return result


def _enrol(cohort: Cohort, row: LearnerRow, result: EnrolmentResult, site_url: str) -> None:
    User = get_user_model()
    matches = list(User.objects.filter(email__iexact=row.email)[:2])
    if len(matches) > 1:
        raise EnrolmentError([f"more than one account uses {row.email}; ask an administrator"])
    if matches:
        user = matches[0]
        if user.is_staff or user.is_superuser:
            raise EnrolmentError([f"{row.email} belongs to a staff account, not a learner"])
        result.accounts_reused += 1
    else:
        if User.objects.filter(username__iexact=row.email).exists():
            raise EnrolmentError([f"the username {row.email} is taken by another account"])
        user = User(
            username=row.email, email=row.email, first_name=row.first_name, last_name=row.last_name
        )
        user.set_unusable_password()
        user.save()
        result.accounts_created += 1

    current = Enrolment.objects.active().filter(learner=user).select_related("cohort").first()
    if current is not None and current.cohort_id == cohort.pk:
        result.already_enrolled += 1
        if user.last_login is None:
            # Their first invitation may never have arrived: importing the
            # file again is how a coordinator would try once more.
            invite(user, cohort, site_url)
            result.invited_again += 1
        return
    if current is not None:
        raise EnrolmentError(
            [f"{row.email} is already studying in “{current.cohort.name}”; withdraw them first"]
        )
    enrolment, created = Enrolment.objects.get_or_create(cohort=cohort, learner=user)
    if not created:  # coming back to a cohort they had left
        enrolment.withdrawn_at = None
        enrolment.save(update_fields=["withdrawn_at"])
    result.enrolled += 1
    invite(user, cohort, site_url)


def invite(user, cohort: Cohort, site_url: str) -> None:
    """Queue ``user``'s invitation to ``cohort`` (sent by the worker)."""
    queue_email(
        emails.invitation,
        user,
        f"Invitation to {cohort.name}",
        user_id=user.pk,
        cohort_id=cohort.pk,
        site_url=site_url,
    )


def resend_invitations(enrolments, site_url: str) -> int:
    """Invite again the learners of these active enrolments (the admin's
    *Resend invitation*); withdrawn ones are left out."""
    count = 0
    with transaction.atomic():
        for enrolment in enrolments.active().select_related("learner", "cohort"):
            invite(enrolment.learner, enrolment.cohort, site_url)
            count += 1
    return count


@transaction.atomic
def withdraw(enrolments) -> int:
    """Withdraw learners: they lose access to the course; nothing they wrote
    is deleted. One save each, so the enrolment's history says who did it."""
    now = timezone.now()
    withdrawn = 0
    for enrolment in enrolments.filter(withdrawn_at__isnull=True).select_for_update():
        enrolment.withdrawn_at = now
        enrolment.save(update_fields=["withdrawn_at"])
        withdrawn += 1
    return withdrawn
