"""Which rows of learners' data a member of staff sees in the admin: the
base of every admin of learners' data, in any app."""

from django.db.models import Exists, OuterRef, QuerySet

from courses.models import Enrolment
from peersupport.admin import GuardedAdmin
from peersupport.roles import EVERY_COHORT, TUTORED_COHORTS, scope_of


class CohortScopedAdmin(GuardedAdmin):
    """Rows that belong to cohorts, as far as the member of staff's scope
    (``scope_of``) reaches.

    A learner's rows (their essays, their account) name the path to the
    learner in ``learner_lookup``; other rows name the path to their Cohort in
    ``cohort_lookup``. This is the one place the admin narrows rows by role;
    every admin of learners' data builds on it.
    """

    cohort_lookup = "cohort"
    learner_lookup: str | None = None

    def get_queryset(self, request):
        return self.scoped(super().get_queryset(request), scope_of(request.user), request.user.pk)

    def scoped(self, queryset: QuerySet, scope: str, user_id: int) -> QuerySet:
        """The rows of ``queryset`` that the member of staff with ``scope``
        and ``user_id`` sees. (A function of these alone, and no other state
        of the request: the review queue compiles its query once per scope,
        peersupport/compiled.py.)"""
        if scope == EVERY_COHORT:
            return queryset
        if scope != TUTORED_COHORTS:
            return queryset.none()
        # EXISTS or a subquery, not a join, so that a row reachable through
        # two of the tutor's cohorts is still listed once.
        if self.learner_lookup:
            # The database narrows to the tutor's learners first (the review
            # queue's query took 0.5 ms instead of 3.4 ms with 1,000 essays
            # waiting).
            # A learner's tutors are those of the cohort they are in now
            # (Enrolment.objects.current()): a tutor they have left no
            # longer sees their work.
            tutored = Enrolment.objects.current().filter(
                learner=OuterRef(self.learner_lookup), cohort__tutors=user_id
            )
            return queryset.filter(Exists(tutored))
        mine = self.model._default_manager.filter(
            **{f"{self.cohort_lookup}__tutors": user_id}
        ).values("pk")
        return queryset.filter(pk__in=mine)
