from django import forms
from django.urls import reverse_lazy

from assessments import passages
from assessments.models import ESSAY_MAX_CHARS, CriterionResult, FeedbackSnippet, Review
from assessments.services import Judgement, PassageDraft, suggested_outcome
from peersupport.writing import VersionField, clean_long_text, refuse_nul_kindly

FEEDBACK_MAX_CHARS = 100_000
# A criterion's comment, a comment on a passage, a reason for an outcome:
# a few sentences. The overall feedback is where the long text goes.
SHORT_COMMENT_MAX_CHARS = 2_000
SNIPPET_MAX_CHARS = 20_000


class DraftForm(forms.Form):
    text = refuse_nul_kindly(forms.CharField(required=False, strip=False, widget=forms.Textarea))
    version = VersionField()

    def clean_text(self):
        return clean_long_text(self.cleaned_data["text"], ESSAY_MAX_CHARS, "Your essay")


class AttachmentForm(forms.Form):
    file = forms.FileField(label="Attach your essay as a file (optional)")


class SubmitForm(forms.Form):
    declaration = forms.BooleanField(
        required=False,
        label="I confirm that this essay is my own work, and that where I have used other "
        "people's words or ideas I have said so.",
    )
    outside_range_ok = forms.BooleanField(
        required=False, label="Submit it anyway, outside the word range."
    )
    # Which attempt the page showed: a second click on Submit finds it
    # already submitted and says so kindly.
    attempt = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class ReviewForm(forms.Form):
    """A tutor's review: a judgement and a short comment for each of the
    assignment's ``criteria`` (fields ``criterion_<id>`` and
    ``criterion_<id>_comment``, made here from the criteria), the overall
    feedback, the outcome and, when the outcome is not the one the criteria
    suggest, the reason for it.

    Anything may be left out of a draft. ``check_release()`` adds, beside
    each field, what releasing still needs."""

    outcome = forms.ChoiceField(
        choices=[("", "Not decided yet"), *Review.Outcome.choices], required=False
    )
    feedback = forms.CharField(
        label="Feedback",
        required=False,
        strip=False,
        widget=forms.Textarea(
            attrs={
                "rows": 12,
                "data-markdown-preview": "feedback_preview",
                "data-markdown-preview-url": reverse_lazy("admin:markdown_preview"),
                # Previewed as it is stored: the learners' renderer.
                "data-markdown-profile": "learner",
                "data-snippet-target": "",
            }
        ),
        help_text="The learner sees it only once you release it. The preview shows it as they "
        "will. Markdown: **bold**, *italic*, lists with “- ”.",
    )
    outcome_reason = forms.CharField(
        label="Reason for this outcome",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "data-snippet-target": ""}),
        help_text="Needed only when the outcome is not the one the criteria suggest (a Pass "
        "with a criterion not yet met, or a Refer with every criterion met). Moderators read "
        "it; the learner does not.",
    )
    resubmit_by = forms.DateField(
        label="Next attempt due",
        required=False,
        # A date input takes and gives ISO dates, whatever the site's format.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="For Refer: when the next attempt is due.",
    )
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[self.judgement_name(criterion)] = forms.ChoiceField(
                label=criterion.text,
                choices=CriterionResult.Judgement.choices,
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields[self.comment_name(criterion)] = forms.CharField(
                label="Comment on this criterion",
                required=False,
                strip=False,
                widget=forms.Textarea(attrs={"rows": 2, "data-snippet-target": ""}),
            )

    @staticmethod
    def judgement_name(criterion) -> str:
        return f"criterion_{criterion.pk}"

    @classmethod
    def comment_name(cls, criterion) -> str:
        return f"{cls.judgement_name(criterion)}_comment"

    @staticmethod
    def initial_for(review, criteria, judgements: dict[int, Judgement]) -> dict:
        """The form's initial values from a saved review (None: a new one)."""
        initial = {
            "outcome": review.outcome if review else "",
            "feedback": review.feedback if review else "",
            "outcome_reason": review.outcome_reason if review else "",
            "resubmit_by": review.resubmit_by if review else None,
            "base_version": review.version if review else 0,
        }
        for criterion in criteria:
            given = judgements.get(criterion.pk, Judgement(""))
            initial[ReviewForm.judgement_name(criterion)] = given.judgement
            initial[ReviewForm.comment_name(criterion)] = given.comment
        return initial

    def criterion_rows(self):
        """(criterion, its judgement's field, its comment's field), in order."""
        return [
            (c, self[self.judgement_name(c)], self[self.comment_name(c)]) for c in self.criteria
        ]

    def clean_feedback(self):
        return clean_long_text(self.cleaned_data["feedback"], FEEDBACK_MAX_CHARS, "The feedback")

    def clean_outcome_reason(self):
        return clean_long_text(
            self.cleaned_data["outcome_reason"], SHORT_COMMENT_MAX_CHARS, "The reason"
        )

    def clean(self):
        data = super().clean()
        for criterion in self.criteria:
            name = self.comment_name(criterion)
            if name in data:
                try:
                    data[name] = clean_long_text(data[name], SHORT_COMMENT_MAX_CHARS, "The comment")
                except forms.ValidationError as error:
                    self.add_error(name, error)
        if data.get("outcome") == Review.Outcome.REFER and not data.get("resubmit_by"):
            self.add_error("resubmit_by", "A Refer needs a date for the learner's next attempt.")
        return data

    @property
    def judgements(self) -> dict[int, Judgement]:
        """The judgements typed, by criterion id (after is_valid())."""
        data = self.cleaned_data
        return {
            c.pk: Judgement(
                data.get(self.judgement_name(c), ""), data.get(self.comment_name(c), "")
            )
            for c in self.criteria
        }

    @property
    def suggested(self) -> str:
        """The outcome the criteria as typed suggest ("" until all are judged)."""
        return suggested_outcome(self.judgements.values())

    def check_release(self) -> bool:
        """Whether the review as typed may be released; if not, what is
        missing is added beside its field. The same rules as
        services.release, which has the last word."""
        data = self.cleaned_data
        if not data.get("outcome"):
            self.add_error("outcome", "Choose Pass or Refer before releasing.")
        if not (data.get("feedback") or "").strip():
            self.add_error("feedback", "Write your feedback to the learner before releasing.")
        for criterion in self.criteria:
            if not data.get(self.judgement_name(criterion)):
                self.add_error(
                    self.judgement_name(criterion),
                    "Please choose “Met” or “Not yet” for this criterion before releasing.",
                )
        suggested = self.suggested
        outcome = data.get("outcome")
        if (
            suggested
            and outcome
            and outcome != suggested
            and not (data.get("outcome_reason") or "").strip()
        ):
            why = (
                "every criterion is met"
                if suggested == Review.Outcome.PASS
                else "not every criterion is met"
            )
            self.add_error(
                "outcome_reason",
                f"The outcome is {Review.Outcome(outcome).label} although {why}. Please say "
                "why here, or change the outcome.",
            )
        return not self.errors


class PassageForm(forms.Form):
    """A comment on a passage of the essay. With JavaScript the passage is
    chosen by selecting it (``start`` and ``end`` count characters of the
    essay's plain text); without, the tutor copies its words into the box."""

    start = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    passage = forms.CharField(
        label="The words you are commenting on",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Copy them from the essay.",
    )
    comment = forms.CharField(
        label="Your comment",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "data-snippet-target": ""}),
    )

    def __init__(self, *args, plain: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.plain = plain

    def clean_comment(self):
        return clean_long_text(self.cleaned_data["comment"], SHORT_COMMENT_MAX_CHARS, "The comment")

    @property
    def is_blank(self) -> bool:
        """Nothing typed: the form left empty for a new comment."""
        data = getattr(self, "cleaned_data", {})
        return not (data.get("passage") or "").strip() and not (data.get("comment") or "").strip()

    def clean(self):
        data = super().clean()
        if self.errors or self.is_blank or data.get("DELETE"):
            return data
        if not data["comment"].strip():
            self.add_error("comment", "Please write your comment on these words.")
        words = data.get("passage") or ""
        start, end = data.get("start"), data.get("end")
        if not words.strip():
            self.add_error(
                "passage",
                "Please copy the words of the essay your comment is about, or select them "
                "in the essay.",
            )
            return data
        try:
            located = passages.locate(self.plain, words, start, end)
        except passages.PassageNotFound as error:
            self.add_error("passage", str(error))
            return data
        data["start"], data["end"] = located
        data["passage"] = self.plain[located[0] : located[1]]
        return data

    @property
    def draft(self) -> PassageDraft:
        data = self.cleaned_data
        return PassageDraft(data["passage"], data["comment"], data["start"], data["end"])


class BasePassageFormSet(forms.BaseFormSet):
    def __init__(self, *args, plain: str = "", **kwargs):
        super().__init__(*args, form_kwargs={"plain": plain}, **kwargs)

    @property
    def drafts(self) -> list[PassageDraft]:
        """Every comment kept (after is_valid()), in the essay's order."""
        kept = [
            form.draft
            for form in self.forms
            if not form.is_blank and not form.cleaned_data.get("DELETE")
        ]
        return sorted(kept, key=lambda draft: (draft.start, draft.end))


PassageFormSet = forms.formset_factory(
    PassageForm,
    formset=BasePassageFormSet,
    extra=1,
    can_delete=True,
    max_num=500,
    validate_max=True,
)
PASSAGES_PREFIX = "passages"


class ModerationForm(forms.Form):
    """The second tutor's decision: on the outcome and feedback as a whole,
    and, for each criterion the tutor judged (``results``), agree or
    disagree, with a comment that is needed for a disagreement."""

    agrees = forms.TypedChoiceField(
        choices=[("yes", "I agree with the outcome and feedback"), ("no", "I disagree")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, results=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.results = list(results)
        for result in self.results:
            self.fields[f"result_{result.pk}"] = forms.TypedChoiceField(
                label=result.criterion_text,
                choices=[("yes", "Agree"), ("no", "Disagree")],
                coerce=lambda value: value == "yes",
                widget=forms.RadioSelect,
                error_messages={"required": "Please say whether you agree on this criterion."},
            )
            self.fields[f"result_{result.pk}_comment"] = forms.CharField(
                label="Comment (needed if you disagree)",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def result_rows(self):
        """(criterion result, its agree field, its comment field), in order."""
        return [(r, self[f"result_{r.pk}"], self[f"result_{r.pk}_comment"]) for r in self.results]

    def clean(self):
        data = super().clean()
        if data.get("agrees") is False and not (data.get("comment") or "").strip():
            self.add_error("comment", "Please say in a comment why you disagree.")
        for result in self.results:
            agrees = data.get(f"result_{result.pk}")
            if agrees is False and not (data.get(f"result_{result.pk}_comment") or "").strip():
                self.add_error(
                    f"result_{result.pk}_comment", "Please say why you disagree on this criterion."
                )
        return data

    @property
    def criterion_decisions(self) -> dict[int, tuple[bool, str]]:
        data = self.cleaned_data
        return {
            r.pk: (data[f"result_{r.pk}"], data[f"result_{r.pk}_comment"]) for r in self.results
        }


class SnippetForm(forms.ModelForm):
    """A tutor's snippet of feedback, saved from the marking page."""

    class Meta:
        model = FeedbackSnippet
        fields = ["title", "text"]
        # On the marking page these boxes sit inside the review's form but
        # belong to the snippet's own (the form attribute).
        widgets = {
            "title": forms.TextInput(attrs={"form": "snippet-form"}),
            "text": forms.Textarea(attrs={"rows": 3, "form": "snippet-form"}),
        }
        labels = {"title": "Title of the snippet", "text": "Text of the snippet"}

    def clean_text(self):
        return clean_long_text(self.cleaned_data["text"], SNIPPET_MAX_CHARS, "The snippet")
