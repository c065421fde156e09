from django import forms

from reflections.models import MAX_REFLECTION_CHARS, Reflection


class ReflectionForm(forms.ModelForm):
    class Meta:
        model = Reflection
        fields = ["text", "shared_with_tutor"]
        labels = {"text": "Your answer"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Keep what the learner typed exactly, spaces and all.
        self.fields["text"].strip = False

    def clean_text(self):
        text = self.cleaned_data["text"].replace("\r\n", "\n")
        if len(text) > MAX_REFLECTION_CHARS:
            raise forms.ValidationError(
                f"Your answer is {len(text):,} characters long, and the journal keeps up to "
                f"{MAX_REFLECTION_CHARS:,}. Your text is still in the box: please shorten it, "
                "or split it across answers, and save again."
            )
        return text
