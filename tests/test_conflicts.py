"""Two tabs, one piece of writing: a save from an older version is refused
with both texts, and nothing is lost; a tutor saving after release keeps
their text; a second click on Submit is a success. (In Chromium:
tests/browser/test_conflicts.py.)"""

import re

import pytest

from assessments import services
from assessments.models import Submission
from reflections.models import Reflection, ReflectionPrompt
from tests.essays import essay_of, submitted_essay
from tests.marking import judgement_fields, mark

pytestmark = pytest.mark.django_db

FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


@pytest.fixture
def prompt(course):
    return ReflectionPrompt.objects.get(lesson__slug="a-personal-story-of-recovery", order=1)


def answer(client, prompt, text, version, json=True, shared=False):
    data = {"text": text, "version": version}
    if shared:
        data["shared_with_tutor"] = "on"
    return client.post(f"/journal/prompts/{prompt.pk}/", data, **(FETCH if json else {}))


def page_version(client, url, action):
    html = client.get(url).content.decode()
    form = html[html.index(f'action="{action}"') :]
    return int(re.search(r'name="version" value="(\d+)"', form).group(1))


def test_two_tabs_on_one_answer_keep_both_texts(alice_client, alice, prompt):
    lesson = "/sessions/3/a-personal-story-of-recovery/"
    action = f"/journal/prompts/{prompt.pk}/"
    first_tab = second_tab = page_version(alice_client, lesson, action)
    assert first_tab == 0
    # The second tab saves twice; the first tab, opened before, saves once.
    for text in ["Second tab, draft", "Second tab, final"]:
        response = answer(alice_client, prompt, text, second_tab)
        assert response.status_code == 200
        second_tab = response.json()["version"]
    response = answer(alice_client, prompt, "First tab's words", first_tab)
    assert response.status_code == 409
    data = response.json()
    assert data["saved"] is False
    assert data["conflict"]["text"] == "Second tab, final"
    assert data["conflict"]["version"] == second_tab
    assert "another tab or device" in data["errors"][0]
    assert Reflection.objects.get(learner=alice).text == "Second tab, final"
    # "Keep this tab's version": saved from the version now stored.
    response = answer(alice_client, prompt, "First tab's words", data["conflict"]["version"])
    assert response.status_code == 200
    assert Reflection.objects.get(learner=alice).text == "First tab's words"


def test_saving_the_same_text_again_is_never_a_conflict(alice_client, alice, prompt):
    answer(alice_client, prompt, "Same", 0)
    # A repeated autosave (the first one's reply was lost) sends version 0 again.
    assert answer(alice_client, prompt, "Same", 0).status_code == 200


def test_sharing_changed_in_another_tab_is_a_conflict_not_silently_undone(
    alice_client, alice, prompt
):
    version = answer(alice_client, prompt, "Mine", 0).json()["version"]
    # Tab A makes it private again after sharing; tab B still shows "shared".
    shared = answer(alice_client, prompt, "Mine", version, shared=True).json()["version"]
    answer(alice_client, prompt, "Mine", shared, shared=False)
    response = answer(alice_client, prompt, "Mine, edited", shared, shared=True)
    assert response.status_code == 409
    assert response.json()["conflict"]["shared"] is False
    assert Reflection.objects.get(learner=alice).shared_with_tutor is False


def test_without_javascript_a_conflict_shows_both_texts_and_keeps_either(
    alice_client, alice, prompt
):
    answer(alice_client, prompt, "Saved on my phone", 0)
    response = answer(alice_client, prompt, "Typed on the laptop", 0, json=False)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Typed on the laptop</textarea>" in html
    assert "Saved on my phone</textarea>" in html
    assert "Keep my version" in html and "Keep the saved version" in html
    keep_mine_version = re.search(r'name="version" value="(\d+)"', html).group(1)
    response = answer(alice_client, prompt, "Typed on the laptop", keep_mine_version, json=False)
    assert response.status_code == 302
    assert Reflection.objects.get(learner=alice).text == "Typed on the laptop"


def draft(client, text, version, json=True):
    return client.post(
        "/assignments/1/draft/", {"text": text, "version": version}, **(FETCH if json else {})
    )


def test_two_tabs_on_one_essay_draft_keep_both_texts(alice_client, alice, cohort):
    action = "/assignments/1/draft/"
    assert page_version(alice_client, "/assignments/1/", action) == 0
    first = draft(alice_client, "Paragraph one.", 0)
    assert first.status_code == 200 and first.json()["words"] == 2
    second_tab = first.json()["version"]
    first_tab = 0  # opened before the first save
    response = draft(alice_client, "Another start altogether.", first_tab)
    assert response.status_code == 409
    assert response.json()["conflict"]["text"] == "Paragraph one."
    assert Submission.objects.get(learner=alice).text == "Paragraph one."
    assert page_version(alice_client, "/assignments/1/", action) == second_tab
    # Without JavaScript, the same.
    response = draft(alice_client, "Another start altogether.", first_tab, json=False)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Another start altogether.</textarea>" in html and "Paragraph one.</textarea>" in html


def test_a_second_click_on_submit_shows_success(alice_client, alice, cohort):
    draft(alice_client, essay_of(1600), 0)
    for _ in range(2):
        response = alice_client.post(
            "/assignments/1/submit/", {"declaration": "on", "attempt": "1"}, follow=True
        )
        html = response.content.decode()
        assert "Your essay was submitted on" in html
        assert "can no longer be changed" not in html
    assert Submission.objects.get(learner=alice).status == "submitted"


def test_submitting_an_attempt_that_was_never_written_still_says_why(alice_client, cohort):
    response = alice_client.post(
        "/assignments/1/submit/", {"declaration": "on", "attempt": "1"}, follow=True
    )
    assert "Your essay is empty" in response.content.decode()


def test_a_tutor_saving_after_another_released_keeps_their_text(
    client, tutor, second_tutor, alice, cohort
):
    essay = submitted_essay(alice)
    url = f"/admin/assessments/submission/{essay.pk}/change/"
    client.force_login(second_tutor)
    client.get(url)  # Terry opens the essay and starts writing
    review = mark(essay, tutor, "pass", "Tina's feedback.")
    services.release(review, tutor)  # meanwhile Tina releases hers
    response = client.post(
        url,
        {"outcome": "refer", "feedback": "TERRY'S CAREFUL WORDS", "resubmit_by": "2030-01-01",
         "base_version": 0, "_save": "1"},
        follow=True,
    )  # fmt: skip
    assert response.status_code == 200
    html = response.content.decode()
    assert "TERRY&#x27;S CAREFUL WORDS</textarea>" in html
    assert "Tina released feedback on this essay" in html
    assert "yours was not saved" in html
    review.refresh_from_db()
    assert review.feedback == "Tina's feedback." and review.tutor == tutor


def test_a_second_click_on_release_explains_instead_of_refusing(client, tutor, alice, cohort):
    essay = submitted_essay(alice)
    url = f"/admin/assessments/submission/{essay.pk}/change/"
    client.force_login(tutor)
    data = {
        "outcome": "pass", "feedback": "Good.", "base_version": 0, "_release": "1",
        **judgement_fields(essay, "pass"),
    }  # fmt: skip
    assert client.post(url, data).status_code == 302
    response = client.post(url, data)
    assert response.status_code == 200
    assert "released feedback on this essay" in response.content.decode()
