from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters

from assessments import services
from assessments.forms import SnippetForm
from assessments.models import Assignment, Criterion, FeedbackSnippet, Moderation, Submission
from assessments.queue import queue_page, queue_rows
from assessments.review import review_page
from assessments.views import attachment_response
from courses.models import Cohort, Enrolment
from courses.staff import CohortScopedAdmin
from peersupport.admin import ContentAdmin, GuardedAdmin, object_id_or_404, rendered_preview
from peersupport.people import display_name
from peersupport.roles import scope_of
from peersupport.signals import announce_work_read
from peersupport.writing import FullLengthFieldsMixin


class CriterionInline(FullLengthFieldsMixin, admin.TabularInline):
    """What tutors mark an essay against, shown to learners with the brief.
    Each save is kept in the criterion's history (HistoricalCriterion)."""

    model = Criterion
    fields = ["order", "text"]
    extra = 0


@admin.register(Criterion)
class CriterionAdmin(ContentAdmin):
    """Criteria on their own, for their history (who changed what, and when)
    and to revert an edit; they are edited with their assignment."""

    list_display = ["__str__", "assignment", "order"]
    list_filter = ["assignment"]
    list_select_related = ["assignment"]
    search_fields = ["text"]
    fields = ["assignment", "order", "text"]


@admin.register(Assignment)
class AssignmentAdmin(ContentAdmin):
    list_display = [
        "number",
        "title",
        "min_words",
        "max_words",
        "word_range_blocks",
        "hard_deadline",
    ]
    list_display_links = ["number", "title"]
    list_select_related = ["feedback_session"]
    fields = [
        "course", "number", "title", "brief", "brief_preview",
        "min_words", "max_words", "word_range_blocks", "hard_deadline", "feedback_session",
    ]  # fmt: skip
    readonly_fields = ["brief_preview"]
    inlines = [CriterionInline]

    brief_preview = rendered_preview("brief", "Brief, as learners see it")


class CohortFilter(admin.SimpleListFilter):
    title = "cohort"
    parameter_name = "cohort"

    def lookups(self, request, model_admin):
        return [(c.pk, c.name) for c in Cohort.objects.visible_to(request.user)]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            in_cohort = Enrolment.objects.current().filter(cohort=self.value())
            return queryset.filter(learner__in=in_cohort.values("learner_id"))
        return queryset


class OutcomeFilter(admin.SimpleListFilter):
    title = "outcome"
    parameter_name = "outcome"

    def lookups(self, request, model_admin):
        return [("pass", "Pass"), ("refer", "Refer"), ("none", "No outcome yet")]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(Q(review__isnull=True) | Q(review__outcome=""))
        if self.value():
            return queryset.filter(review__outcome=self.value())
        return queryset


@admin.register(Submission)
class SubmissionAdmin(CohortScopedAdmin):
    """The review queue: submitted essays, oldest first; opening one claims it."""

    learner_lookup = "learner"
    list_display = [
        "learner_name", "assignment_number", "attempt", "submitted_at", "days_waiting",
        "word_count", "is_late", "status", "outcome", "reviewer",
    ]  # fmt: skip
    list_display_links = ["learner_name"]
    list_filter = ["assignment", CohortFilter, "status", OutcomeFilter, "is_late"]
    list_select_related = ["learner", "assignment", "claimed_by", "review"]
    search_fields = ["learner__first_name", "learner__last_name", "learner__email"]
    ordering = ["submitted_at", "pk"]
    actions = ["release_feedback", "sample_for_moderation"]

    list_per_page = 50
    # Counting every essay the tutor can see, besides those the filters
    # match, is a second query each time; the count shows when searching.
    show_full_result_count = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The review queue's query, compiled once per shape (assessments/queue.py).
        self.queue_rows = queue_rows(self.essays_for)

    def get_queryset(self, request):
        return self.essays_for(scope_of(request.user), request.user.pk)

    def essays_for(self, scope: str, user_id: int):
        """The submitted essays a member of staff sees (courses/staff.py): the
        one definition, for the lists, the marking page and the review queue."""
        # Drafts are the learner's own until they submit. The list never
        # shows the essays themselves, so it does not load them.
        essays = (
            self.model._default_manager.submitted()
            .defer("text", "text_html", "review__feedback", "review__feedback_html")
            .order_by(*self.ordering)
        )
        return self.scoped(essays, scope, user_id)

    def changelist_view(self, request, extra_context=None):
        # Tutors work from the review queue (queue_view); this generic list,
        # opened with a filter, stays for acting on several essays at once.
        if not request.GET and request.method == "GET":
            return HttpResponseRedirect(reverse("admin:assessments_submission_queue"))
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Learner", ordering="learner__last_name")
    def learner_name(self, submission):
        return display_name(submission.learner)

    @admin.display(description="Assignment", ordering="assignment__number")
    def assignment_number(self, submission):
        return submission.assignment.number

    @admin.display(description="Days waiting")
    def days_waiting(self, submission):
        if submission.status != Submission.Status.SUBMITTED or not submission.submitted_at:
            return "—"
        return (timezone.now() - submission.submitted_at).days

    @admin.display(description="Outcome")
    def outcome(self, submission):
        review = getattr(submission, "review", None)
        if review is None or not review.outcome:
            return "—"
        return review.get_outcome_display() + ("" if review.is_released else " (not released)")

    @admin.display(description="Being reviewed by")
    def reviewer(self, submission):
        if submission.claimed_by is None or submission.status != Submission.Status.SUBMITTED:
            return "—"
        return display_name(submission.claimed_by)

    # ------------------------------------------------------------ actions

    @admin.action(description="Release feedback to the learners", permissions=["change"])
    def release_feedback(self, request, queryset):
        released = 0
        for submission in queryset.filter(status=Submission.Status.SUBMITTED):
            review = getattr(submission, "review", None)
            if review is None:
                self.message_user(request, f"{submission}: no feedback yet.", messages.WARNING)
                continue
            try:
                services.release(review, request.user, site_url=request.build_absolute_uri("/"))
                released += 1
            except services.AssessmentError as error:
                self.message_user(request, str(error), messages.WARNING)
        self.message_user(request, f"Feedback released on {released} essay(s).")

    @admin.action(description="Choose for moderation", permissions=["moderate"])
    def sample_for_moderation(self, request, queryset):
        reviews = [s.review for s in queryset if getattr(s, "review", None) is not None]
        added = services.request_moderation(reviews, request.user)
        self.message_user(request, f"{added} review(s) added to the moderation sample.")

    def has_moderate_permission(self, request):
        return request.user.has_perm("assessments.add_moderation")

    # ------------------------------------------------------------ review page

    def get_urls(self):
        return [
            # Before Django's own: "<path:object_id>/" would take "queue/".
            path(
                "queue/",
                self.admin_site.admin_view(self.queue_view),
                name="assessments_submission_queue",
            ),
            path(
                "<int:object_id>/file/",
                self.admin_site.admin_view(self.attachment_view),
                name="assessments_submission_file",
            ),
            *super().get_urls(),
        ]

    def _submission(self, request, object_id) -> Submission:
        submission = (
            self.get_queryset(request)
            .select_related("learner", "assignment", "claimed_by")
            .defer(None)  # the page shows the essay the list leaves out
            .filter(pk=object_id_or_404(Submission, object_id))
            .first()
        )
        if submission is None:
            raise Http404
        return submission

    def queue_view(self, request):
        """The review queue (assessments/queue.py), over the rows this person sees."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        admin_context = {**self.admin_site.each_context(request), "opts": self.model._meta}
        return queue_page(request, self.queue_rows, scope_of(request.user), admin_context)

    def attachment_view(self, request, object_id):
        submission = self._submission(request, object_id)
        response = attachment_response(submission)
        announce_work_read(request.user, submission.learner, "essay_file", submission.pk)
        return response

    # Every field of the marking page is about a learner's work (feedback,
    # comments on criteria and passages, the passages' words, reasons), and
    # their names are made per criterion and per comment: all are kept out of
    # error reports.
    @method_decorator(sensitive_post_parameters())
    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The marking page (assessments/review.py), for the rows this person
        sees; the next essay comes from the same rows."""
        submission = self._submission(request, object_id)
        if not self.has_view_or_change_permission(request, submission):
            raise PermissionDenied
        admin_context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "media": self.media,
            # The essay and the feedback panel need the page's whole width.
            "is_nav_sidebar_enabled": False,
        }
        return review_page(request, submission, admin_context, self.get_queryset(request))

    class Media:
        js = ["js/http.js", "admin/js/markdown-preview.js"]
        css = {"all": ["admin/css/peersupport-admin.css", "admin/css/marking.css"]}


@admin.register(Moderation)
class ModerationAdmin(CohortScopedAdmin):
    """What is waiting for a second tutor, and what they decided."""

    learner_lookup = "review__submission__learner"
    list_display = ["submission_link", "reviewer", "requested_at", "decision", "moderator"]
    list_select_related = [
        "review__submission__learner", "review__submission__assignment", "review__tutor",
        "moderator",
    ]  # fmt: skip
    list_filter = [("agrees", admin.EmptyFieldListFilter)]

    def has_add_permission(self, request):
        return False  # chosen from the review queue ("Choose for moderation")

    def has_change_permission(self, request, obj=None):
        return False  # moderated on the submission's review page

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Submission")
    def submission_link(self, moderation):
        from django.utils.html import format_html

        submission = moderation.review.submission
        url = reverse("admin:assessments_submission_change", args=[submission.pk])
        name = display_name(submission.learner)
        return format_html(
            '<a href="{}">{}: assignment {}</a>', url, name, submission.assignment.number
        )

    @admin.display(description="Reviewed by")
    def reviewer(self, moderation):
        return display_name(moderation.review.tutor)

    @admin.display(description="Decision")
    def decision(self, moderation):
        if moderation.agrees is None:
            return "Waiting"
        return "Agrees" if moderation.agrees else "Disagrees"


@admin.register(FeedbackSnippet)
class FeedbackSnippetAdmin(GuardedAdmin):
    """Each tutor's own snippets of feedback, inserted on the marking page.
    A tutor sees and changes only theirs: another's is a 404, as if it did
    not exist. Coordinators have no snippets unless they tutor too."""

    list_display = ["title", "updated_at"]
    fields = ["title", "text"]
    search_fields = ["title", "text"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(tutor=request.user)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.tutor = request.user
        super().save_model(request, obj, form, change)

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(
            request, {**(extra_context or {}), "title": "My feedback snippets"}
        )

    def get_urls(self):
        return [
            path(
                "quick-add/",
                self.admin_site.admin_view(self.quick_add_view),
                name="assessments_feedbacksnippet_quick_add",
            ),
            *super().get_urls(),
        ]

    def quick_add_view(self, request):
        """Save a snippet from the marking page: JSON to its script, or back
        to the page (``next``) with a message without JavaScript."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = SnippetForm(request.POST, prefix="snippet")
        fetched = request.headers.get("X-Requested-With") == "fetch"  # js/http.js
        if form.is_valid():
            snippet = form.save(commit=False)
            snippet.tutor = request.user
            snippet.save()
            if fetched:
                return JsonResponse(
                    {"saved": True, "title": snippet.title, "text": snippet.text}, status=201
                )
            self.message_user(request, f"Your snippet “{snippet.title}” is saved.")
        else:
            problems = [error for errors in form.errors.values() for error in errors]
            if fetched:
                return JsonResponse({"saved": False, "errors": problems}, status=400)
            self.message_user(
                request, "Your snippet was not saved: " + " ".join(problems), messages.ERROR
            )
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = reverse("admin:assessments_feedbacksnippet_changelist")
        return HttpResponseRedirect(back)
