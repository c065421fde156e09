"""Cohorts: their timetable, tutors, learners, progress and imports."""

from django import forms
from django.conf import settings
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
    MEETING_LINK_MESSAGE,
    AssignmentDeadline,
    Cohort,
    Enrolment,
    SessionRelease,
    known_time_zones,
)
from courses.reports.cohort import cohort_report, report_csv
from peersupport.admin import (
    GuardedAdmin,
)
from peersupport.people import display_name
from peersupport.signals import todo_for
from peersupport.spreadsheets import csv_download

# ------------------------------------------------------------ live sessions
# Where and when sessions meet: the cohort's defaults in its form, each
# session's own in the timetable below it (the rules are the models').

# The zones most cohorts meet in, first in the list; then every zone.
COMMON_TIME_ZONES = ["Europe/London", "Europe/Dublin"]


def time_zone_choices() -> list:
    common = [settings.TIME_ZONE, *(z for z in COMMON_TIME_ZONES if z != settings.TIME_ZONE)]
    common = [z for z in common if z in known_time_zones()]
    others = sorted(known_time_zones() - set(common))
    return [
        ("Most used", [(z, z.replace("_", " ")) for z in common]),
        ("All time zones", [(z, z.replace("_", " ")) for z in others]),
    ]


def time_box(placeholder: str = "", size: int = 8) -> forms.TimeInput:
    """A time on the 24-hour clock, "10:00" (not "10:00:00")."""
    attrs = {"size": size, "class": "live-time"}
    if placeholder:
        attrs["placeholder"] = placeholder
    return forms.TimeInput(format="%H:%M", attrs=attrs)


class MeetingLinkField(forms.URLField):
    """A meeting link: "https://" is assumed when left out, and a link that
    is not one (javascript:, a typo) gets the same kind message as http://."""

    default_error_messages = {"invalid": MEETING_LINK_MESSAGE}

    def __init__(self, **kwargs):
        kwargs["assume_scheme"] = "https"
        super().__init__(**kwargs)


class CohortForm(forms.ModelForm):
    # Left out of a form (an older page, a script): the zone stays as it is.
    time_zone = forms.ChoiceField(
        choices=time_zone_choices,
        required=False,
        help_text=Cohort._meta.get_field("time_zone").help_text,
        error_messages={
            "invalid_choice": "Please choose a time zone from the list, for example Europe/London."
        },
    )

    class Meta:
        model = Cohort
        fields = [
            "course", "name", "start_date", "contact_email", "tutors", "requires_moderation",
            "time_zone", "session_starts_at", "session_ends_at", "session_location",
            "session_meeting_url",
        ]  # fmt: skip
        field_classes = {"session_meeting_url": MeetingLinkField}
        widgets = {
            "session_starts_at": time_box(),
            "session_ends_at": time_box(),
            "session_location": forms.TextInput(attrs={"class": "vTextField"}),
            "session_meeting_url": forms.URLInput(
                attrs={"class": "vURLField", "placeholder": "https://"}
            ),
        }

    def clean_time_zone(self):
        return self.cleaned_data.get("time_zone") or self.instance.time_zone


class SessionReleaseForm(forms.ModelForm):
    class Meta:
        model = SessionRelease
        fields = ["session", "opens_on", "starts_at", "ends_at", "location", "meeting_url"]
        field_classes = {"meeting_url": MeetingLinkField}
        widgets = {
            # Narrow, so that the timetable fits 1280 px; the columns' help
            # says whose default.
            "starts_at": time_box("default", size=7),
            "ends_at": time_box("default", size=7),
            "location": forms.TextInput(attrs={"size": 16, "placeholder": "cohort’s default"}),
            "meeting_url": forms.URLInput(attrs={"size": 18, "placeholder": "cohort’s default"}),
        }


class SessionReleaseInline(admin.TabularInline):
    model = SessionRelease
    form = SessionReleaseForm
    fields = ["session", "opens_on", "starts_at", "ends_at", "location", "meeting_url"]
    extra = 0
    verbose_name = "session"
    verbose_name_plural = "timetable: when each session opens and meets"

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
    form = CohortForm
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "course", "name", "start_date", "contact_email", "tutors",
                    "requires_moderation",
                ]
            },
        ),
        (
            "Live sessions",
            {
                "description": "When and where the sessions meet, unless a session says "
                "otherwise in the timetable below. Each session meets on the day it opens. "
                "Learners see this on their course page and the session’s page.",
                "fields": [
                    "time_zone",
                    ("session_starts_at", "session_ends_at"),
                    "session_location",
                    "session_meeting_url",
                ],
            },
        ),
    ]  # fmt: skip
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
