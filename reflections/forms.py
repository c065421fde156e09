from django import forms

from peersupport.writing import VersionField, clean_long_text, refuse_nul_kindly
from reflections.models import MAX_REFLECTION_CHARS, Reflection


class ReflectionForm(forms.ModelForm):
    version = VersionField()

    class Meta:
        model = Reflection
        fields = ["text", "shared_with_tutor"]
        labels = {"text": "Your answer"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Keep what the learner typed exactly, spaces and all.
        self.fields["text"].strip = False
        refuse_nul_kindly(self.fields["text"])

    def clean_text(self):
        return clean_long_text(self.cleaned_data["text"], MAX_REFLECTION_CHARS, "Your answer")
