import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from oversight import activities
from oversight.models import Activity
from tests.factories import ChildFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 20


def _activity(user, area, kind="safety_education", date=datetime.date(2026, 3, 1), children=()):
    return activities.activity_create(
        user=user,
        activity=Activity(kind=kind, date=date, area=area, place="村委会", topic=f"{kind}{date}"),
        participants=list(children),
    )


def test_a_childs_archive_shows_the_activities_it_joined(client, users, tree, child):
    other = ChildFactory(village=tree.v1)
    _activity(users.director, tree.v1, children=[child])
    _activity(users.director, tree.v1, date=datetime.date(2026, 4, 1), children=[other])
    client.force_login(users.director)
    body = client.get(reverse("children:detail", args=[child.pk])).content.decode()
    assert 'id="activities"' in body and "safety_education2026-03-01" in body
    assert "safety_education2026-04-01" not in body


def test_participants_are_resolved_by_id_number_among_visible_children_only(users, tree, child):
    outsider_child = ChildFactory(village=tree.v4)
    lowered = child.id_number[:-1] + child.id_number[-1].lower()
    assert activities.resolve_participants(users.director, f"{lowered}\n\n") == [child]
    with pytest.raises(ValidationError):
        activities.resolve_participants(users.director, outsider_child.id_number)


def test_who_records_where(users, tree, child):
    with pytest.raises(PermissionDenied):
        _activity(users.other_director, tree.v1)
    with pytest.raises(PermissionDenied):
        _activity(users.liaison, tree.v1)
    with pytest.raises(ValidationError):  # a child of another village in a village's activity
        _activity(users.supervisor, tree.v2, children=[child])
    with pytest.raises(ValidationError):  # a workstation activity is a township's
        _activity(users.director, tree.v1, kind="workstation")
    with pytest.raises(ValidationError):
        _activity(users.director, tree.v1, kind="home_schooling")  # nobody taught
    assert not Activity.objects.exists()
    _activity(users.supervisor, tree.t1, kind="workstation")


def test_participants_outside_the_viewers_area_are_counted_not_shown(client, users, tree, child):
    neighbour = ChildFactory(village=tree.v2, name="邻村孩子")
    activity = _activity(users.supervisor, tree.t1, kind="workstation", children=[child, neighbour])
    client.force_login(users.director)
    body = client.get(reverse("oversight:activity", args=[activity.pk])).content.decode()
    assert child.name in body and "邻村孩子" not in body


def test_photos_are_checked_by_content_and_served_with_access(client, users, tree):
    with pytest.raises(ValidationError):
        activities.activity_create(
            user=users.director,
            activity=Activity(
                kind="safety_education", date=datetime.date(2026, 3, 1), area=tree.v1, place="x", topic="t"
            ),
            participants=[],
            photos=[SimpleUploadedFile("x.png", b"<html>not a picture</html>")],
        )
    assert not Activity.objects.exists()
    client.force_login(users.director)
    response = client.post(
        reverse("oversight:activity_new"),
        {
            "kind": "safety_education",
            "date": "2026-03-01",
            "area": tree.v1.code,
            "place": "村小学",
            "topic": "防溺水",
            "guardian_count": 3,
            "photos": [SimpleUploadedFile("a.png", PNG)],
        },
    )
    activity = Activity.objects.get()
    assert response.status_code == 302 and activity.photos.count() == 1
    url = reverse("oversight:activity_photo", args=[activity.pk, activity.photos.get().pk])
    assert client.get(url)["Content-Type"] == "image/png"
    client.force_login(users.other_director)
    assert client.get(url).status_code == 404


@time_machine.travel(datetime.datetime(2026, 7, 15, 12, tzinfo=datetime.UTC))
def test_duty_gaps_list_the_missed_villages_quarters_and_home_schooling_months(users, tree):
    _activity(users.director, tree.v1, date=datetime.date(2026, 2, 1))  # v1 held its safety event
    _activity(users.supervisor, tree.t1, kind="workstation", date=datetime.date(2026, 2, 1))  # t1: Q1 only
    _activity(users.county_staff, tree.t2, kind="workstation", date=datetime.date(2026, 5, 1))  # t2: Q2 only
    taught = ChildFactory(village=tree.v1, enrolment="home_schooling", registered_on=datetime.date(2026, 4, 10))
    ChildFactory(village=tree.v1, enrolment="enrolled")
    for day in (3, 17):  # April: twice; May: twice; June: once
        _activity(users.director, tree.v1, kind="home_schooling", date=datetime.date(2026, 4, day), children=[taught])
        _activity(users.director, tree.v1, kind="home_schooling", date=datetime.date(2026, 5, day), children=[taught])
    _activity(users.director, tree.v1, kind="home_schooling", date=datetime.date(2026, 6, 3), children=[taught])
    gaps = activities.duty_gaps(users.county_staff, 2026)
    assert [v.code for v in gaps["villages_missed"]] == [tree.v2.code, tree.v3.code]
    assert gaps["villages_missed_n"] == 2
    assert gaps["quarters"] == [1, 2]  # July: the third quarter is still running
    assert [(t.code, q) for t, q in gaps["workstation_missed"]] == [(tree.t1.code, 2), (tree.t2.code, 1)]
    # Registered in April: January to March are not missed; June had one visit; July is still running.
    assert [(c.pk, m, n) for c, m, n in gaps["home_missed"]] == [(taught.pk, 6, 1)]
    # A director sees only their own village's gaps.
    mine = activities.duty_gaps(users.director, 2026)
    assert mine["villages_missed"] == [] and mine["workstation_missed"] == []
    assert len(mine["home_missed"]) == 1
    assert activities.duty_gaps(users.other_director, 2026)["home_missed"] == []


def test_a_large_area_types_the_area_code_instead_of_a_drop_down(client, users, tree, settings):
    from oversight import forms as oversight_forms

    settings.DEBUG = False
    client.force_login(users.county_staff)
    assert '<select name="area"' in client.get(reverse("oversight:activity_new")).content.decode()
    oversight_forms.MAX_AREA_CHOICES, saved = 2, oversight_forms.MAX_AREA_CHOICES
    try:
        body = client.get(reverse("oversight:activity_new")).content.decode()
        assert '<select name="area"' not in body and 'name="area"' in body
        data = {
            "kind": "safety_education",
            "date": "2026-03-01",
            "place": "村委会",
            "topic": "防溺水",
            "guardian_count": 0,
        }
        assert client.post(reverse("oversight:activity_new"), {**data, "area": tree.v4.code}).status_code == 200
        assert client.post(reverse("oversight:activity_new"), {**data, "area": tree.v3.code}).status_code == 302
    finally:
        oversight_forms.MAX_AREA_CHOICES = saved
    assert Activity.objects.get().area == tree.v3
