"""Saving and reading learners' journal answers."""

from dataclasses import dataclass

from django.db import transaction

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
def save_answer(learner, prompt: ReflectionPrompt, text: str, shared: bool) -> Reflection:
    """Save ``learner``'s answer to ``prompt``: idempotent, and the last save wins.

    update_or_create locks the row, and the unique constraint on (learner,
    prompt) turns two first saves racing each other into one row.
    """
    reflection, _ = Reflection.objects.update_or_create(
        learner=learner,
        prompt=prompt,
        defaults={"text": text, "shared_with_tutor": shared},
    )
    return reflection
