from django import forms
from django.core.exceptions import ValidationError

from courses.cohorts.enrolment import EnrolmentError, decode_csv, parse_learner_csv
from courses.models import Cohort
from peersupport.writing import allow_full_length


class LearnerCsvForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=(
            "One learner per line: first name, last name, email. A header line "
            "(“First name, Last name, Email”) is optional. Save from Excel or Sheets as CSV."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.rows = parse_learner_csv(decode_csv(upload.read()))
        except EnrolmentError as error:
            raise ValidationError(error.problems) from None
        return upload


class AddLearnerForm(forms.Form):
    """The admin's "add learner" form: an account (new or existing) and a cohort."""

    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(
        help_text="The invitation goes here, and the learner logs in with it.",
    )
    cohort = forms.ModelChoiceField(queryset=Cohort.objects.none())

    def __init__(self, *args, cohorts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = cohorts
        for name in ("first_name", "last_name", "email"):
            allow_full_length(self.fields[name])
