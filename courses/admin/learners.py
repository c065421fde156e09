"""Learners and their enrolments: accounts, invitations, withdrawal,
extensions, and the history of what staff changed."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from accounts import email_change
from courses.cohorts.enrolment import (
    EnrolmentError,
    enrol_learner,
    resend_invitations,
    withdraw,
)
from courses.forms import AddLearnerForm
from courses.models import (
    Cohort,
    DeadlineExtension,
    Enrolment,
    Learner,
)
from courses.staff import CohortScopedAdmin
from peersupport.admin import (
    PeopleHistoryAdmin,
)
from peersupport.people import display_name
from peersupport.writing import FullLengthFieldsMixin


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
        return display_name(enrolment.learner)

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
