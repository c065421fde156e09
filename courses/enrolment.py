"""Adding learners to cohorts, one by one or from a CSV file, and inviting them.

A new learner's username is their email address (lower case), so they can log
in with the address the invitation reached. They choose their own password
through the invitation link, which is Django's password-reset token: it works
once, and for PASSWORD_RESET_TIMEOUT; after that, "Forgotten your password?"
sends a fresh one.
"""

import csv
import io
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from courses.models import Cohort, Enrolment

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
    invited: list[str] = field(default_factory=list)


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
    rows, or (if any cannot be enrolled) none. Invitations go once saved."""
    result = EnrolmentResult()
    problems = []
    with transaction.atomic():
        for row in rows:
            try:
                _enrol(cohort, row, result)
            except EnrolmentError as error:
                problems.extend(f"Line {row.line}: {p}" for p in error.problems)
        if problems:
            transaction.set_rollback(True)
    if problems:
        raise EnrolmentError(problems)
    transaction.on_commit(lambda: send_invitations(cohort, result.invited, site_url))
    return result


def enrol_learner(
    cohort: Cohort, first_name: str, last_name: str, email: str, site_url: str
) -> EnrolmentResult:
    """Add one learner (the admin's "add learner" form)."""
    row = LearnerRow(1, first_name.strip(), last_name.strip(), email.strip().lower())
    result = EnrolmentResult()
    with transaction.atomic():
        _enrol(cohort, row, result)
    transaction.on_commit(lambda: send_invitations(cohort, result.invited, site_url))
    return result


def _enrol(cohort: Cohort, row: LearnerRow, result: EnrolmentResult) -> None:
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
    result.invited.append(user.email)


def withdraw(enrolments) -> int:
    """Withdraw learners: they lose access to the course; nothing they wrote is deleted."""
    return enrolments.filter(withdrawn_at__isnull=True).update(withdrawn_at=timezone.now())


def send_invitations(cohort: Cohort, emails: list[str], site_url: str) -> None:
    User = get_user_model()
    for user in User.objects.filter(email__in=emails, is_staff=False):
        context = {
            "user": user,
            "cohort": cohort,
            "site_url": site_url.rstrip("/"),
            "needs_password": not user.has_usable_password(),
            "set_password_path": reverse(
                "password_reset_confirm",
                kwargs={
                    "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                    "token": default_token_generator.make_token(user),
                },
            ),
        }
        send_mail(
            subject="Welcome to Peer Support Training",
            message=render_to_string("courses/email/invitation.txt", context),
            from_email=None,
            recipient_list=[user.email],
        )
