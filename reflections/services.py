"""Saving and reading learners' journal answers."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from peersupport.writing import SavedVersion, WritingConflict, is_stale
from reflections.models import Reflection, ReflectionPrompt


@dataclass(frozen=True)
class PromptAnswer:
    """A prompt as a page shows it: with this learner's answer, if any."""

    prompt: ReflectionPrompt
    answer: Reflection | None


def prompt_answers(learner, prompts) -> list[PromptAnswer]:
    """Pair each prompt with ``learner``'s answer, in one query whatever the count."""
    prompts = list(prompts)
    answers = {
        answer.prompt_id: answer
        for answer in Reflection.objects.filter(learner=learner, prompt__in=prompts)
    }
    return [PromptAnswer(prompt, answers.get(prompt.pk)) for prompt in prompts]


@transaction.atomic
def save_answer(
    learner, prompt: ReflectionPrompt, text: str, shared: bool, base_version: int | None = None
) -> Reflection:
    """Save ``learner``'s answer to ``prompt``, from the page that read
    version ``base_version`` of it (0: no answer yet).

    Saving the same again is harmless (autosave repeats itself). A save based
    on an older version than the stored one, which would overwrite what
    another tab or device saved, raises WritingConflict instead. The row lock
    and the unique constraint on (learner, prompt) make two saves racing each
    other, even two first saves, take turns.
    """
    reflection = (
        Reflection.objects.select_for_update().filter(learner=learner, prompt=prompt).first()
    )
    if reflection is None:
        try:
            with transaction.atomic():
                return Reflection.objects.create(
                    learner=learner, prompt=prompt, text=text, shared_with_tutor=shared, version=1
                )
        except IntegrityError:  # another tab's first save won
            reflection = Reflection.objects.select_for_update().get(learner=learner, prompt=prompt)
    same = reflection.text == text and reflection.shared_with_tutor == shared
    if is_stale(reflection.version, base_version, same):
        raise WritingConflict(
            SavedVersion(
                reflection.text,
                reflection.version,
                reflection.updated_at,
                reflection.shared_with_tutor,
            )  # fmt: skip
        )
    reflection.text = text
    reflection.shared_with_tutor = shared
    reflection.version += 1
    reflection.save()
    return reflection
