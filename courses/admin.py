from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from accounts import email_change
from courses import timetable
from courses.enrolment import (
    EnrolmentError,
    enrol_learner,
    import_learners,
    resend_invitations,
    withdraw,
)
from courses.forms import AddLearnerForm, LearnerCsvForm
from courses.models import (
    AssignmentDeadline,
    Cohort,
    Course,
    DeadlineExtension,
    Enrolment,
    Learner,
    SessionRelease,
)
from courses.reports import cohort_report, report_csv
from courses.todo import todo_for
from peersupport.admin import (
    CohortScopedAdmin,
    ContentAdmin,
    GuardedAdmin,
    PeopleHistoryAdmin,
    rendered_preview,
)
from peersupport.writing import FullLengthFieldsMixin


@admin.register(Course)
class CourseAdmin(ContentAdmin):
    list_display = ["title", "slug", "updated_at"]
    fields = ["title", "slug", "overview", "overview_preview", "resources", "resources_preview"]
    readonly_fields = ["overview_preview", "resources_preview"]

    overview_preview = rendered_preview("overview", "Overview, as learners see it")
    resources_preview = rendered_preview("resources", "Resources, as learners see it")


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
        return str(enrolment.learner.get_full_name() or enrolment.learner.username)

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
        return ", ".join(t.get_full_name() or t.username for t in cohort.tutors.all()) or "—"

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
        response = HttpResponse(report_csv(cohort_report(cohort)), content_type="text/csv")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="progress-{cohort.pk}-{stamp}.csv"'
        return response

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


class DeadlineExtensionInline(FullLengthFieldsMixin, admin.TabularInline):
    model = DeadlineExtension
    fields = ["assignment", "due_on", "reason"]
    extra = 0


@admin.register(Enrolment)
class EnrolmentAdmin(PeopleHistoryAdmin, CohortScopedAdmin):
    list_display = ["learner_name", "learner_email", "cohort", "enrolled_at", "status"]
    list_filter = ["cohort", ("withdrawn_at", admin.EmptyFieldListFilter)]
    list_select_related = ["learner", "cohort"]
    search_fields = ["learner__first_name", "learner__last_name", "learner__email"]
    fields = ["cohort", "learner", "enrolled_at", "withdrawn_at"]
    readonly_fields = ["cohort", "learner", "enrolled_at", "withdrawn_at"]
    inlines = [DeadlineExtensionInline]
    actions = ["resend_invitation", "withdraw_learners", "reinstate_learners"]

    def has_add_permission(self, request):
        return False  # learners are added from the Learners page or a CSV import

    @admin.display(description="Learner", ordering="learner__last_name")
    def learner_name(self, enrolment):
        return enrolment.learner.get_full_name() or enrolment.learner.username

    @admin.display(description="Email", ordering="learner__email")
    def learner_email(self, enrolment):
        return enrolment.learner.email

    @admin.display(description="Status")
    def status(self, enrolment):
        return "Enrolled" if enrolment.is_active else f"Withdrawn {enrolment.withdrawn_at:%d %b %Y}"

    def save_formset(self, request, form, formset, change):
        for extension in formset.save(commit=False):
            extension.granted_by = extension.granted_by or request.user
            extension.save()
        for removed in formset.deleted_objects:
            removed.delete()

    @admin.action(description="Resend invitation", permissions=["change"])
    def resend_invitation(self, request, queryset):
        _resend(self, request, queryset)

    @admin.action(description="Withdraw (keeps everything they wrote)", permissions=["change"])
    def withdraw_learners(self, request, queryset):
        count = withdraw(queryset)
        self.message_user(request, f"{count} learner(s) withdrawn. Their work is kept.")

    @admin.action(description="Reinstate", permissions=["change"])
    def reinstate_learners(self, request, queryset):
        reinstated = 0
        for enrolment in queryset.filter(withdrawn_at__isnull=False):
            if Enrolment.objects.active().filter(learner=enrolment.learner_id).exists():
                self.message_user(
                    request,
                    f"{enrolment.learner.email} is enrolled in another cohort; not reinstated.",
                    messages.WARNING,
                )
                continue
            enrolment.withdrawn_at = None
            enrolment.save(update_fields=["withdrawn_at"])
            reinstated += 1
        self.message_user(request, f"{reinstated} learner(s) reinstated.")


def _resend(model_admin, request, enrolments):
    sent = resend_invitations(enrolments, request.build_absolute_uri("/"))
    model_admin.message_user(
        request,
        f"{sent} invitation(s) queued; they are sent within a minute or two. "
        "Learners who are not enrolled in a cohort now get none.",
        messages.SUCCESS if sent else messages.WARNING,
    )


@admin.register(Learner)
class LearnerAdmin(PeopleHistoryAdmin, CohortScopedAdmin):
    learner_lookup = "pk"
    list_display = ["__str__", "email", "current_cohort", "last_login"]
    list_filter = ["enrolments__cohort"]
    search_fields = ["first_name", "last_name", "email", "username"]
    fields = [
        "first_name",
        "last_name",
        "email",
        "email_rule",
        "username",
        "is_active",
        "last_login",
    ]
    readonly_fields = ["username", "last_login", "email_rule"]
    add_form_template = "admin/courses/learner/add_form.html"
    actions = ["resend_invitation"]

    def get_readonly_fields(self, request, obj=None):
        # The address is where password-reset links go: once a learner has
        # used their account, only they can change it (accounts/email_change.py).
        if obj is not None and not email_change.staff_may_change(obj):
            return ["email", *self.readonly_fields]
        return self.readonly_fields

    @admin.display(description="")
    def email_rule(self, learner):
        if learner is not None and not email_change.staff_may_change(learner):
            return (
                "This learner has logged in, so only they can change their email address "
                "(on their account page; the old address is told)."
            )
        return (
            "Until the learner first logs in you can correct their address; both the old "
            "and the new address are told, and the invitation goes to the new one."
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "email" in form.changed_data:
            email_change.changed(obj, form.initial.get("email", ""), obj.email, by_staff=True)
            resend_invitations(
                Enrolment.objects.filter(learner=obj), request.build_absolute_uri("/")
            )

    @admin.action(description="Resend invitation", permissions=["change"])
    def resend_invitation(self, request, queryset):
        _resend(self, request, Enrolment.objects.filter(learner__in=queryset))

    def get_queryset(self, request):
        current = Enrolment.objects.current().select_related("cohort")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("enrolments", queryset=current, to_attr="current"))
        )

    def has_delete_permission(self, request, obj=None):
        return False  # erasing a learner is a privacy process, not a delete button

    @admin.display(description="Cohort")
    def current_cohort(self, learner):
        return (
            ", ".join(
                e.cohort.name + ("" if e.is_active else " (withdrawn)") for e in learner.current
            )
            or "—"
        )

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        cohorts = Cohort.objects.visible_to(request.user)
        form = AddLearnerForm(request.POST or None, cohorts=cohorts)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                enrol_learner(
                    data["cohort"],
                    data["first_name"],
                    data["last_name"],
                    data["email"],
                    request.build_absolute_uri("/"),
                )
            except EnrolmentError as error:
                form.add_error("email", error.problems)
            else:
                self.message_user(
                    request,
                    f"{data['email']} is enrolled in {data['cohort']} and has been sent an "
                    "invitation to choose a password.",
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:courses_learner_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": "Add a learner",
            "add": True,
        }
        return TemplateResponse(request, self.add_form_template, context)
