"""The psychological record is need-to-know (psychology.access): besides the project-wide walk (outsiders of other
areas get 404 on every child URL), users who read the child's archive but have no need to know get 404 too — an
administrator, a liaison whose department holds a referral of the child for another service, a liaison whose
department's psychological referral is closed — and nothing they try changes the record. Sites' object URLs answer
404 outside the user's areas."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from children.models import AccessLog, CareRecord
from psychology.models import CounsellingSession, Screening
from tests.factories import UserFactory
from tests.security.conftest import object_url_patterns

TODAY = timezone.localdate()


def _psych_urls(child):
    names = [n for n, _c in object_url_patterns() if n.startswith("psychology:")]
    assert {"psychology:record", "psychology:screening_new", "psychology:refer", "psychology:session_new"} <= set(names)
    return [(n, reverse(n, kwargs={"child_pk": child.pk})) for n in names]


def _site_urls(objects):
    from tests.sites.objects import OBJECT_KWARGS

    out = []
    for name, kwargs in OBJECT_KWARGS.items():
        out.append((name, reverse(name, kwargs={a: objects[k].pk for a, k in kwargs.items()})))
    return out


@pytest.fixture
def record(world):
    from psychology import services

    child = world.child
    screening = services.screening_record(
        user=world.users.director,
        child=child,
        screening=Screening(
            screened_on=TODAY, screener="镇中学心理教师", instrument="SDQ", level="positive", follow_up="转介卫健"
        ),
    )
    session = services.session_record(
        user=world.users.director,
        child=child,
        session=CounsellingSession(held_on=TODAY, counsellor="区心理咨询中心", notes="睡眠差，常做噩梦"),
    )
    return screening, session


def _walk(client, urls, child):
    failures = []
    for name, url in urls:
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code != 404:
                failures.append(f"{method.upper()} {name} -> {response.status_code}")
            assert "睡眠差".encode() not in response.content
    return failures


@pytest.mark.parametrize("who", ["other_director", "other_supervisor", "other_county_staff", "outsider_liaison"])
def test_users_of_other_areas_get_404_on_the_psychological_record_and_sites(client, world, record, who):
    user = getattr(world, who, None) or getattr(world.users, who)
    client.force_login(user)
    urls = _psych_urls(world.child) + (_site_urls(world.objects) if who != "outsider_liaison" else [])
    assert _walk(client, urls, world.child) == []


def test_roles_without_need_to_know_get_404_although_they_read_the_archive(client, world, record):
    """Readers of the archive who have no need to know: an administrator (EDIT on every archive), a non-liaison user
    sharing the child, a liaison whose department holds a referral for another service, and the psychological
    referral's liaison once the referral is closed."""
    from guardianship import referrals
    from guardianship.models import Referral
    from tests.factories import DepartmentFactory

    child = world.child
    admin = UserFactory(username="sysadmin", role="admin", is_staff=True, is_superuser=True)
    sharer = UserFactory(username="sharer", role="civil_affairs", areas=[world.tree.other_county])
    assign_perm("children.view_child", sharer, child)
    legal = DepartmentFactory(area=world.tree.county, name="平度市司法局", kind="justice")
    legal_liaison = UserFactory(username="legal_liaison", role="liaison", department=legal)
    referrals.referral_send(
        user=world.users.county_staff,
        child=child,
        department=legal,
        service="legal_aid",
        reason="法律援助",
        due_on=TODAY + datetime.timedelta(days=7),
    )
    client.force_login(legal_liaison)
    assert client.get(reverse("children:detail", kwargs={"pk": child.pk})).status_code == 200  # reads the archive
    before = (Screening.objects.count(), CounsellingSession.objects.count(), CareRecord.objects.count())
    for user in (admin, sharer, legal_liaison):
        client.force_login(user)
        logged = AccessLog.objects.filter(user=user).count()
        assert _walk(client, _psych_urls(child), child) == [], user.username
        assert AccessLog.objects.filter(user=user).count() == logged  # refused before the gate logs anything
    # The psychological referral's liaison reads it (read only) while the referral is open...
    client.force_login(world.users.liaison)
    record_url = reverse("psychology:record", kwargs={"child_pk": child.pk})
    response = client.get(record_url)
    assert response.status_code == 200 and "睡眠差" in response.content.decode()
    assert client.post(reverse("psychology:screening_new", kwargs={"child_pk": child.pk})).status_code == 404
    # ...and no longer once it is closed.
    psych = Referral.objects.get(child=child, service="psychological", department=world.users.department)
    referrals.referral_move(user=world.users.liaison, referral=psych, status="declined", note="非本部门职责")
    assert client.get(record_url).status_code == 404
    assert (Screening.objects.count(), CounsellingSession.objects.count(), CareRecord.objects.count()) == before


def test_the_childs_area_staff_read_it_and_the_gate_logs_the_read(client, world, record):
    child = world.child
    for user in (world.users.director, world.users.supervisor, world.users.county_staff):
        client.force_login(user)
        response = client.get(reverse("psychology:record", kwargs={"child_pk": child.pk}))
        assert response.status_code == 200, user.username
        assert "睡眠差" in response.content.decode()
        assert AccessLog.objects.filter(user=user, child=child, action="view").exists()


def test_the_archives_care_record_holds_no_counselling_notes(client, world, record):
    _screening, session = record
    care = CareRecord.objects.get(pk=session.care_record_id)
    assert care.kind == "psychological" and care.provider == "区心理咨询中心"
    assert "睡眠差" not in care.description


def test_positive_control_the_owners_reach_every_url(client, world, record):
    """The same URLs answer those entitled to them, so the 404s above are about access, not broken URLs."""
    for user in (world.users.director, world.users.supervisor, world.users.county_staff):
        client.force_login(user)
        for name, url in _psych_urls(world.child):
            assert client.get(url).status_code == 200, f"{user.username} {name}"
    client.force_login(world.users.county_staff)
    for name, url in _site_urls(world.objects):
        assert client.get(url).status_code == 200, name
