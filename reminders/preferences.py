"""Who may choose which emails, and changing the choices (the account page,
and the unsubscribe link in every email). Turning one off is recorded
(``Unsubscription``), however it was done."""

from django import forms
from django.db import transaction

from courses.models import Cohort
from peersupport.roles import is_tutor
from reminders.models import Kind, Preferences, Unsubscription

LEARNER_KINDS = [Kind.SESSION_TOMORROW, Kind.DEADLINE_SOON, Kind.FEEDBACK_RELEASED]


def kinds_for(user) -> list[str]:
    """The emails ``user`` can get, so can choose: learners their reminders;
    staff who tutor, the daily digest."""
    if not user.is_staff:
        return list(LEARNER_KINDS)
    if is_tutor(user) or Cohort.objects.filter(tutors=user).exists():
        return [Kind.TUTOR_DIGEST]
    return []


class PreferencesForm(forms.ModelForm):
    """The account page's checkboxes, only those for emails ``user`` can get."""

    class Meta:
        model = Preferences
        fields = [kind.value for kind in Kind]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, instance=Preferences.of(user.pk), **kwargs)
        shown = kinds_for(user)
        for name in list(self.fields):
            if name not in shown:
                del self.fields[name]


def account_form(user) -> PreferencesForm | None:
    """The account page's section, or None for someone with no email to choose."""
    form = PreferencesForm(user=user)
    return form if form.fields else None


@transaction.atomic
def save_choices(user_id: int, choices: dict[str, bool], how: str) -> list[str]:
    """Set the person's choices (kind -> wanted); record each one turned off,
    and ``how``. Returns the kinds turned off."""
    if not choices:
        return []
    preferences, _ = Preferences.objects.select_for_update().get_or_create(user_id=user_id)
    turned_off = [
        kind for kind, wanted in choices.items() if preferences.wants(kind) and not wanted
    ]
    for kind, wanted in choices.items():
        setattr(preferences, Kind(kind).value, bool(wanted))
    preferences.save()
    Unsubscription.objects.bulk_create(
        Unsubscription(user_id=user_id, kind=kind, how=how) for kind in turned_off
    )
    return turned_off


def turn_off(user_id: int, kind: str, how: str) -> bool:
    """Stop ``kind`` for the person (the unsubscribe link); False if it was off already."""
    return bool(save_choices(user_id, {kind: False}, how))
