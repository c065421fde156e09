"""The forms of the account page that privacy/views.py saves itself."""

from django import forms

from accounts.models import READING_FIELDS, Profile


class ReadingPreferencesForm(forms.ModelForm):
    """How every page is set for the person: text size, line spacing, font,
    contrast and light or dark (the values are Profile's choices)."""

    class Meta:
        model = Profile
        fields = list(READING_FIELDS)
        widgets = {
            "text_size": forms.RadioSelect,
            "line_spacing": forms.RadioSelect,
            "font": forms.RadioSelect,
            "colour_scheme": forms.RadioSelect,
        }
        help_texts = {
            "text_size": "Your browser's own zoom still works on top of this.",
            "font": "Some people find it easier to read, for example with dyslexia or low vision.",
            "high_contrast": (
                "Black text on white (white on dark grey when the page is dark), with "
                "stronger colours for links, buttons and borders."
            ),
            "colour_scheme": (
                "“The same as my phone or computer” turns dark when your device is set to "
                "dark mode, for example at night."
            ),
        }
        error_messages = {
            name: {
                "required": f"Please choose one of the {what} listed.",
                "invalid_choice": f"Please choose one of the {what} listed.",
            }
            for name, what in [
                ("text_size", "text sizes"),
                ("line_spacing", "line spacings"),
                ("font", "fonts"),
                ("colour_scheme", "light or dark settings"),
            ]
        }

    def problems(self) -> list[tuple[str, str]]:
        """Each error as (the id of the control it concerns, the message), for
        the list above the form: a link to each problem."""
        found = [("reading-form", error) for error in self.non_field_errors()]
        for bound in self:
            anchor = bound.auto_id
            if isinstance(bound.field.widget, forms.RadioSelect):
                anchor += "_0"  # the first choice of the group
            found += [(anchor, f"{bound.label}: {error}") for error in bound.errors]
        return found
