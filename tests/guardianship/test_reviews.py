"""Intervention reviews and temporary placements are reminded and kept (issue 15), and a visit that finds the
caregiver unable to care opens a follow-up tracked until done."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from guardianship import casework, sweep
from guardianship.models import FollowUp, Intervention, TemporaryPlacement
from tests.factories import UserFactory
from visits import services as visit_services
from visits.models import Visit

TODAY = timezone.localdate()
BEIJING = datetime.timezone(datetime.timedelta(hours=8))


def _intervention(users, child, institution="", **kw):
    data = {"kind": "supervision_order", "issuing_body": "平度市人民检察院", "issued_on": TODAY}
    data.update(kw)
    return casework.intervention_create(
        user=users.county_staff, child=child, intervention=Intervention(**data), institution=institution
    )


def _keys(prefix: str) -> set[tuple[str, str]]:
    return set(Notification.objects.filter(key__startswith=prefix).values_list("user__username", "key"))


def test_an_intervention_review_is_reminded_to_the_county_before_on_and_once_after(users, child):
    review = TODAY + datetime.timedelta(days=5)
    i = _intervention(users, child, review_on=review)
    sweep.daily(today=TODAY - datetime.timedelta(days=3))  # 8 days ahead: not yet
    assert not _keys("intervention-review:")
    sweep.daily(today=TODAY)
    sweep.daily(today=TODAY + datetime.timedelta(days=1))
    assert _keys("intervention-review:") == {("county_staff", f"intervention-review:{i.pk}:{review}:soon")}
    sweep.daily(today=review)
    for n in (1, 2, 3):
        sweep.daily(today=review + datetime.timedelta(days=n))
    assert _keys("intervention-review:") == {
        ("county_staff", f"intervention-review:{i.pk}:{review}:{stage}") for stage in ("soon", "due", "overdue")
    }


def test_an_ended_intervention_is_not_reminded(users, child):
    _intervention(users, child, review_on=TODAY, active=False)
    sweep.daily(today=TODAY)
    assert not _keys("intervention-review:")


def test_reviews_are_in_the_worklist_of_the_childs_county_staff(client, users, tree, child):
    i = _intervention(users, child, review_on=TODAY + datetime.timedelta(days=2))
    _intervention(users, child, review_on=TODAY + datetime.timedelta(days=30))  # far off: not yet
    t = _intervention(
        users,
        child,
        kind="temporary_guardianship",
        placement="relatives",
        institution="外祖母家",
        issued_on=TODAY - datetime.timedelta(days=10),
        review_on=TODAY - datetime.timedelta(days=1),
    )
    placement = TemporaryPlacement.objects.get(intervention=t)
    client.force_login(users.county_staff)
    reviews = client.get(reverse("visits:worklist")).context["reviews"]
    assert [(type(r).__name__, r.pk, r.stage) for r in reviews] == [
        ("Intervention", t.pk, "overdue"),
        ("TemporaryPlacement", placement.pk, "overdue"),
        ("Intervention", i.pk, "soon"),
    ]
    city_staff = UserFactory(username="city_staff", role="civil_affairs", areas=[tree.city])
    for user in (users.other_county_staff, users.director, users.supervisor, city_staff):
        client.force_login(user)  # the county answers for reviews, not the city above it
        assert client.get(reverse("visits:worklist")).context["reviews"] == [], user.username


def test_temporary_guardianship_keeps_a_history_of_placements(client, users, child):
    start = TODAY - datetime.timedelta(days=40)
    moved = TODAY - datetime.timedelta(days=10)
    t = _intervention(
        users, child, kind="temporary_guardianship", placement="relatives", institution="外祖母家", issued_on=start
    )
    first = TemporaryPlacement.objects.get(child=child)
    assert (first.kind, first.institution, first.from_on, first.to_on) == ("relatives", "外祖母家", start, None)
    second = casework.placement_start(
        user=users.county_staff,
        child=child,
        kind="welfare_institution",
        institution="青岛市儿童福利院",
        address="青岛市市北区",
        from_on=moved,
        review_on=TODAY + datetime.timedelta(days=3),
    )
    first.refresh_from_db()
    assert first.to_on == moved and second.to_on is None and second.intervention == t
    assert first.history.count() == 2  # opened, then closed
    with pytest.raises(ValidationError):  # a placement cannot start before the current one did
        casework.placement_start(user=users.county_staff, child=child, kind="foster", institution="李家", from_on=start)
    client.force_login(users.director)
    page = client.get(reverse("children:detail", args=[child.pk]))
    body = page.content.decode()
    assert "外祖母家" in body and "青岛市儿童福利院" in body
    assert [e.text for e in page.context["timeline"] if e.kind == "临时安置"] == [
        "儿童福利机构 · 青岛市儿童福利院",
        f"亲属抚养 · 外祖母家 · 结束日期 {moved:%Y-%m-%d}",
    ]
    sweep.daily(today=TODAY)
    assert _keys("placement-review:") == {("county_staff", f"placement-review:{second.pk}:{second.review_on}:soon")}
    casework.placement_end(user=users.county_staff, placement=second, to_on=TODAY)
    assert not TemporaryPlacement.objects.filter(to_on__isnull=True).exists()


def test_placement_pages_are_404_outside_the_area(client, users, child):
    casework.placement_start(
        user=users.county_staff, child=child, kind="foster", institution="李家寄养家庭", from_on=TODAY
    )
    placement = TemporaryPlacement.objects.get()
    client.force_login(users.other_county_staff)
    assert client.get(reverse("guardianship:placement_new", args=[child.pk])).status_code == 404
    assert client.get(reverse("guardianship:placement_end", args=[child.pk, placement.pk])).status_code == 404


# ---------------------------------------------------------------------------- a caregiver unable to care


def _visit(child, user, **kw):
    data = {
        "kind": "home",
        "visited_at": timezone.now() - datetime.timedelta(hours=1),
        "met_whom": "孩子和爷爷",
        "living_conditions": "fair",
        "caregiver_status": "poor",
        "safety_hazards": "无",
        "mood": "fair",
    }
    data.update(kw)
    return visit_services.visit_create(user=user, child=child, visit=Visit(**data))[0]


@time_machine.travel(datetime.datetime(2026, 11, 20, 15, 0, tzinfo=BEIJING), tick=False)
def test_a_caregiver_unable_to_care_opens_a_follow_up_tracked_until_done(client, users, child):
    today = datetime.date(2026, 11, 20)
    _visit(child, users.director)  # a poor rating alone opens nothing
    assert not FollowUp.objects.exists()
    visit = _visit(child, users.director, caregiver_unable=True)
    follow_up = FollowUp.objects.get()
    assert (follow_up.visit, follow_up.child, follow_up.owner) == (visit, child, users.director)
    assert follow_up.due_on == today + datetime.timedelta(days=7)
    assert "告知儿童父母" in follow_up.description and "重新选择被委托照护人" in follow_up.description
    visit_services.visit_update(user=users.director, visit=Visit.objects.get(pk=visit.pk))  # an edit: still one
    assert FollowUp.objects.count() == 1
    client.force_login(users.director)
    assert [f.pk for f in client.get(reverse("visits:worklist")).context["follow_ups"]] == [follow_up.pk]
    late = today + datetime.timedelta(days=8)
    sweep.daily(today=late)
    sweep.daily(today=late)
    assert _keys("followup-overdue:") == {
        ("director", f"followup-overdue:{follow_up.pk}"),
        ("county_staff", f"followup-overdue:{follow_up.pk}"),
    }
    client.post(reverse("guardianship:follow_up_done", args=[follow_up.pk]))
    assert FollowUp.objects.get().done_on == today
    assert client.get(reverse("visits:worklist")).context["follow_ups"] == []


def test_a_caregiver_unable_to_care_is_not_rated_good(users, child):
    with pytest.raises(ValidationError):
        _visit(child, users.director, caregiver_status="good", caregiver_unable=True)
    assert not Visit.objects.exists() and not FollowUp.objects.exists()


def test_the_visit_form_opens_the_follow_up(client, users, child):
    client.force_login(users.director)
    response = client.post(
        reverse("visits:new", args=[child.pk]),
        {
            "kind": "home",
            "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "met_whom": "孩子和爷爷",
            "living_conditions": "fair",
            "caregiver_status": "poor",
            "safety_hazards": "无",
            "mood": "fair",
            "caregiver_unable": "on",
        },
        follow=True,
    )
    assert FollowUp.objects.filter(child=child, owner=users.director, visit__isnull=False).count() == 1
    assert "已在您的“本周待访”中生成待办" in response.content.decode()
