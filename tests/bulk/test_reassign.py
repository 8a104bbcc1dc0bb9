"""Handing over a leaving director's work (issue 18): the open follow-ups, help-plan measures and plans, and
outside-list candidates of the chosen village go to a director who serves it, in one step, with history, a
constant number of queries, and nothing changed when the input is wrong."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from bulk import services
from bulk.models import BulkRun
from children.models import AccessLog
from guardianship import casework
from guardianship.models import FollowUp
from oversight import discovery
from oversight.models import ListRow
from plans import services as plan_services
from plans.models import HelpPlan, Measure
from plans.services import NeedInput
from tests.factories import ChildFactory, valid_id

TODAY = timezone.localdate()
DUE = TODAY + datetime.timedelta(days=7)


def _follow_up(users, child, owner, text="联系学校"):
    conference = casework.conference_create(
        user=users.county_staff,
        child=child,
        held_on=TODAY,
        participants="民政、学校",
        summary="商定",
        decisions=[(text, owner, DUE)],
    )
    return conference.follow_ups.get()


def _plan(users, child, lead):
    plan = plan_services.plan_create(
        user=users.county_staff,
        child=child,
        kind="general",
        opened_on=TODAY,
        lead=lead,
        needs=[NeedInput(description="晚饭无人照料")],
    )
    measure = plan_services.measure_add(
        user=users.county_staff, plan=plan, description="每周家访", owner_kind="staff", owner=lead, due_on=DUE
    )
    return plan, measure


def _candidate(users, tree, director):
    csv = f"姓名,身份证号\n未建档一,{valid_id('370283')}\n".encode()
    outside = discovery.list_upload(
        user=users.county_staff, upload=SimpleUploadedFile("a.csv", csv), title="名单", source="学校", area=tree.t1
    )
    row = outside.rows.get()
    return discovery.candidate_assign(user=users.county_staff, row=row, director=director, village=tree.v1)


@pytest.fixture
def leaving(users, tree):
    """The director of v1, who also serves v2: only the village handed over changes hands."""
    users.director.areas.add(tree.v2)
    return users.director


@pytest.fixture
def work(users, tree, kids, leaving):
    a, b, v2 = kids["a"], kids["b"], kids["v2"]
    done = _follow_up(users, a, leaving, "已办结的事项")
    FollowUp.objects.filter(pk=done.pk).update(done_on=TODAY)
    plan, measure = _plan(users, a, leaving)
    return {
        "fa": _follow_up(users, a, leaving),
        "fb": _follow_up(users, b, leaving),
        "f_v2": _follow_up(users, v2, leaving),  # in v2, which is not handed over
        "done": done,
        "plan": plan,
        "measure": measure,
        "candidate": _candidate(users, tree, leaving),
    }


def _post(client, leaving, receiver, village=None, release="on"):
    data = {"leaving": leaving.pk, "receiving": receiver.pk, "release": release}
    if village is not None:
        data["village"] = village.code
    return client.post(reverse("bulk:reassign"), data)


def test_a_villages_open_work_goes_to_the_receiving_director(client, users, tree, kids, leaving, receiver, work):
    client.force_login(users.supervisor)
    response = _post(client, leaving, receiver, village=tree.v1)
    run = BulkRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("bulk:run", args=[run.pk])
    owners = dict(FollowUp.objects.values_list("pk", "owner_id"))
    assert owners[work["fa"].pk] == owners[work["fb"].pk] == receiver.pk
    assert owners[work["f_v2"].pk] == owners[work["done"].pk] == leaving.pk  # another village; already done
    assert Measure.objects.get(pk=work["measure"].pk).owner_id == receiver.pk
    assert HelpPlan.objects.get(pk=work["plan"].pk).lead_id == receiver.pk
    assert ListRow.objects.get(pk=work["candidate"].pk).assigned_to_id == receiver.pk
    # Hand-counted: two follow-ups, one measure, one plan, one candidate.
    assert (run.done, run.refused) == (5, 0)
    # The village left the leaving director's areas (its children are the receiver's alone); v2 stays theirs.
    assert set(leaving.areas.values_list("pk", flat=True)) == {tree.v2.code}
    # History: the measure's, the plan's and the candidate's own rows name who handed them over and why.
    for obj in (work["measure"], work["plan"], work["candidate"]):
        last = type(obj).history.filter(id=obj.pk).order_by("-history_id").first()
        assert last.history_user_id == users.supervisor.pk and "移交" in last.history_change_reason
    # The follow-up (no history of its own) is in the run's items.
    assert set(run.items.filter(record__startswith="follow_up:").values_list("record", flat=True)) == {
        f"follow_up:{work['fa'].pk}",
        f"follow_up:{work['fb'].pk}",
    }
    assert Notification.objects.filter(user=receiver, key=f"bulk-reassign:{run.pk}").exists()
    assert set(AccessLog.objects.filter(user=users.supervisor).values_list("child_id", flat=True)) == {
        kids["a"].pk,
        kids["b"].pk,
    }
    page = client.get(response["Location"]).content.decode()
    assert "已完成 5" in page and "未执行 0" in page


def test_every_village_of_the_leaving_director_when_none_is_chosen(client, users, tree, leaving, receiver, work):
    receiver.areas.add(tree.v2)
    client.force_login(users.county_staff)
    _post(client, leaving, receiver, release="")
    assert not FollowUp.objects.filter(owner=leaving, done_on__isnull=True).exists()
    assert set(leaving.areas.values_list("pk", flat=True)) == {tree.v1.code, tree.v2.code}  # not released


def _unchanged(leaving, tree):
    assert FollowUp.objects.filter(owner=leaving).count() == 4
    assert Measure.objects.filter(owner=leaving).count() == 1 and HelpPlan.objects.filter(lead=leaving).count() == 1
    assert ListRow.objects.filter(assigned_to=leaving).count() == 1
    assert set(leaving.areas.values_list("pk", flat=True)) == {tree.v1.code, tree.v2.code}
    assert not BulkRun.objects.exists()


def test_the_receiving_director_must_serve_the_village(client, users, tree, leaving, receiver, work):
    client.force_login(users.supervisor)
    response = _post(client, leaving, users.other_director, village=tree.v1)  # other_director serves v2 only
    assert response.status_code == 200 and "不服务东关村" in response.content.decode()
    response = _post(client, leaving, receiver, release="")  # every village: the receiver does not serve v2
    assert response.status_code == 200
    response = _post(client, leaving, leaving, village=tree.v1)
    assert response.status_code == 200
    _unchanged(leaving, tree)


def test_outside_the_users_area_nothing_changes(client, users, tree, leaving, receiver, work):
    client.force_login(users.other_supervisor)  # the other township
    response = _post(client, leaving, receiver, village=tree.v1)
    assert response.status_code == 200
    client.force_login(users.other_county_staff)
    assert _post(client, leaving, receiver, village=tree.v1).status_code == 200
    client.force_login(users.director)  # a director does not hand over anyone's work
    assert client.get(reverse("bulk:reassign")).status_code == 404
    assert _post(client, leaving, receiver, village=tree.v1).status_code == 404
    _unchanged(leaving, tree)


def _queries(users, tree, leaving, receiver, n):
    for i in range(n):
        child = ChildFactory(village=tree.v1, name=f"批量{i}")
        _follow_up(users, child, leaving)
        _plan(users, child, leaving)
    villages = [tree.v1]
    with CaptureQueriesContext(connection) as ctx:
        services.reassign(user=users.supervisor, villages=villages, leaving=leaving, receiving=receiver, release=True)
    return len(ctx.captured_queries)


def test_the_hand_over_takes_a_constant_number_of_queries(users, tree, leaving, receiver):
    _queries(users, tree, leaving, receiver, 1)  # the first run fills the process's caches
    leaving.areas.add(tree.v1)
    few = _queries(users, tree, leaving, receiver, 2)
    leaving.areas.add(tree.v1)
    many = _queries(users, tree, leaving, receiver, 12)
    assert few == many
    assert many <= 30


def test_a_director_whose_account_is_disabled_already_is_handed_over(client, users, tree, leaving, receiver, work):
    from accounts.services import users_disable

    users_disable(user_ids=[leaving.pk])
    client.force_login(users.supervisor)
    assert _post(client, leaving, receiver, village=tree.v1).status_code == 302
    assert FollowUp.objects.get(pk=work["fa"].pk).owner_id == receiver.pk
    leaving.refresh_from_db()
    _post(client, receiver, leaving, village=tree.v1)  # nobody hands over to a disabled account
    assert FollowUp.objects.get(pk=work["fa"].pk).owner_id == receiver.pk
