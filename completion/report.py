"""The coordinators' completion report for one cohort, and its CSV for an
awarding body: each learner's attendance, each assignment's outcome, and
whether they have completed or what is missing."""

from dataclasses import dataclass

from assessments.status import states_for
from completion import rule
from completion.models import Certificate
from courses.models import Cohort, Enrolment
from peersupport.people import display_name
from peersupport.spreadsheets import csv_text

# The CSV's columns, in order (the README lists them too).
CSV_COLUMNS = [
    "Learner",
    "Email",
    "Enrolment",
    "Sessions attended",
    "Sessions in the course",
    "Attendance %",
    # one column per assignment: "Assignment 1", "Assignment 2"
    "Complete",
    "Still needed",
    "Certificate code",
    "Certificate issued",
]


@dataclass(frozen=True)
class CompletionRow:
    enrolment: Enrolment
    standing: rule.Standing
    outcomes: list[str]  # each assignment's state, in words
    certificate: Certificate | None

    @property
    def name(self) -> str:
        learner = self.enrolment.learner
        return display_name(learner)


@dataclass(frozen=True)
class CompletionReport:
    cohort: Cohort
    rows: list[CompletionRow]
    assignment_numbers: list[int]

    @property
    def complete_count(self) -> int:
        return sum(1 for row in self.rows if row.standing.complete)


def completion_report(cohort: Cohort) -> CompletionReport:
    """In a fixed number of queries, whatever the cohort's size."""
    enrolments = list(
        Enrolment.objects.filter(cohort=cohort)
        .select_related("learner")
        .order_by("learner__last_name", "learner__first_name", "pk")
    )
    standings = rule.standings_for(cohort, enrolments)
    assignments = list(cohort.course.assignments.order_by("number"))
    states = states_for([e.learner_id for e in enrolments], assignments)
    certificates = {
        c.enrolment_id: c for c in Certificate.objects.live().filter(enrolment__cohort=cohort)
    }
    rows = [
        CompletionRow(
            e, standings[e.pk], [s.label for s in states[e.learner_id]], certificates.get(e.pk)
        )
        for e in enrolments
    ]
    return CompletionReport(cohort, rows, [a.number for a in assignments])


def completion_csv(report: CompletionReport) -> str:
    header = CSV_COLUMNS[:6] + [f"Assignment {n}" for n in report.assignment_numbers]
    header += CSV_COLUMNS[6:]
    return csv_text(
        header,
        (
            [
                row.name,
                row.enrolment.learner.email,
                "Enrolled" if row.enrolment.is_active else "Withdrawn",
                row.standing.attended_count,
                row.standing.session_count,
                row.standing.percent_attended,
                *row.outcomes,
                "Yes" if row.standing.complete else "No",
                row.standing.missing_text,
                row.certificate.code if row.certificate else "",
                row.certificate.issued_at.date().isoformat() if row.certificate else "",
            ]
            for row in report.rows
        ),
    )
