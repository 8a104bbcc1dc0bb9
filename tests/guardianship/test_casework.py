import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from guardianship import casework
from guardianship.models import CaseConference, FollowUp, Intervention

TODAY = timezone.localdate()


def _intervention(**kw):
    data = {"kind": "temporary_guardianship", "issuing_body": "平度市民政局", "issued_on": TODAY}
    data.update(kw)
    return Intervention(**data)


def test_temporary_guardianship_needs_a_placement(users, child):
    with pytest.raises(ValidationError):
        casework.intervention_create(user=users.county_staff, child=child, intervention=_intervention())
    with pytest.raises(ValidationError):  # and with whom: the placement's history starts here
        casework.intervention_create(
            user=users.county_staff, child=child, intervention=_intervention(placement="foster")
        )
    i = casework.intervention_create(
        user=users.county_staff, child=child, intervention=_intervention(placement="foster"), institution="李家寄养家庭"
    )
    assert i.placement == "foster" and i.created_by == users.county_staff
    other = casework.intervention_create(
        user=users.county_staff,
        child=child,
        intervention=_intervention(kind="supervision_order", placement="foster", issuing_body="平度市人民检察院"),
    )
    assert other.placement == ""  # a placement belongs only to temporary guardianship
    assert Intervention.objects.count() == 2


def test_interventions_refuse_future_dates_and_other_areas(users, child):
    with pytest.raises(ValidationError):
        casework.intervention_create(
            user=users.county_staff,
            child=child,
            intervention=_intervention(placement="relatives", issued_on=TODAY + datetime.timedelta(days=2)),
            institution="外祖母家",
        )
    with pytest.raises(PermissionDenied):
        casework.intervention_create(
            user=users.other_county_staff,
            child=child,
            intervention=_intervention(placement="relatives"),
            institution="外祖母家",
        )
    assert not Intervention.objects.exists()


def test_conference_decisions_show_in_the_owners_worklist(client, users, child):
    due = TODAY + datetime.timedelta(days=7)
    casework.conference_create(
        user=users.county_staff,
        child=child,
        held_on=TODAY,
        participants="民政、学校、派出所",
        summary="商定临时照料方案",
        decisions=[("联系学校安排寄宿", users.director, due), ("每周电话回访", users.supervisor, due)],
    )
    client.force_login(users.director)
    follow_ups = client.get(reverse("visits:worklist")).context["follow_ups"]
    assert [f.description for f in follow_ups] == ["联系学校安排寄宿"]
    client.force_login(users.supervisor)  # not the owner: cannot close someone else's follow-up
    mine = FollowUp.objects.get(owner=users.director)
    assert client.post(reverse("guardianship:follow_up_done", args=[mine.pk])).status_code == 404
    client.force_login(users.director)
    client.post(reverse("guardianship:follow_up_done", args=[mine.pk]))
    assert FollowUp.objects.get(pk=mine.pk).done_on == TODAY
    assert client.get(reverse("visits:worklist")).context["follow_ups"] == []


def test_a_follow_up_owner_must_work_in_the_childs_area(users, child):
    with pytest.raises(ValidationError):
        casework.conference_create(
            user=users.county_staff,
            child=child,
            held_on=TODAY,
            participants="x",
            summary="y",
            decisions=[("z", users.other_county_staff, TODAY)],
        )
    assert not CaseConference.objects.exists()


def test_the_conference_form_needs_owner_and_date_for_each_decision(client, users, child):
    client.force_login(users.county_staff)
    url = reverse("guardianship:conference_new", args=[child.pk])
    data = {
        "held_on": TODAY.isoformat(),
        "participants": "民政、学校",
        "summary": "会商",
        "decision_1": "安排心理辅导",
        "owner_1": users.director.pk,
        "due_1": TODAY.isoformat(),
        "decision_2": "只写了决定",
    }
    assert client.post(url, data).status_code == 200 and not CaseConference.objects.exists()
    del data["decision_2"]
    assert client.post(url, data).status_code == 302
    assert FollowUp.objects.get().owner == users.director
