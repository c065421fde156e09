"""The tutors' review queue, inside the admin: the essays waiting for
feedback, the ones this tutor is marking first, then the oldest.

SubmissionAdmin.queue_view hands over the queue's query, built on the
admin's own definition of the essays this member of staff may see
(SubmissionAdmin.essays_for, courses/staff.py); this module filters it,
reads one page of it and renders it. The essays' text is never loaded: the
list shows who, what and since when, and the review page
(assessments/review.py) shows the essay.

The page costs the same few queries however long the queue is: the
assignments and the cohorts for the filters, then one query for the page's
rows that also counts every row the filters match (a window over the whole
result, so no second COUNT query), with the moderation flag as an EXISTS
and the claim-first order as a CASE. Each of the three is compiled once per
shape and process (peersupport/compiled.py): building and compiling the
rows' query through the ORM on every view took 8 of the page's 28 ms.
"""

from dataclasses import dataclass, replace
from html import escape
from math import ceil

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from assessments.models import Assignment, Moderation, Review, Submission
from assessments.services import CLAIM_LASTS, may_review
from courses.models import Cohort, Enrolment
from peersupport.admin import MAX_SEARCH_CHARS
from peersupport.compiled import CompiledQuery
from peersupport.people import name_from_parts

TEMPLATE = "admin/assessments/submission/queue.html"
PER_PAGE = 50
Status = Submission.Status

# What the status filter offers, and the status each choice stands for
# (None: every submitted essay, whatever its state).
STATUSES = {
    "waiting": ("Waiting for feedback", Status.SUBMITTED),
    "passed": ("Passed", Status.PASSED),
    "referred": ("Referred", Status.REFERRED),
    "all": ("All submitted", None),
}
CAPTIONS = {
    "waiting": "Essays waiting for feedback",
    "passed": "Passed essays",
    "referred": "Referred essays",
    "all": "All submitted essays",
}


class QueueFilters(forms.Form):
    """The queue's filters and search, from the page's address (GET).

    A value that is not one of the choices (an old bookmark, a hand-edited
    address) makes only its own field invalid: the page applies the rest and
    says so, never a server error.
    """

    q = forms.CharField(
        label="Search learners",
        required=False,
        max_length=MAX_SEARCH_CHARS,
        help_text="First name, last name or email address.",
    )
    assignment = forms.TypedChoiceField(
        label="Assignment", required=False, coerce=int, empty_value=None
    )
    cohort = forms.TypedChoiceField(label="Cohort", required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[(key, label) for key, (label, _) in STATUSES.items()],
    )
    outcome = forms.ChoiceField(
        label="Outcome",
        required=False,
        choices=[("", "Any"), ("pass", "Pass"), ("refer", "Refer"), ("none", "No outcome yet")],
    )
    late = forms.ChoiceField(
        label="Late",
        required=False,
        choices=[("", "Either"), ("yes", "Late"), ("no", "On time")],
    )

    def __init__(self, *args, assignments, cohorts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignment"].choices = [("", "All assignments")] + [
            (a["pk"], f"{a['number']}: {a['title']}") for a in assignments
        ]
        self.fields["cohort"].choices = [("", "All cohorts")] + list(cohorts)

    def selects(self) -> list["Select"]:
        """The drop-down filters, as the template writes them out."""
        selects = []
        for name in ("assignment", "cohort", "status", "outcome", "late"):
            field = self[name]
            value = field.value()
            current = "" if value is None else str(value)
            options = [(str(key), label, str(key) == current) for key, label in field.field.choices]
            selects.append(Select(field.html_name, field.id_for_label, field.label, options))
        return selects


@dataclass(frozen=True)
class Select:
    """One drop-down filter, written out by the template itself: Django's
    widget templates (an include for every option's attributes) took a tenth
    of the page's time for five short lists."""

    name: str
    id: str
    label: str
    options: list[tuple[str, str, bool]]  # (value, label, selected)


# Dates as "27 Nov 2026", formatted here: the template's date filter,
# once per row, was a tenth of the page's time.
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# One row of the table, written out here rather than in the template's loop:
# the template engine, and even format_html, took a quarter of the page's
# time over 50 rows of ten cells. Every text from the database is escaped
# (html.escape, which Django's own escape calls). On a phone each row is a card, and each cell's
# data-label names its column.
ROW_HTML = (
    '<tr{mine}><td class="learner"><a href="{url}"><bdi>{learner}</bdi></a></td>'
    '<td class="number" data-label="Assignment">{assignment}</td>'
    '<td class="number" data-label="Attempt">{attempt}</td>'
    '<td class="date" data-label="Submitted">{submitted_on}</td>'
    '<td class="number" data-label="Days waiting">{days_waiting}</td>'
    '<td class="number" data-label="Words">{words}</td>'
    '<td class="flags" data-label="Flags"><span>{flags}</span></td>'
    '<td data-label="Being marked by">{marked_by}</td>'
    '<td data-label="Outcome">{outcome}</td></tr>\n'
)
NO_FLAGS = '<span class="none">—</span>'
OUTCOMES = dict(Review.Outcome.choices)


@dataclass
class Row:
    """One essay as the queue shows it: every cell worked out already, as
    text, and the table row they make (``html``)."""

    url: str
    learner: str
    assignment: str
    attempt: str
    submitted_on: str
    days_waiting: str
    words: str
    flags: tuple[tuple[str, str], ...]  # (kind, words): ("range", "below word range")
    marked_by: str  # "you", a tutor's name, or "—"
    is_mine: bool
    outcome: str

    @cached_property
    def html(self) -> SafeString:
        flags = " ".join(
            f'<span class="flag flag-{escape(kind)}">{escape(words)}</span>'
            for kind, words in self.flags
        )
        return mark_safe(  # noqa: S308 -- every value from outside is escaped
            ROW_HTML.format(
                mine=' class="mine"' if self.is_mine else "",
                url=escape(self.url),
                learner=escape(self.learner),
                # Numbers and dates this module wrote: nothing to escape.
                assignment=self.assignment,
                attempt=self.attempt,
                submitted_on=self.submitted_on,
                days_waiting=self.days_waiting,
                words=self.words,
                flags=flags or NO_FLAGS,
                marked_by=(
                    "<strong>you</strong>"
                    if self.is_mine
                    else f"<bdi>{escape(self.marked_by)}</bdi>"
                ),
                outcome=escape(self.outcome),
            )
        )


def queue_page(request, rows: CompiledQuery, scope: str, admin_context: dict):
    """The queue over the essays this member of staff sees (``scope``,
    courses/staff.py); ``rows`` is the queue's query (``queue_rows``)."""
    assignments = ASSIGNMENTS.rows("all")
    cohorts = COHORTS.rows(scope, user=request.user.pk)
    form = QueueFilters(request.GET or None, assignments=assignments, cohorts=cohorts)
    applied = _applied(form)
    ignored = bool(form.is_bound and form.errors)
    if ignored:
        # Show what is applied, not the values that were not understood.
        form = QueueFilters(initial=applied, assignments=assignments, cohorts=cohorts)

    now = timezone.now()
    values = _values(applied, request.user, now)
    found, page = _page(rows, _shape(scope, applied), values, request.GET.get("page"))
    link = reverse("admin:assessments_submission_change", args=[0])
    here = timezone.get_current_timezone()
    today = timezone.localdate(now, here)
    by_id = {assignment["pk"]: assignment for assignment in assignments}
    filters = {
        key: value
        for key, value in applied.items()
        if value not in (None, "") and (key, value) != ("status", "waiting")
    }
    context = {
        **admin_context,
        "title": "Review queue",
        "form": form,
        "ignored": ignored,
        "caption": _caption(applied["status"], may_review(request.user)),
        "rows": [
            _row(
                v,
                by_id[v["assignment_id"]],
                request.user,
                values["claims_since"],
                here,
                today,
                link,
            )
            for v in found
        ],
        "page": page,
        "count": page.paginator.count,
        "filtered": bool(filters),
        "page_query": urlencode(filters) + ("&" if filters else ""),
        "queue_url": reverse("admin:assessments_submission_queue"),
        "bulk_url": reverse("admin:assessments_submission_changelist") + "?status__exact=submitted",
    }
    return TemplateResponse(request, TEMPLATE, context)


def _caption(status: str, marks: bool) -> str:
    """What the table lists, in which order (a tutor's own claims come
    first only among essays still waiting)."""
    if marks and status in ("waiting", "all"):
        return f"{CAPTIONS[status]}: those you are marking first, then the oldest"
    return f"{CAPTIONS[status]}, oldest first"


def _applied(form: QueueFilters) -> dict:
    """The filters to apply: each valid one, the defaults for the rest."""
    applied = {name: None for name in form.fields}
    if form.is_bound:
        form.is_valid()
        applied.update(form.cleaned_data)
    applied["status"] = applied["status"] or "waiting"
    return applied


# The filters' choices, compiled once (peersupport/compiled.py): the
# assignments (with the word range each row is checked against) and the
# cohorts this member of staff sees.
ASSIGNMENTS = CompiledQuery(
    lambda shape, values: Assignment.objects.order_by("number", "pk").values(
        "pk", "number", "title", "min_words", "max_words"
    )
)
COHORTS = CompiledQuery(
    lambda scope, values: (
        Cohort.objects.in_scope(scope, values["user"])
        .order_by("name", "pk")
        .values_list("pk", "name")
    )
)


@dataclass(frozen=True)
class Shape:
    """What makes the queue's SQL what it is (peersupport/compiled.py): the
    scope, the filters but for the ids they choose, and the page."""

    scope: str
    status: str
    outcome: str | None
    late: str | None
    terms: tuple[str, ...]
    by_assignment: bool
    by_cohort: bool
    page: int = 1


def _shape(scope: str, applied: dict) -> Shape:
    return Shape(
        scope=scope,
        status=applied["status"],
        outcome=applied["outcome"] or None,
        late=applied["late"] or None,
        terms=tuple((applied["q"] or "").split()),
        by_assignment=applied["assignment"] is not None,
        by_cohort=applied["cohort"] is not None,
    )


def _values(applied: dict, user, now) -> dict:
    """The values the queue's SQL takes as parameters: whose queue, since
    when a claim still counts, and the chosen assignment and cohort."""
    values = {"user": user.pk, "claims_since": now - CLAIM_LASTS}
    for name in ("assignment", "cohort"):
        if applied[name] is not None:
            values[name] = applied[name]
    return values


def queue_rows(essays_for) -> CompiledQuery:
    """The queue's query, over ``essays_for(scope, user_id)`` (the essays a
    member of staff sees, SubmissionAdmin.essays_for): one page of rows, in
    the queue's order, with the number of rows the filters match beside each."""

    def build(shape: Shape, values: dict) -> QuerySet:
        essays = _filtered(essays_for(shape.scope, values["user"]), shape, values)
        start = (shape.page - 1) * PER_PAGE
        return _rows_of(essays, values["user"], values["claims_since"])[start : start + PER_PAGE]

    return CompiledQuery(build)


def _filtered(submissions: QuerySet, shape: Shape, values: dict) -> QuerySet:
    status = STATUSES[shape.status][1]
    if status is not None:
        submissions = submissions.filter(status=status)
    if shape.by_assignment:
        submissions = submissions.filter(assignment_id=values["assignment"])
    if shape.by_cohort:
        in_cohort = Enrolment.objects.current().filter(cohort_id=values["cohort"])
        submissions = submissions.filter(learner_id__in=in_cohort.values("learner_id"))
    if shape.outcome == "none":
        submissions = submissions.filter(Q(review__isnull=True) | Q(review__outcome=""))
    elif shape.outcome:
        submissions = submissions.filter(review__outcome=shape.outcome)
    if shape.late:
        submissions = submissions.filter(is_late=shape.late == "yes")
    for term in shape.terms:
        submissions = submissions.filter(
            Q(learner__first_name__icontains=term)
            | Q(learner__last_name__icontains=term)
            | Q(learner__email__icontains=term)
        )
    return submissions


# What each row reads, as values rather than model objects (a quarter of the
# query's time went on building a Submission and its learner for each row):
# never the essay's text (sensitive and long), nor the feedback.
ROW_VALUES = (
    "pk", "attempt", "status", "submitted_at", "word_count", "is_late", "assignment_id",
    "learner__first_name", "learner__last_name", "learner__username",
    "claimed_by_id", "claimed_at",
    "claimed_by__first_name", "claimed_by__last_name", "claimed_by__username",
    "is_mine", "in_moderation", "review_outcome", "review_released_at", "total",
)  # fmt: skip


def _rows_of(submissions: QuerySet, user_id: int, claims_since) -> QuerySet:
    """What one query reads for each row, in the queue's order, with the
    number of rows the filters match beside each one. (The assignments come
    from the filters' query: every join here costs planning time.)"""
    mine = Case(
        When(
            Q(status=Status.SUBMITTED, claimed_by=user_id, claimed_at__gt=claims_since),
            then=Value(True),
        ),
        default=Value(False),
        output_field=BooleanField(),
    )
    undecided = Moderation.objects.filter(review=OuterRef("review__pk"), agrees__isnull=True)
    return (
        submissions.annotate(
            is_mine=mine,
            in_moderation=Exists(undecided),
            review_outcome=F("review__outcome"),
            review_released_at=F("review__released_at"),
            total=Window(Count("pk")),
        )
        .order_by("-is_mine", "submitted_at", "pk")
        .values(*ROW_VALUES)
    )


def _page(rows: CompiledQuery, shape: Shape, values: dict, number: str | None):
    """One page of rows: a number that is not a page shows the first, one
    past the end the last."""
    number = int(number) if number and number.isdigit() and len(number) < 10 else 1
    number = max(number, 1)
    found = _rows(rows, replace(shape, page=number), values)
    if not found and number > 1:
        # Past the end (an old link, a hand-typed number): the last page.
        first = _rows(rows, replace(shape, page=1), values)
        number = max(1, ceil(first[0]["total"] / PER_PAGE)) if first else 1
        found = _rows(rows, replace(shape, page=number), values) if first else []
    paginator = Paginator(found, PER_PAGE)
    paginator.count = found[0]["total"] if found else 0  # counted by the same query
    return found, Page(found, number, paginator)


# Pages kept compiled: the first 1,000 essays. A shape is compiled twice
# before it is kept, so what is seldom asked for twice (a search, a page
# further on) is built once each time, as the ORM does, and not kept.
KEPT_PAGES = 20


def _rows(rows: CompiledQuery, shape: Shape, values: dict) -> list[dict]:
    return rows.rows(shape, keep=not shape.terms and shape.page <= KEPT_PAGES, **values)


def _row(values: dict, assignment: dict, user, claims_since, here, today, link: str) -> Row:
    waiting = values["status"] == Status.SUBMITTED
    submitted_at = values["submitted_at"]
    submitted_on = submitted_at.astimezone(here).date() if submitted_at else None
    days = (today - submitted_on).days if waiting and submitted_on else None
    words = values["word_count"]
    flags = []
    if values["is_late"]:
        flags.append(("late", "late"))
    if words < assignment["min_words"]:
        flags.append(("range", "below word range"))
    elif words > assignment["max_words"]:
        flags.append(("range", "above word range"))
    if values["in_moderation"]:
        flags.append(("moderation", "moderation"))
    return Row(
        url=link.replace("/0/", f"/{values['pk']}/", 1),
        learner=_name(values, "learner"),
        assignment=str(assignment["number"]),
        attempt=str(values["attempt"]),
        submitted_on=(
            f"{submitted_on.day} {MONTHS[submitted_on.month - 1]} {submitted_on.year}"
            if submitted_on
            else "—"
        ),
        days_waiting="—" if days is None else ("today" if days == 0 else str(days)),
        words=str(words),
        flags=tuple(flags),
        marked_by=_marked_by(values, waiting, user, claims_since),
        is_mine=values["is_mine"],
        outcome=_outcome(values),
    )


def _name(values: dict, person: str) -> str:
    """A person's name as the app shows it (peersupport/people.py), from a row's values."""
    return name_from_parts(
        values[f"{person}__first_name"],
        values[f"{person}__last_name"],
        values[f"{person}__username"],
    )


def _marked_by(values: dict, waiting: bool, user, claims_since) -> str:
    """Who holds a live claim on the essay (services.claim), if anyone."""
    claimed_at = values["claimed_at"]
    if not waiting or values["claimed_by_id"] is None or claimed_at is None:
        return "—"
    if claimed_at <= claims_since:
        return "—"
    return "you" if values["claimed_by_id"] == user.pk else _name(values, "claimed_by")


def _outcome(values: dict) -> str:
    outcome = values["review_outcome"]
    if not outcome:
        return "—"
    label = OUTCOMES[outcome]
    return label if values["review_released_at"] is not None else f"{label} (not released)"
