from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from completion import services
from completion.models import Attendance, Certificate, CertificateSettings
from completion.register import register_page
from completion.report import completion_csv, completion_report
from courses.models import Cohort
from courses.staff import CohortScopedAdmin
from peersupport.admin import GuardedAdmin, PeopleHistoryAdmin
from peersupport.people import display_name
from peersupport.spreadsheets import csv_download
from peersupport.uploads import is_image


def _cohort_or_404(request, cohort_id) -> Cohort:
    cohort = (
        Cohort.objects.visible_to(request.user)
        .filter(pk=cohort_id)
        .select_related("course")
        .first()
    )
    if cohort is None:
        raise Http404
    return cohort


@admin.register(Attendance)
class AttendanceAdmin(PeopleHistoryAdmin, CohortScopedAdmin):
    """Every mark of every register; registers themselves are taken on their
    own page (completion/register.py), from "Registers"."""

    cohort_lookup = "enrolment__cohort"
    list_display = ["learner_name", "cohort_name", "session_number", "status", "marked_at"]
    list_filter = ["enrolment__cohort", "session__number", "status"]
    list_select_related = ["enrolment__learner", "enrolment__cohort", "session"]
    search_fields = ["enrolment__learner__first_name", "enrolment__learner__last_name"]
    fields = ["learner_name", "cohort_name", "session_number", "status", "catch_up_note",
              "marked_at"]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # marked on the register page

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Learner", ordering="enrolment__learner__last_name")
    def learner_name(self, attendance):
        learner = attendance.enrolment.learner
        return display_name(learner)

    @admin.display(description="Cohort")
    def cohort_name(self, attendance):
        return attendance.enrolment.cohort.name

    @admin.display(description="Session", ordering="session__number")
    def session_number(self, attendance):
        return attendance.session.number

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("register/", view(self.registers_view), name="completion_registers"),
            path(
                "register/<int:cohort_id>/<int:number>/",
                view(self.register_view),
                name="completion_register",
            ),
            *super().get_urls(),
        ]

    def _may_take_registers(self, request):
        if not request.user.has_perm("completion.change_attendance"):
            raise PermissionDenied

    def registers_view(self, request):
        """Every register this person may take: their cohorts, by session."""
        self._may_take_registers(request)
        cohorts = (
            Cohort.objects.visible_to(request.user)
            .select_related("course")
            .prefetch_related("releases__session")
        )
        context = {
            **self.admin_site.each_context(request),
            "title": "Registers",
            "cohorts": cohorts,
            "today": timezone.localdate(),
        }
        return TemplateResponse(request, "admin/completion/registers.html", context)

    def register_view(self, request, cohort_id, number):
        self._may_take_registers(request)
        cohort = _cohort_or_404(request, cohort_id)
        admin_context = {**self.admin_site.each_context(request), "opts": self.model._meta}
        return register_page(request, cohort, number, admin_context)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with the certificate; its verification page then says it was withdrawn.",
    )


@admin.register(Certificate)
class CertificateAdmin(PeopleHistoryAdmin, CohortScopedAdmin):
    """Issued certificates: issued from a cohort's completion report,
    withdrawn here with a reason."""

    cohort_lookup = "enrolment__cohort"
    list_display = ["name", "course_title", "completed_on", "code", "issued_at", "state"]
    list_filter = [("withdrawn_at", admin.EmptyFieldListFilter), "enrolment__cohort"]
    list_select_related = ["enrolment__cohort"]
    search_fields = ["name", "code"]
    fields = [
        "name", "course_title", "completed_on", "code", "issued_at", "issued_by",
        "verification_enabled", "withdrawn_at", "withdrawn_by", "withdrawal_reason",
    ]  # fmt: skip
    readonly_fields = fields
    actions = ["withdraw_certificates"]

    def has_add_permission(self, request):
        return False  # issued from a cohort's completion report

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="State")
    def state(self, certificate):
        if certificate.is_withdrawn:
            return f"Withdrawn {certificate.withdrawn_at:%-d %b %Y}"
        return "Valid"

    @admin.action(description="Withdraw (asks for the reason)", permissions=["change"])
    def withdraw_certificates(self, request, queryset):
        form = WithdrawForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            withdrawn = 0
            for certificate in queryset.live():
                services.withdraw(certificate, request.user, form.cleaned_data["reason"])
                withdrawn += 1
            self.message_user(request, f"{withdrawn} certificate(s) withdrawn.")
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Withdraw certificates",
            "certificates": queryset,
            "form": form,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/completion/withdraw.html", context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "cohort/<int:cohort_id>/",
                view(self.completion_view),
                name="completion_cohort",
            ),
            path(
                "cohort/<int:cohort_id>/completion.csv",
                view(self.completion_csv_view),
                name="completion_cohort_csv",
            ),
            *super().get_urls(),
        ]

    def _coordinator_cohort(self, request, cohort_id) -> Cohort:
        if not request.user.has_perm("completion.view_certificate"):
            raise PermissionDenied
        return _cohort_or_404(request, cohort_id)

    def completion_view(self, request, cohort_id):
        """Who has completed the cohort, what the others still need; issue
        certificates to those who completed (one, or all ticked)."""
        cohort = self._coordinator_cohort(request, cohort_id)
        if request.method == "POST":
            if not request.user.has_perm("completion.add_certificate"):
                raise PermissionDenied
            chosen = [v for v in request.POST.getlist("enrolment") if v.isdigit()]
            issued, refused = services.issue(cohort, chosen, request.user)
            if issued:
                messages.success(request, f"{len(issued)} certificate(s) issued.")
            for problem in refused:
                messages.warning(request, problem)
            if not issued and not refused:
                messages.warning(request, "Tick the learners to issue certificates to.")
            return HttpResponseRedirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Completion: {cohort.name}",
            "cohort": cohort,
            "report": completion_report(cohort),
        }
        return TemplateResponse(request, "admin/completion/cohort.html", context)

    def completion_csv_view(self, request, cohort_id):
        cohort = self._coordinator_cohort(request, cohort_id)
        stamp = timezone.localdate().isoformat()
        return csv_download(
            completion_csv(completion_report(cohort)), f"completion-{cohort.pk}-{stamp}.csv"
        )


class CertificateSettingsForm(forms.ModelForm):
    class Meta:
        model = CertificateSettings
        fields = ["provider_name", "signatory_name", "signatory_role", "signature", "logo"]

    def _image(self, name):
        upload = self.cleaned_data.get(name)
        if upload and hasattr(upload, "read") and not is_image(upload):
            raise forms.ValidationError("Please choose a PNG or JPEG image.")
        return upload

    def clean_signature(self):
        return self._image("signature")

    def clean_logo(self):
        return self._image("logo")


@admin.register(CertificateSettings)
class CertificateSettingsAdmin(GuardedAdmin):
    """The provider's name, signature and logo on every certificate: one row."""

    form = CertificateSettingsForm

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not CertificateSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        settings_row = CertificateSettings.objects.order_by("pk").first()
        if settings_row is None:
            return redirect("admin:completion_certificatesettings_add")
        return redirect("admin:completion_certificatesettings_change", settings_row.pk)
