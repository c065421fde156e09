"""Cohorts: their timetable, tutors, learners, progress and imports."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from courses.cohorts import timetable
from courses.cohorts.enrolment import (
    EnrolmentError,
    import_learners,
)
from courses.forms import LearnerCsvForm
from courses.models import (
    AssignmentDeadline,
    Cohort,
    Enrolment,
    SessionRelease,
)
from courses.reports.cohort import cohort_report, report_csv
from peersupport.admin import (
    GuardedAdmin,
)
from peersupport.people import display_name
from peersupport.signals import todo_for
from peersupport.spreadsheets import csv_download


class SessionReleaseInline(admin.TabularInline):
    model = SessionRelease
    fields = ["session", "opens_on"]
    extra = 0
    verbose_name = "session opening date"
    verbose_name_plural = "timetable: when each session opens"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("session")


class AssignmentDeadlineInline(admin.TabularInline):
    model = AssignmentDeadline
    fields = ["assignment", "due_on"]
    extra = 0
    verbose_name_plural = "assignment deadlines"


class EnrolmentInline(admin.TabularInline):
    model = Enrolment
    fields = ["learner_link", "learner_email", "enrolled_at", "withdrawn_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = "learners (add them with “Import learners” or Learners › Add)"

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("learner")

    @admin.display(description="Learner")
    def learner_link(self, enrolment):
        return str(display_name(enrolment.learner))

    @admin.display(description="Email")
    def learner_email(self, enrolment):
        return enrolment.learner.email


@admin.register(Cohort)
class CohortAdmin(GuardedAdmin):
    list_display = ["name", "start_date", "tutor_names", "learner_count"]
    search_fields = ["name"]
    date_hierarchy = "start_date"
    filter_horizontal = ["tutors"]
    fields = ["course", "name", "start_date", "contact_email", "tutors", "requires_moderation"]
    inlines = [SessionReleaseInline, AssignmentDeadlineInline, EnrolmentInline]
    actions = ["open_all_sessions"]
    change_form_template = "admin/courses/cohort/change_form.html"
    change_list_template = "admin/courses/cohort/change_list.html"

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "todo_items": todo_for(request.user)}
        return super().changelist_view(request, extra_context)

    def get_queryset(self, request):
        return (
            Cohort.objects.visible_to(request.user)
            .annotate(
                active_learners=Count("enrolments", filter=Q(enrolments__withdrawn_at__isnull=True))
            )
            .prefetch_related("tutors")
        )

    @admin.display(description="Tutors")
    def tutor_names(self, cohort):
        return ", ".join(display_name(t) for t in cohort.tutors.all()) or "—"

    @admin.display(description="Learners", ordering="active_learners")
    def learner_count(self, cohort):
        return cohort.active_learners

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        added = timetable.create_timetable(form.instance)
        if not change and any(added):
            self.message_user(
                request,
                "The timetable was filled in: session 1 opens on the start date and each "
                "later session a week after. Change any date below.",
            )

    @admin.action(description="Open every session now", permissions=["change"])
    def open_all_sessions(self, request, queryset):
        today = timezone.localdate()
        for cohort in queryset:
            timetable.open_all_sessions(cohort, today)
        self.message_user(request, f"Every session is now open for {queryset.count()} cohort(s).")

    # ------------------------------------------------------------ extra pages

    def get_urls(self):
        return [
            path(
                "<int:cohort_id>/progress/",
                self.admin_site.admin_view(self.progress_view),
                name="courses_cohort_progress",
            ),
            path(
                "<int:cohort_id>/progress.csv",
                self.admin_site.admin_view(self.progress_csv_view),
                name="courses_cohort_progress_csv",
            ),
            path(
                "<int:cohort_id>/import-learners/",
                self.admin_site.admin_view(self.import_view),
                name="courses_cohort_import",
            ),
            *super().get_urls(),
        ]

    def _cohort(self, request, cohort_id):
        """The cohort if this user may see it; 404 otherwise (never confirm it exists)."""
        cohort = self.get_queryset(request).filter(pk=cohort_id).select_related("course").first()
        if cohort is None or not self.has_view_permission(request, cohort):
            raise Http404
        return cohort

    def progress_view(self, request, cohort_id):
        cohort = self._cohort(request, cohort_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "cohort": cohort,
            "report": cohort_report(cohort),
            "title": f"Progress: {cohort.name}",
        }
        return TemplateResponse(request, "admin/courses/cohort/progress.html", context)

    def progress_csv_view(self, request, cohort_id):
        cohort = self._cohort(request, cohort_id)
        stamp = timezone.localdate().isoformat()
        return csv_download(report_csv(cohort_report(cohort)), f"progress-{cohort.pk}-{stamp}.csv")

    def import_view(self, request, cohort_id):
        cohort = self._cohort(request, cohort_id)
        if not request.user.has_perm("courses.add_enrolment"):
            raise PermissionDenied
        form = LearnerCsvForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                result = import_learners(cohort, form.rows, request.build_absolute_uri("/"))
            except EnrolmentError as error:
                for problem in error.problems:
                    form.add_error("file", problem)
            else:
                again = (
                    f", and {result.invited_again} of them, who have never logged in, were "
                    "sent their invitation again"
                    if result.invited_again
                    else ""
                )
                self.message_user(
                    request,
                    f"{result.enrolled} learner(s) enrolled and invited by email "
                    f"({result.accounts_created} new account(s), {result.accounts_reused} "
                    f"existing; {result.already_enrolled} were already in this cohort{again}). "
                    "Invitations are sent within a minute or two.",
                    messages.SUCCESS,
                )
                return redirect("admin:courses_cohort_change", cohort.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "cohort": cohort,
            "form": form,
            "title": f"Import learners into {cohort.name}",
        }
        return TemplateResponse(request, "admin/courses/cohort/import.html", context)
