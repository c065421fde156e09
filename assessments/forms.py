from django import forms
from django.urls import reverse_lazy

from assessments.models import ESSAY_MAX_CHARS, Review
from peersupport.writing import VersionField, clean_long_text, refuse_nul_kindly

FEEDBACK_MAX_CHARS = 100_000


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
    outcome = forms.ChoiceField(
        choices=[("", "Not decided yet"), *Review.Outcome.choices], required=False
    )
    feedback = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(
            attrs={
                "rows": 14,
                "data-markdown-preview": "feedback_preview",
                "data-markdown-preview-url": reverse_lazy("admin:markdown_preview"),
                # Previewed as it is stored: the learners' renderer.
                "data-markdown-profile": "learner",
            }
        ),
        help_text="The learner sees it only once you release it. The preview shows it as they "
        "will.",
    )
    resubmit_by = forms.DateField(
        required=False,
        # A date input takes and gives ISO dates, whatever the site's format.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="For Refer: when the next attempt is due.",
    )
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def clean_feedback(self):
        return clean_long_text(self.cleaned_data["feedback"], FEEDBACK_MAX_CHARS, "The feedback")

    def clean(self):
        data = super().clean()
        if data.get("outcome") == Review.Outcome.REFER and not data.get("resubmit_by"):
            self.add_error("resubmit_by", "A Refer needs a date for the learner's next attempt.")
        return data


class ModerationForm(forms.Form):
    agrees = forms.TypedChoiceField(
        choices=[("yes", "I agree with the outcome and feedback"), ("no", "I disagree")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
