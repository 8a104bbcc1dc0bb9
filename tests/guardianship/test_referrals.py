import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from guardianship import referrals
from guardianship.models import Referral

DUE = timezone.localdate() + datetime.timedelta(days=14)


def _send(users, child, **kw):
    return referrals.referral_send(
        user=users.county_staff,
        child=child,
        department=users.department,
        service="psychological",
        reason="情绪低落，需心理疏导",
        due_on=DUE,
        **kw,
    )


def test_a_liaison_sees_a_referred_child_only_while_the_referral_is_open(client, users, tree, child):
    from tests.factories import ChildFactory

    other = ChildFactory(village=tree.v1, name="另一个孩子")
    client.force_login(users.liaison)
    detail = reverse("children:detail", args=[child.pk])
    assert client.get(detail).status_code == 404
    r = _send(users, child)
    assert Notification.objects.filter(user=users.liaison, key=f"referral:{r.pk}").exists()
    response = client.get(detail)
    body = response.content.decode()
    assert response.status_code == 200
    # Only what the service needs: no ID number, no family, no address; the referral is there.
    assert child.id_number not in body and child.id_number[:6] not in body and "family" not in body
    assert "情绪低落" in body
    assert client.get(reverse("children:detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("children:edit", args=[child.pk])).status_code == 404  # shared: below the archive
    referrals.referral_move(user=users.liaison, referral=r, status="accepted")
    referrals.referral_move(user=users.liaison, referral=r, status="done", note="已完成6次心理辅导")
    assert client.get(detail).status_code == 404


def test_access_stays_while_another_referral_to_the_same_department_is_open(client, users, child):
    first, second = _send(users, child), _send(users, child)
    referrals.referral_move(user=users.liaison, referral=first, status="declined", note="非本部门职责")
    client.force_login(users.liaison)
    assert client.get(reverse("children:detail", args=[child.pk])).status_code == 200
    referrals.referral_move(user=users.liaison, referral=second, status="declined", note="转其他机构")
    assert client.get(reverse("children:detail", args=[child.pk])).status_code == 404


@pytest.mark.parametrize(
    ("path", "ok"),
    [
        (["accepted", "in_progress", "done"], True),
        (["declined"], True),
        (["declined", "accepted"], False),  # accepting a declined referral
        (["in_progress"], False),
        (["accepted", "in_progress", "declined"], False),
    ],
)
def test_referral_state_machine(users, child, path, ok):
    r = _send(users, child)
    done = []
    try:
        for status in path:
            r = referrals.referral_move(user=users.liaison, referral=r, status=status, note="说明")
            done.append(status)
    except ValidationError:
        assert not ok
        r.refresh_from_db()
        assert r.status == (done[-1] if done else "sent")
    else:
        assert ok


def test_declining_needs_a_reason_and_only_the_department_acts(users, child):
    r = _send(users, child)
    with pytest.raises(ValidationError):
        referrals.referral_move(user=users.liaison, referral=r, status="declined", note=" ")
    with pytest.raises(PermissionDenied):
        referrals.referral_move(user=users.county_staff, referral=r, status="accepted")
    assert Referral.objects.get(pk=r.pk).status == "sent"


def test_a_referral_to_a_department_of_another_county_is_refused(users, tree, child):
    from django.core.exceptions import ValidationError

    from guardianship.models import Referral
    from tests.factories import DepartmentFactory

    elsewhere = DepartmentFactory(area=tree.other_county)
    with pytest.raises(ValidationError) as exc:
        referrals.referral_send(
            user=users.county_staff,
            child=child,
            department=elsewhere,
            service="psychological",
            reason="x",
            due_on=datetime.date.today() + datetime.timedelta(days=3),
        )
    assert "department" in exc.value.error_dict
    assert not Referral.objects.exists()
    city_dept = DepartmentFactory(area=tree.city)  # the city above the child's county: accepted
    referrals.referral_send(
        user=users.county_staff,
        child=child,
        department=city_dept,
        service="psychological",
        reason="x",
        due_on=datetime.date.today() + datetime.timedelta(days=3),
    )
    assert Referral.objects.count() == 1
