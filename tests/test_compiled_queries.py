"""Queries compiled once per shape (peersupport/compiled.py): the rows are
those the ORM gives for the same values, whichever values compiled the
shape first; a shape whose SQL depends on more than its values is built
afresh every time; and the roles, permissions and names read along the way
(the review queue's other savings) agree with Django's own."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.backends import EmailOrUsernameBackend
from courses.models import Enrolment
from peersupport.compiled import CompiledQuery
from peersupport.people import display_name, name_from_parts
from peersupport.roles import COORDINATORS, TUTORS, role_names
from tests.essays import submitted_essay
from tests.helpers import make_user

pytestmark = pytest.mark.django_db
User = get_user_model()
QUEUE = "/admin/assessments/submission/queue/"


class Counting(CompiledQuery):
    """Counts how often the query is built."""

    def __init__(self, build, **kwargs):
        self.built = 0

        def counted(shape, values):
            self.built += 1
            return build(shape, values)

        super().__init__(counted, **kwargs)


def people(shape, values):
    users = User.objects.filter(date_joined__gte=values["since"]).exclude(pk=values["not"])
    if shape == "staff only":
        users = users.filter(is_staff=True)
    return users.order_by("username").values("username", "date_joined", "is_staff")


@pytest.fixture
def everyone(db):
    """Five accounts joined a day apart, the last two staff."""
    now = timezone.now()
    users = [make_user(name) for name in ["ann", "ben", "cat", "dan", "eve"]]
    for days_ago, user in zip(range(5, 0, -1), users, strict=True):
        User.objects.filter(pk=user.pk).update(
            date_joined=now - timedelta(days=days_ago), is_staff=days_ago <= 2
        )
    return users


def test_rows_are_the_orms_whichever_values_compiled_the_shape(everyone):
    query = Counting(people)
    now = timezone.now()
    asks = [
        ("everyone", {"since": now - timedelta(days=10), "not": everyone[0].pk}),
        ("everyone", {"since": now - timedelta(days=2, hours=12), "not": everyone[4].pk}),
        ("staff only", {"since": now - timedelta(days=10), "not": everyone[3].pk}),
        ("everyone", {"since": now - timedelta(days=4, hours=12), "not": -1}),
        ("staff only", {"since": now - timedelta(days=1, hours=12), "not": -1}),
    ]
    for shape, values in asks:
        assert query.rows(shape, **values) == list(people(shape, values))
    # Each shape was built twice (with the values, and with stand-ins) when
    # first asked for, and never again.
    assert query.built == 4
    # The values changed what came back: none of this is one cached answer.
    assert [row["username"] for row in query.rows("everyone", **asks[1][1])] == ["dan"]


def test_a_compiled_shape_runs_one_query_with_the_orms_sql(everyone):
    query = CompiledQuery(people)
    since = timezone.now() - timedelta(days=10)
    with CaptureQueriesContext(connection) as orm:
        list(people("everyone", {"since": since, "not": everyone[1].pk}))
    query.rows("everyone", since=since, **{"not": everyone[2].pk})
    with CaptureQueriesContext(connection) as compiled:
        query.rows("everyone", since=since, **{"not": everyone[1].pk})
    assert len(compiled) == 1
    assert compiled[0]["sql"] == orm[0]["sql"]


def test_a_shape_whose_sql_depends_on_more_than_its_values_is_built_every_time(everyone, caplog):
    def joined_before_now(shape, values):
        # The clock is read inside: every build has a parameter of its own.
        return (
            User.objects.filter(date_joined__lte=timezone.now())
            .exclude(pk=values["not"])
            .values_list("username", flat=True)
            .order_by("username")
        )

    query = Counting(joined_before_now)
    assert query.rows("all", **{"not": everyone[0].pk}) == ["ben", "cat", "dan", "eve"]
    built = query.built
    assert query.rows("all", **{"not": everyone[1].pk}) == ["ann", "cat", "dan", "eve"]
    assert query.built == built + 1
    # The operator is told, once.
    warnings = [r for r in caplog.records if r.name == "peersupport.compiled"]
    assert len(warnings) == 1 and "built afresh on every call" in warnings[0].getMessage()


def test_a_value_equal_to_its_stand_in_is_run_but_not_compiled(everyone):
    from peersupport.compiled import STAND_IN_INT, STAND_IN_STEP

    query = Counting(people)
    since = timezone.now() - timedelta(days=10)
    assert len(query.rows("everyone", since=since, **{"not": STAND_IN_INT - STAND_IN_STEP})) == 5
    assert query.built == 1  # built and run, not compiled
    assert len(query.rows("everyone", since=since, **{"not": everyone[0].pk})) == 4
    assert query.built == 3  # now compiled (twice) and kept


def test_a_value_that_changes_the_sql_text_is_refused(everyone):
    def by_flag(shape, values):
        return User.objects.filter(is_staff=values["staff"]).values_list("username", flat=True)

    with pytest.raises(TypeError, match="put it in the shape"):
        CompiledQuery(by_flag).rows("any", staff=True)


def test_values_that_match_nothing_are_not_kept_as_matching_nothing(everyone):
    """An id out of its column's range matches nothing (Django leaves the
    query unrun); another id of the same shape still finds its row."""
    query = Counting(
        lambda shape, values: User.objects.filter(pk=values["pk"]).values_list(
            "username", flat=True
        )
    )
    assert query.rows("one", pk=2**40) == []
    assert query.rows("one", pk=everyone[0].pk) == ["ann"]
    assert query.rows("one", pk=everyone[1].pk) == ["ben"]


def test_a_value_that_drops_its_condition_does_not_drop_it_for_others(everyone, caplog):
    """Excluding an id out of its column's range excludes nothing, so Django
    leaves the condition out of the SQL: that SQL is not kept for ids that
    do exclude someone."""
    query = CompiledQuery(
        lambda shape, values: (
            User.objects.exclude(pk=values["pk"])
            .order_by("username")
            .values_list("username", flat=True)
        )
    )
    assert query.rows("all but", pk=2**40) == ["ann", "ben", "cat", "dan", "eve"]
    assert query.rows("all but", pk=everyone[0].pk) == ["ben", "cat", "dan", "eve"]


def test_unkept_shapes_are_built_every_time_and_never_compiled(everyone):
    query = Counting(people)
    since = timezone.now() - timedelta(days=10)
    for pk in (everyone[0].pk, everyone[1].pk):
        rows = query.rows("everyone", keep=False, since=since, **{"not": pk})
        assert rows == list(people("everyone", {"since": since, "not": pk}))
    assert query.built == 2


def test_a_shape_that_matches_nothing_runs_no_query(everyone):
    query = CompiledQuery(lambda shape, values: User.objects.none().values("username"))
    query.rows("none", user=everyone[0].pk)
    with CaptureQueriesContext(connection) as queries:
        assert query.rows("none", user=everyone[1].pk) == []
    assert len(queries) == 0


def test_only_values_querysets_are_compiled(everyone):
    with pytest.raises(TypeError, match="values"):
        CompiledQuery(lambda shape, values: User.objects.filter(pk=values["pk"])).rows(
            "model", pk=everyone[0].pk
        )


def test_at_most_so_many_shapes_are_kept(everyone):
    query = Counting(people, max_shapes=2)
    since = timezone.now() - timedelta(days=10)
    for shape in ("everyone", "staff only", "everyone", "third", "everyone"):
        query.rows(shape, since=since, **{"not": -1})
    # "everyone" stayed (used most recently), "staff only" made way for
    # "third": 3 shapes compiled, twice each.
    assert query.built == 6


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"status": "all", "outcome": "none", "late": "yes"},
        {"status": "passed", "outcome": "pass", "late": "no"},
        {"status": "referred", "outcome": "refer", "assignment": "ASSIGNMENT", "page": "2"},
        {"cohort": "COHORT", "page": "9"},
    ],
)
@pytest.mark.parametrize("who", ["tutor", "coordinator"])
def test_every_shape_of_the_queue_compiles(client, request, who, filters, alice, cohort, caplog):
    """No shape of the queue falls back to building its query every time."""
    from assessments.models import Assignment

    submitted_essay(alice)
    client.force_login(request.getfixturevalue(who))
    given = {
        key: {"ASSIGNMENT": Assignment.objects.get(number=1).pk, "COHORT": cohort.pk}.get(
            value, value
        )
        for key, value in filters.items()
    }
    assert client.get(QUEUE, given).status_code == 200
    assert not [r for r in caplog.records if r.name == "peersupport.compiled"]


def test_two_tutors_in_turn_each_see_only_their_cohorts_essays(
    client, tutor, other_tutor, alice, charlie, cohort, other_cohort
):
    """The queue's compiled query (one per shape, per process) with one
    tutor's id never answers for another."""
    submitted_essay(alice)
    submitted_essay(charlie)
    for _ in range(2):
        for who, sees, never in ((tutor, "Alice", "Charlie"), (other_tutor, "Charlie", "Alice")):
            client.force_login(who)
            response = client.get(QUEUE)
            assert [row.learner for row in response.context["rows"]] == [sees]
            assert never not in response.content.decode()


@pytest.mark.parametrize("filters", [{}, {"status": "all"}, {"late": "no", "page": "2"}])
def test_a_tutor_after_a_coordinator_sees_only_their_cohorts_essays(
    client, coordinator, tutor, alice, charlie, cohort, other_cohort, filters
):
    """The coordinator's queue (every cohort) compiled first in this process;
    the tutor's, with the same filters, is still the tutor's own."""
    submitted_essay(alice)
    submitted_essay(charlie)
    client.force_login(coordinator)
    response = client.get(QUEUE, filters)
    assert {"Alice", "Charlie"} <= {row.learner for row in response.context["rows"]} or filters
    client.force_login(tutor)
    response = client.get(QUEUE, filters)
    assert "Charlie" not in response.content.decode()
    if not filters.get("page"):
        assert [row.learner for row in response.context["rows"]] == ["Alice"]


def test_filtering_by_one_cohort_then_another_gives_each_cohorts_essays(
    client, coordinator, alice, charlie, cohort, other_cohort
):
    submitted_essay(alice)
    submitted_essay(charlie)
    client.force_login(coordinator)
    for chosen, sees in ((cohort, "Alice"), (other_cohort, "Charlie"), (cohort, "Alice")):
        response = client.get(QUEUE, {"cohort": chosen.pk})
        assert [row.learner for row in response.context["rows"]] == [sees]


def test_a_learner_who_moves_cohort_moves_queue(
    client, tutor, other_tutor, alice, cohort, other_cohort
):
    submitted_essay(alice)
    client.force_login(tutor)
    assert len(client.get(QUEUE).context["rows"]) == 1
    enrolment = Enrolment.objects.get(learner=alice, cohort=cohort)
    enrolment.withdrawn_at = timezone.now()
    enrolment.save()
    Enrolment.objects.create(learner=alice, cohort=other_cohort)
    assert client.get(QUEUE).context["rows"] == []
    client.force_login(other_tutor)
    assert [row.learner for row in client.get(QUEUE).context["rows"]] == ["Alice"]


@pytest.mark.parametrize("kind", ["learner", "tutor", "coordinator", "both", "superuser"])
def test_permissions_in_one_query_are_django_s(kind):
    groups = {"tutor": [TUTORS], "coordinator": [COORDINATORS], "both": [TUTORS, COORDINATORS]}
    user = make_user(f"someone-{kind}", group=groups.get(kind, [None])[0])
    for extra in groups.get(kind, [])[1:]:
        user.groups.add(Group.objects.get(name=extra))
    if kind == "superuser":
        User.objects.filter(pk=user.pk).update(is_superuser=True, is_staff=True)
    # A permission of the account's own, beside those of its groups.
    user.user_permissions.add(Permission.objects.get(codename="view_logentry"))
    ours = EmailOrUsernameBackend().get_all_permissions(User.objects.get(pk=user.pk))
    djangos = ModelBackend().get_all_permissions(User.objects.get(pk=user.pk))
    assert ours == djangos and "admin.view_logentry" in ours
    with CaptureQueriesContext(connection) as queries:
        EmailOrUsernameBackend().get_all_permissions(User.objects.get(pk=user.pk))
    assert len(queries) == 2  # the user, then their permissions


def test_an_inactive_account_has_no_permissions(tutor):
    tutor.is_active = False
    assert EmailOrUsernameBackend().get_all_permissions(tutor) == set()


@pytest.mark.parametrize("groups", [[], [TUTORS], [COORDINATORS], [TUTORS, COORDINATORS]])
@pytest.mark.parametrize("is_staff", [True, False])
def test_the_roles_read_with_the_user_are_those_of_its_groups(groups, is_staff):
    user = make_user("someone")
    User.objects.filter(pk=user.pk).update(is_staff=is_staff)
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    user.groups.add(Group.objects.get_or_create(name="Volunteers")[0])
    read = EmailOrUsernameBackend().get_user(user.pk)
    fresh = User.objects.get(pk=user.pk)  # role_names asks the database
    assert role_names(read) == role_names(fresh) == (frozenset(groups) if is_staff else frozenset())


@pytest.mark.parametrize(
    "first, last, username",
    [("Ada", "Lovelace", "ada"), ("", "", "ada"), ("Ada", "", "ada"), ("", "Lovelace", "x")],
)
def test_a_name_from_its_parts_is_the_users_display_name(first, last, username):
    user = User(first_name=first, last_name=last, username=username)
    assert name_from_parts(first, last, username) == display_name(user)
    assert display_name(user) == (user.get_full_name() or user.get_username())
