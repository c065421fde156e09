"""Finishing the course: the register, apologies, the completion rule, the
coordinators' report and CSV, and certificates (the PDF, and checking one).
In Chromium: tests/browser/test_completion.py."""

import csv
import io
import re

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader

from assessments import services as assessment
from assessments.models import Assignment
from completion import rule, services
from completion.models import Attendance, Certificate
from courses.models import Course, Enrolment
from sessions.models import Session
from tests.essays import submitted_essay
from tests.helpers import make_cohort, make_user
from tests.marking import mark

pytestmark = pytest.mark.django_db
Status = Attendance.Status


def register_url(cohort, number):
    return f"/admin/completion/attendance/register/{cohort.pk}/{number}/"


def mark_sessions(learner, cohort, numbers, status=Status.PRESENT, by=None, note=""):
    enrolment = Enrolment.objects.get(learner=learner, cohort=cohort)
    for number in numbers:
        services.mark(enrolment, Session.objects.get(number=number), status, by, note)


def pass_both(learner, tutor):
    for number in (1, 2):
        essay = submitted_essay(learner, number=number, words=1600 if number == 1 else 2100)
        review = mark(essay, tutor, "pass", "Well done.")
        assessment.release(review, tutor)


def completed(learner, cohort, tutor, sessions=range(1, 10)):
    mark_sessions(learner, cohort, sessions, by=tutor)
    pass_both(learner, tutor)


# ---------------------------------------------------------------- the register


def test_a_tutor_marks_everyone_present_then_the_exceptions(client, tutor, alice, bob, cohort):
    client.force_login(tutor)
    page = client.get(register_url(cohort, 3)).content.decode()
    assert "Alice" in page and "Bob" in page and "2 not marked yet" in page
    client.post(register_url(cohort, 3), {"everyone": "present"})
    bobs = Enrolment.objects.get(learner=bob)
    response = client.post(
        register_url(cohort, 3), {"mark": f"{bobs.pk}:absent"}, HTTP_X_REQUESTED_WITH="fetch"
    )
    assert response.json() == {
        "saved": True, "enrolment": bobs.pk, "status": "absent", "label": "Absent",
    }  # fmt: skip
    marks = dict(
        Attendance.objects.filter(session__number=3).values_list("enrolment__learner", "status")
    )
    assert marks == {alice.pk: "present", bob.pk: "absent"}
    # Who marked what, and when: the register's history.
    history = Attendance.objects.get(enrolment=bobs).history.order_by("history_date")
    assert [(h.status, h.history_user) for h in history] == [
        ("present", tutor), ("absent", tutor),
    ]  # fmt: skip


def test_caught_up_needs_a_note(client, tutor, alice, cohort):
    client.force_login(tutor)
    alices = Enrolment.objects.get(learner=alice)
    response = client.post(
        register_url(cohort, 2), {"mark": f"{alices.pk}:caught_up", "catch_up_note": " "},
        follow=True,
    )  # fmt: skip
    assert "Say in a short note what catch-up work was done" in response.content.decode()
    response = client.post(
        register_url(cohort, 2),
        {"mark": f"{alices.pk}:caught_up", "catch_up_note": "x" * 301},
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert response.status_code == 400
    assert "keep the catch-up note to 300 characters (it has 301)" in response.json()["errors"][0]
    assert not Attendance.objects.exists()
    client.post(
        register_url(cohort, 2),
        {"mark": f"{alices.pk}:caught_up", "catch_up_note": "Read the session, talked it over"},
    )
    assert Attendance.objects.get().catch_up_note == "Read the session, talked it over"


def test_a_register_is_for_the_cohorts_own_tutors_and_coordinators(
    client, tutor, other_tutor, coordinator, alice, cohort, other_cohort
):
    url = register_url(cohort, 1)
    for user, status in [(tutor, 200), (coordinator, 200), (other_tutor, 404)]:
        client.force_login(user)
        assert client.get(url).status_code == status
    client.force_login(other_tutor)
    charlies = Enrolment.objects.get(cohort=other_cohort)
    # Someone else's learner, through this tutor's own register: refused.
    client.force_login(tutor)
    response = client.post(url, {"mark": f"{charlies.pk}:present"}, follow=True)
    assert "That learner is not in this cohort" in response.content.decode()
    assert not Attendance.objects.exists()


def test_register_query_count_does_not_grow_with_learners(
    client, tutor, course, django_assert_num_queries
):
    def count_for(learners):
        cohort = make_cohort(course, f"Size {learners}", tutors=[tutor])
        for index in range(learners):
            learner = make_user(f"size{learners}-{index}")
            Enrolment.objects.create(cohort=cohort, learner=learner)
            if index % 2:
                mark_sessions(learner, cohort, [4], by=tutor)
        client.force_login(tutor)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(register_url(cohort, 4)).status_code == 200
        return len(queries)

    # The request's own (the session, the login with the tutor's roles, and
    # their permissions, in one query: 3), then the cohort, the session, the
    # learners, their marks, and "is this their own tutor" (for apology
    # notes): 5, for any number.
    assert count_for(2) == count_for(30) == 3 + 5


# ---------------------------------------------------------------- apologies


def test_a_learner_sends_apologies_in_advance_and_only_their_tutors_read_the_note(
    client, alice_client, alice, tutor, coordinator, cohort
):
    Session.objects.get(number=11)  # opens in the future for a cohort that starts later
    page = alice_client.get("/sessions/5/").content.decode()
    assert "Send my apologies" in page
    alice_client.post("/sessions/5/apologies/", {"action": "send", "note": "HOSPITAL APPOINTMENT"})
    attendance = Attendance.objects.get()
    assert (attendance.status, attendance.apology_note) == ("apologies", "HOSPITAL APPOINTMENT")
    assert "You have sent your apologies" in alice_client.get("/sessions/5/").content.decode()
    staff = client.__class__()
    staff.force_login(tutor)
    assert "HOSPITAL APPOINTMENT" in staff.get(register_url(cohort, 5)).content.decode()
    staff.force_login(coordinator)
    assert "HOSPITAL APPOINTMENT" not in staff.get(register_url(cohort, 5)).content.decode()
    # The note is never in the register's history.
    assert not hasattr(attendance.history.first(), "apology_note")
    # Taken back before the register is taken.
    alice_client.post("/sessions/5/apologies/", {"action": "withdraw"})
    assert not Attendance.objects.exists()


def test_apologies_for_a_session_not_open_yet(client, course, alice, tutor):
    from django.utils import timezone

    cohort = make_cohort(
        course, "Later", start=timezone.localdate(), tutors=[tutor], learners=[alice]
    )
    client.force_login(alice)
    page = client.get("/sessions/10/").content.decode()
    assert "This session opens on" in page and "Send my apologies" in page
    client.post("/sessions/10/apologies/", {"action": "send", "note": ""})
    assert Attendance.objects.get(enrolment__cohort=cohort).status == "apologies"


def test_once_the_register_is_taken_apologies_cannot_change_it(alice_client, alice, tutor, cohort):
    mark_sessions(alice, cohort, [5], Status.ABSENT, by=tutor)
    response = alice_client.post("/sessions/5/apologies/", {"action": "send"}, follow=True)
    assert "Your tutor has already taken the register" in response.content.decode()
    assert Attendance.objects.get().status == "absent"


# ---------------------------------------------------------------- the rule


def test_the_dashboard_says_in_plain_words_what_is_still_needed(alice_client, alice, tutor, cohort):
    mark_sessions(alice, cohort, range(1, 8), by=tutor)
    page = alice_client.get("/").content.decode()
    assert "You have attended 7 of 11 sessions." in page
    assert (
        "To complete the course you still need: 2 more sessions, and a Pass on assignments "
        "1 and 2." in page
    )
    pass_both(alice, tutor)
    mark_sessions(alice, cohort, [8], by=tutor)
    mark_sessions(alice, cohort, [9], Status.CAUGHT_UP, by=tutor, note="Caught up")
    page = alice_client.get("/").content.decode()
    assert "You have attended 9 of 11 sessions." in page
    assert "You have done everything the course asks to complete it." in page


def test_required_sessions_and_caught_up_follow_the_course_rule(alice, tutor, cohort, course):
    Course.objects.filter(pk=course.pk).update(
        completion_required_sessions=[1, 11], completion_caught_up_counts=False
    )
    course.refresh_from_db()
    mark_sessions(alice, cohort, range(2, 10), by=tutor)
    mark_sessions(alice, cohort, [10], Status.CAUGHT_UP, by=tutor, note="Done")
    pass_both(alice, tutor)
    enrolment = Enrolment.objects.get(learner=alice)
    standing = rule.standings_for(cohort, [enrolment])[enrolment.pk]
    assert standing.attended_count == 8
    assert standing.needs_sentence == (
        "To complete the course you still need: 1 more session, including sessions 1 and 11."
    )
    assert not standing.complete


def test_the_completion_rule_round_trips_through_the_course_files(tmp_path, course):
    from courses.content import load_course, write_course

    Course.objects.filter(pk=course.pk).update(
        completion_sessions_attended=8, completion_required_sessions=[1, 6],
        completion_assignments_passed=False,
    )  # fmt: skip
    course.refresh_from_db()
    write_course(tmp_path, course)
    import frontmatter

    front = frontmatter.loads((tmp_path / "course.md").read_text()).metadata
    assert front["completion"] == {
        "sessions_attended": 8, "required_sessions": [1, 6], "caught_up_counts": True,
        "assignments_passed": False,
    }  # fmt: skip
    Course.objects.filter(pk=course.pk).update(completion_sessions_attended=9)
    load_course(tmp_path, force=True)
    course.refresh_from_db()
    assert (course.completion_sessions_attended, course.completion_required_sessions) == (8, [1, 6])
    assert course.completion_assignments_passed is False


def test_a_bad_completion_rule_in_the_files_is_refused_by_name(tmp_path, course):
    import shutil

    from courses.content import DEFAULT_CONTENT_DIR, ContentError, read_course

    shutil.copytree(DEFAULT_CONTENT_DIR, tmp_path / "c")
    path = tmp_path / "c" / "course.md"
    path.write_text(path.read_text().replace("required_sessions: []", "required_sessions: [12]"))
    with pytest.raises(ContentError, match="required_sessions"):
        read_course(tmp_path / "c")


# ---------------------------------------------------------------- report and CSV


def test_the_completion_report_and_its_csv(coordinator_client, alice, bob, tutor, cohort):
    completed(alice, cohort, tutor)
    bob.first_name = "=HYPERLINK(evil)"
    bob.save()
    mark_sessions(bob, cohort, range(1, 4), by=tutor)
    page = coordinator_client.get(f"/admin/completion/certificate/cohort/{cohort.pk}/")
    html = page.content.decode()
    assert "1 of 2 learners have completed the course" in html
    response = coordinator_client.get(
        f"/admin/completion/certificate/cohort/{cohort.pk}/completion.csv"
    )
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "Learner", "Email", "Enrolment", "Sessions attended", "Sessions in the course",
        "Attendance %", "Assignment 1", "Assignment 2", "Complete", "Still needed",
        "Certificate code", "Certificate issued",
    ]  # fmt: skip
    by_email = {row[1]: row for row in rows[1:]}
    assert by_email["alice@example.org"][3:10] == [
        "9", "11", "82", "Passed", "Passed", "Yes", "",
    ]  # fmt: skip
    bobs = by_email["bob@example.org"]
    assert bobs[0].startswith("'=")  # no formula injection
    assert bobs[3:6] == ["3", "11", "27"] and bobs[8] == "No"
    assert bobs[9] == "6 more sessions; a Pass on assignments 1 and 2"


def test_the_completion_report_query_count_does_not_grow_with_learners(
    coordinator_client, course, tutor
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count_for(learners):
        cohort = make_cohort(course, f"Report {learners}", tutors=[tutor])
        for index in range(learners):
            learner = make_user(f"report{learners}-{index}")
            Enrolment.objects.create(cohort=cohort, learner=learner)
            mark_sessions(learner, cohort, [1, 2], by=tutor)
        url = f"/admin/completion/certificate/cohort/{cohort.pk}/"
        with CaptureQueriesContext(connection) as queries:
            assert coordinator_client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as csv_queries:
            coordinator_client.get(url + "completion.csv")
        return len(queries), len(csv_queries)

    # The request's own (3: the session, the login with the roles, the
    # permissions); the cohort, its learners, the course's session
    # count and assignments, everyone's marks, outcomes, the assignments'
    # limits, attempts and certificates (9). (No list of every app for a
    # sidebar, which asked whether the certificate settings exist: see
    # PeerSupportAdminSite.each_context.)
    assert count_for(2) == count_for(25) == (3 + 9, 3 + 9)


def test_tutors_do_not_see_the_completion_report(client, tutor, cohort):
    client.force_login(tutor)
    assert client.get(f"/admin/completion/certificate/cohort/{cohort.pk}/").status_code == 403


# ---------------------------------------------------------------- certificates


def issue(client, cohort, *learners):
    enrolments = [Enrolment.objects.get(learner=learner, cohort=cohort).pk for learner in learners]
    return client.post(
        f"/admin/completion/certificate/cohort/{cohort.pk}/", {"enrolment": enrolments}, follow=True
    )


def test_a_learner_one_session_short_cannot_be_issued_a_certificate(
    coordinator_client, alice, tutor, cohort
):
    completed(alice, cohort, tutor, sessions=range(1, 9))  # 8 of the 9 needed
    response = issue(coordinator_client, cohort, alice)
    assert "has not completed the course yet: 1 more session." in response.content.decode()
    assert not Certificate.objects.exists()


def pdf_text_and_qr(pdf: bytes) -> tuple[PdfReader, str, str]:
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(reader.pages[0].extract_text().split())
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=3).to_pil()
    codes = zxingcpp.read_barcodes(image)
    return reader, text, codes[0].text if codes else ""


def test_issuing_a_certificate_and_its_pdf(client, coordinator_client, coordinator, alice, tutor,
                                           cohort):  # fmt: skip
    from accounts.models import Profile

    Profile.objects.create(user=alice, name_on_certificate="Alice Q. Learner")
    completed(alice, cohort, tutor)
    response = issue(coordinator_client, cohort, alice)
    assert "1 certificate(s) issued." in response.content.decode()
    certificate = Certificate.objects.get()
    assert (certificate.issued_by, certificate.name) == (coordinator, "Alice Q. Learner")
    assert re.fullmatch(r"([A-HJ-NP-Z2-9]{4}-){4}[A-HJ-NP-Z2-9]{4}", certificate.code)
    # Issuing again gives no second one.
    assert "already has a certificate" in issue(coordinator_client, cohort, alice).content.decode()

    client.force_login(alice)
    assert "Download your certificate (PDF)" in client.get("/").content.decode()
    pdf = client.get(f"/certificates/{certificate.pk}/certificate.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    reader, text, qr = pdf_text_and_qr(pdf.content)
    assert len(reader.pages) == 1
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert round(float(width)) == 842 and round(float(height)) == 595  # A4, landscape
    assert "Alice Q. Learner" in text and "Peer Support Training" in text
    assert f"{certificate.completed_on:%-d %B %Y}" in text and certificate.code in text
    assert qr == f"http://testserver/certificates/verify/?code={certificate.code}"
    for word in ("mental", "illness", "lived experience", "recovery", "health"):
        assert word not in text.lower()
    # Nobody else's certificate: a 404.
    client.force_login(make_user("mallory"))
    assert client.get(f"/certificates/{certificate.pk}/certificate.pdf").status_code == 404


def test_the_verification_page_is_off_until_the_learner_turns_it_on(
    client, coordinator_client, alice, tutor, cohort
):
    completed(alice, cohort, tutor)
    issue(coordinator_client, cohort, alice)
    certificate = Certificate.objects.get()
    anonymous = client.__class__()
    url = "/certificates/verify/?code="
    assert anonymous.get(url + certificate.code).status_code == 404  # off by default
    client.force_login(alice)
    client.post(f"/certificates/{certificate.pk}/verification/", {"enabled": "1"})
    page = anonymous.get(url + certificate.code.lower().replace("-", " "))
    html = page.content.decode()
    assert page.status_code == 200 and "This certificate is valid." in html
    assert "Alice" in html and "Peer Support Training" in html
    assert "alice@example.org" not in html and "Spring" not in html  # name, course and date only
    assert page["X-Robots-Tag"] == "noindex"
    assert anonymous.get(url + certificate.code[:-1]).status_code == 404  # the whole code only
    from completion.services import withdraw

    withdraw(certificate, tutor, "Issued in error")
    assert (
        "This certificate was withdrawn" in anonymous.get(url + certificate.code).content.decode()
    )


def test_checking_certificates_is_rate_limited(client, settings):
    settings.CERTIFICATE_LOOKUPS_PER_HOUR = 3
    for _ in range(3):
        assert client.get("/certificates/verify/?code=AAAA-BBBB").status_code == 404
    assert client.get("/certificates/verify/?code=AAAA-BBBB").status_code == 429


def test_a_coordinator_withdraws_a_certificate_with_a_reason(
    coordinator_client, coordinator, alice, tutor, cohort
):
    completed(alice, cohort, tutor)
    issue(coordinator_client, cohort, alice)
    certificate = Certificate.objects.get()
    url = "/admin/completion/certificate/"
    action = {"action": "withdraw_certificates", "_selected_action": [certificate.pk]}
    page = coordinator_client.post(url, action)
    assert "Reason:" in page.content.decode()
    coordinator_client.post(url, {**action, "reason": ""})
    certificate.refresh_from_db()
    assert not certificate.is_withdrawn
    coordinator_client.post(url, {**action, "reason": "Issued to the wrong learner"})
    certificate.refresh_from_db()
    assert certificate.is_withdrawn and certificate.withdrawn_by == coordinator
    assert certificate.withdrawal_reason == "Issued to the wrong learner"


def test_attendance_and_certificates_are_in_the_learners_data_download(
    client, coordinator_client, alice, tutor, cohort
):
    import json
    import zipfile

    completed(alice, cohort, tutor)
    issue(coordinator_client, cohort, alice)
    client.force_login(alice)
    archive = zipfile.ZipFile(io.BytesIO(client.get("/account/data/").content))
    attendance = json.loads(archive.read("attendance.json"))
    assert [a["status"] for a in attendance] == ["Present"] * 9
    assert (
        json.loads(archive.read("certificates.json"))[0]["code"] == Certificate.objects.get().code
    )
    assert Assignment.objects.count() == 2
