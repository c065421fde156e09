"""Enrolling learners from the admin: one by one, or 200 at once from a CSV."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from courses.cohorts.enrolment import EnrolmentError, parse_learner_csv
from courses.models import Enrolment
from tests.helpers import log_in, make_cohort
from tests.tasks import worker_runs_after

pytestmark = pytest.mark.django_db
User = get_user_model()


def upload(client, cohort, text, name="learners.csv", encoding="utf-8"):
    return client.post(
        f"/admin/courses/cohort/{cohort.pk}/import-learners/",
        {"file": SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")},
    )


def learners_csv(count, header=True):
    lines = ["First name,Last name,Email"] if header else []
    lines += [f"Learner{i},Surname{i},learner{i}@example.org" for i in range(count)]
    return "\n".join(lines) + "\n"


def test_two_hundred_learners_import_in_one_go(coordinator_client, cohort):
    with worker_runs_after():
        response = upload(coordinator_client, cohort, learners_csv(200))
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert Enrolment.objects.filter(cohort=cohort).count() == 2 + 200
    assert User.objects.filter(email__startswith="learner").count() == 200
    assert len(mail.outbox) == 200
    learner = User.objects.get(email="learner7@example.org")
    assert (learner.first_name, learner.last_name, learner.is_staff) == (
        "Learner7",
        "Surname7",
        False,
    )
    assert not learner.has_usable_password()


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("Nina,Nobody,", "Line 4: the email address is missing."),
        ("Nina,Nobody,not-an-email", "Line 4: “not-an-email” is not a valid email address."),
        (
            "Nina,Nobody,learner0@example.org",
            "Line 4: learner0@example.org is in the file twice (first on line 2).",
        ),
        (",Nobody,nina@example.org", "Line 4: the first name is missing."),
    ],
)
def test_one_bad_row_imports_nothing_and_names_the_row(
    coordinator_client, cohort, bad_line, message
):
    text = learners_csv(2) + bad_line + "\n" + "Last,Row,last@example.org\n"
    response = upload(coordinator_client, cohort, text)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was imported" in html
    assert message in html.replace("&#x27;", "'")
    assert Enrolment.objects.filter(cohort=cohort).count() == 2
    assert not User.objects.filter(email__startswith="learner").exists()
    assert mail.outbox == []


def test_a_problem_found_while_enrolling_rolls_back_earlier_rows(
    coordinator_client, cohort, course, charlie, other_cohort
):
    # Charlie is studying in another cohort: his row (line 3) fails after line 2 was enrolled.
    text = "First,Last,Email\nNew,Person,new@example.org\nCharlie,C,charlie@example.org\n"
    response = upload(coordinator_client, cohort, text)
    html = response.content.decode()
    assert "Line 3: charlie@example.org is already studying in “Autumn”" in html
    assert not User.objects.filter(email="new@example.org").exists()


def test_existing_accounts_are_reused_by_email_whatever_the_case(coordinator_client, course, alice):
    cohort = make_cohort(course, "Fresh")
    with worker_runs_after():
        upload(coordinator_client, cohort, "Alice,A,ALICE@Example.org\n")
    assert Enrolment.objects.get(cohort=cohort).learner == alice
    assert User.objects.filter(email__iexact="alice@example.org").count() == 1
    assert "Log in with your usual password" in mail.outbox[0].body


def test_excel_exports_with_semicolons_and_a_bom_import(coordinator_client, cohort):
    text = "\ufeffFirst name;Last name;Email\nZoë;Ångström;zoe@example.org\n"
    response = upload(coordinator_client, cohort, text)
    assert response.status_code == 302
    assert User.objects.get(email="zoe@example.org").last_name == "Ångström"


def test_a_file_that_is_not_csv_is_refused_kindly(coordinator_client, cohort):
    response = coordinator_client.post(
        f"/admin/courses/cohort/{cohort.pk}/import-learners/",
        {"file": SimpleUploadedFile("photo.csv", bytes(range(256)) * 10)},
    )
    assert response.status_code == 200
    assert b"Nothing was imported" in response.content


def test_parse_without_a_header_row():
    rows = parse_learner_csv("Ann,Lee,ann@example.org\n\nBo,,bo@example.org\n")
    assert [(r.line, r.first_name, r.email) for r in rows] == [
        (1, "Ann", "ann@example.org"),
        (3, "Bo", "bo@example.org"),
    ]


def test_an_empty_file_says_so():
    with pytest.raises(EnrolmentError, match="no learners"):
        parse_learner_csv("First name,Last name,Email\n")


def test_the_invitation_link_lets_the_learner_choose_a_password_and_log_in_by_email(
    coordinator_client, client, cohort
):
    with worker_runs_after():
        upload(coordinator_client, cohort, "Priya,Shah,Priya.Shah@example.org\n")
    message = mail.outbox[0]
    assert message.to == ["priya.shah@example.org"]
    assert "Spring" in message.body
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)
    response = client.get(link, follow=True)
    client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "my-own-long-password", "new_password2": "my-own-long-password"},
    )
    assert log_in(client, "Priya.Shah@example.org", "my-own-long-password")
    assert client.get("/").context["cohort"] == cohort


def test_log_in_with_email_or_username_on_the_login_page(client, alice, cohort):
    for identifier in ["alice", "alice@example.org", "ALICE@example.org"]:
        client.logout()
        response = client.post(
            "/accounts/login/", {"username": identifier, "password": "a-long-test-password"}
        )
        assert response.status_code == 302, identifier


def test_coordinator_adds_one_learner(coordinator_client, cohort):
    with worker_runs_after():
        response = coordinator_client.post(
            "/admin/courses/learner/add/",
            {
                "first_name": "Dee",
                "last_name": "Solo",
                "email": "dee@example.org",
                "cohort": cohort.pk,
            },
        )
    assert response.status_code == 302
    assert Enrolment.objects.get(learner__email="dee@example.org").cohort == cohort
    assert len(mail.outbox) == 1


def test_adding_a_staff_email_as_a_learner_is_refused(coordinator_client, cohort, tutor):
    response = coordinator_client.post(
        "/admin/courses/learner/add/",
        {"first_name": "T", "last_name": "", "email": tutor.email, "cohort": cohort.pk},
    )
    assert response.status_code == 200
    assert b"belongs to a staff account" in response.content


def test_withdrawing_keeps_the_account_and_its_work(coordinator_client, alice, cohort):
    from sessions.models import Session

    Session.objects.get(number=1).completions.create(learner=alice)
    enrolment = Enrolment.objects.get(learner=alice)
    response = coordinator_client.post(
        "/admin/courses/enrolment/",
        {"action": "withdraw_learners", "_selected_action": [enrolment.pk]},
    )
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.withdrawn_at is not None
    assert User.objects.filter(pk=alice.pk).exists()
    assert alice.session_completions.count() == 1


def test_tutors_cannot_import_learners(client, tutor, cohort):
    client.force_login(tutor)
    response = upload(client, cohort, learners_csv(1))
    assert response.status_code == 403
