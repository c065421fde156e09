"""The per-cohort progress report: the table, its CSV and the chart's figures.

Counts only: the report never carries what a learner wrote.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max

from assessments.models import Assignment
from assessments.status import NOT_STARTED, states_for
from courses.models import Cohort, Enrolment
from peersupport.people import display_name
from peersupport.spreadsheets import csv_text
from reflections.models import Reflection
from sessions.models import Session, SessionCompletion


@dataclass(frozen=True)
class LearnerProgress:
    enrolment: Enrolment
    sessions_completed: int
    reflections_written: int
    assignment_statuses: list[str]
    last_active: datetime | None

    @property
    def name(self) -> str:
        learner = self.enrolment.learner
        return display_name(learner)


@dataclass(frozen=True)
class ChartGeometry:
    """The progress chart's layout, in SVG user units: each row has a label,
    then the bar, then the count. The template draws with these alone."""

    width: int = 600
    row_height: int = 10
    bar_x: int = 70  # after the label
    bar_span: int = 450  # a bar for 100%
    bar_height: int = 7
    gap: int = 10  # between a full bar and the count
    font_size: int = 6

    @property
    def count_x(self) -> int:
        return self.bar_x + self.bar_span + self.gap

    @property
    def text_y(self) -> int:
        return self.bar_height  # text sits on the bar's baseline


GEOMETRY = ChartGeometry()


@dataclass(frozen=True)
class SessionBar:
    session: Session
    completed: int
    percent: int
    row: int = 0  # its place in the chart, from the top

    @property
    def width(self) -> float:
        return GEOMETRY.bar_span * self.percent / 100

    @property
    def y(self) -> int:
        return GEOMETRY.row_height * self.row


@dataclass(frozen=True)
class CohortReport:
    cohort: Cohort
    rows: list[LearnerProgress]
    bars: list[SessionBar]
    assignments: list[Assignment]

    @property
    def active_count(self) -> int:
        return sum(1 for row in self.rows if row.enrolment.is_active)

    geometry: ChartGeometry = GEOMETRY

    @property
    def chart_height(self) -> int:
        return self.geometry.row_height * len(self.bars)

    @property
    def column_count(self) -> int:
        """The learners table's columns: name, status, sessions, reflections,
        one per assignment, last active."""
        return 5 + len(self.assignments)


def cohort_report(cohort: Cohort) -> CohortReport:
    enrolments = list(
        Enrolment.objects.filter(cohort=cohort)
        .select_related("learner")
        .order_by("learner__last_name", "learner__first_name", "learner__username")
    )
    learner_ids = [e.learner_id for e in enrolments]
    per_learner = {
        row["learner_id"]: row
        for row in SessionCompletion.objects.filter(
            learner_id__in=learner_ids, session__course=cohort.course_id
        )
        .values("learner_id")
        .annotate(done=Count("pk"), latest=Max("completed_at"))
    }
    sessions = list(Session.objects.filter(course=cohort.course_id).order_by("number"))
    active_ids = [e.learner_id for e in enrolments if e.is_active]
    per_session = dict(
        SessionCompletion.objects.filter(learner_id__in=active_ids, session__in=sessions)
        .values("session_id")
        .annotate(done=Count("pk"))
        .values_list("session_id", "done")
    )
    assignments = list(Assignment.objects.filter(course=cohort.course_id).order_by("number"))
    statuses = assignment_statuses(learner_ids, assignments)
    reflections = reflection_counts(learner_ids)
    rows = [
        LearnerProgress(
            enrolment=e,
            sessions_completed=per_learner.get(e.learner_id, {}).get("done", 0),
            reflections_written=reflections.get(e.learner_id, 0),
            assignment_statuses=statuses.get(e.learner_id, [NOT_STARTED.label] * len(assignments)),
            last_active=_latest(
                e.learner.last_login, per_learner.get(e.learner_id, {}).get("latest")
            ),
        )
        for e in enrolments
    ]
    total = len(active_ids)
    bars = [
        SessionBar(
            s,
            per_session.get(s.pk, 0),
            round(100 * per_session.get(s.pk, 0) / total) if total else 0,
            row,
        )
        for row, s in enumerate(sessions)
    ]
    return CohortReport(cohort, rows, bars, assignments)


def reflection_counts(learner_ids: list[int]) -> dict[int, int]:
    """How many reflections each learner has written: a count, never the text."""
    return dict(
        Reflection.objects.filter(learner_id__in=learner_ids)
        .written()
        .values("learner_id")
        .annotate(count=Count("pk"))
        .values_list("learner_id", "count")
    )


def assignment_statuses(learner_ids: list[int], assignments) -> dict[int, list[str]]:
    """Each learner's status per assignment, in words."""
    return {
        learner_id: [state.label for state in states]
        for learner_id, states in states_for(learner_ids, assignments).items()
    }


def _latest(*moments):
    present = [m for m in moments if m is not None]
    return max(present) if present else None


def report_csv(report: CohortReport) -> str:
    header = [
        "Learner",
        "Email",
        "Status",
        "Sessions completed",
        "Reflections written",
        *[f"Assignment {a.number}" for a in report.assignments],
        "Last active",
    ]
    return csv_text(
        header,
        (
            [
                row.name,
                row.enrolment.learner.email,
                "Enrolled" if row.enrolment.is_active else "Withdrawn",
                row.sessions_completed,
                row.reflections_written,
                *row.assignment_statuses,
                row.last_active.isoformat(timespec="minutes") if row.last_active else "",
            ]
            for row in report.rows
        ),
    )
