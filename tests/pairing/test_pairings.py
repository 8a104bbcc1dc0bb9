import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from children.models import AccessLog
from pairing import services
from pairing.models import Helper, Pairing
from tests.factories import ChildFactory
from tests.pairing.conftest import TODAY, days_ago

QUIET = reverse("pairing:quiet")


def _pair(users, child, helper, start):
    return services.pairing_create(user=users.director, child=child, helper=helper, from_on=start, aims="每周辅导作业")


def _contact(user, pairing, on, kind="home_visit"):
    return services.contact_record(user=user, pairing=pairing, contacted_on=on, kind=kind, summary="辅导数学作业")


def _listed(response) -> set[int]:
    import re

    return {int(pk) for pk in re.findall(r'data-pairing="(\d+)"', response.content.decode())}


def test_pairing_without_contact_is_listed(client, settings, tree, users, helper):
    """30 days (the setting): never contacted since 60 days ago, last contact 31 days ago -> listed; last contact
    exactly 30 days ago, 10 days ago, paired 10 days ago, or ended -> not listed."""
    settings.PAIRING_NO_CONTACT_DAYS = 30
    kids = [ChildFactory(village=tree.v1) for _ in range(6)]
    never = _pair(users, kids[0], helper, days_ago(60))
    stale = _pair(users, kids[1], helper, days_ago(60))
    _contact(users.director, stale, days_ago(45))
    _contact(users.director, stale, days_ago(31))
    boundary = _pair(users, kids[2], helper, days_ago(60))
    _contact(users.director, boundary, days_ago(30))
    recent = _pair(users, kids[3], helper, days_ago(60))
    _contact(users.liaison, recent, days_ago(10))
    _contact(users.director, recent, days_ago(40))  # an older contact entered later does not move it back
    new = _pair(users, kids[4], helper, days_ago(10))
    ended = _pair(users, kids[5], helper, days_ago(90))
    services.pairing_end(user=users.director, pairing=ended, to_on=days_ago(5))
    recent.refresh_from_db()
    assert recent.last_contact_on == days_ago(10)

    client.force_login(users.director)
    response = client.get(QUIET)
    assert response.status_code == 200
    assert _listed(response) == {never.pk, stale.pk}
    assert new.pk not in _listed(client.get(QUIET)) and boundary.pk in _listed(client.get(QUIET + "?days=29"))
    # The page shows children's names: each is in the access log.
    assert AccessLog.objects.filter(user=users.director, child=kids[0]).exists()


def test_quiet_list_is_scoped_and_its_query_count_fixed(
    client, tree, users, helper, other_county_child, django_assert_max_num_queries
):
    other_helper = Helper.objects.create(
        name="王阿姨", kind="caring_mother", county=tree.other_county, from_on=days_ago(400)
    )
    services.pairing_create(
        user=users.other_county_staff, child=other_county_child, helper=other_helper, from_on=days_ago(100)
    )
    mine = [_pair(users, ChildFactory(village=tree.v1), helper, days_ago(100)) for _ in range(3)]
    client.force_login(users.director)
    client.get(QUIET)  # warm the session and the menu cache
    with django_assert_max_num_queries(12):
        response = client.get(QUIET)
    assert _listed(response) == {p.pk for p in mine}
    for _ in range(5):
        _pair(users, ChildFactory(village=tree.v1), helper, days_ago(100))
    with django_assert_max_num_queries(12):
        assert len(_listed(client.get(QUIET))) == 8
    client.force_login(users.other_director)  # another village of the same township
    assert _listed(client.get(QUIET)) == set()


def test_the_helpers_department_liaison_records_a_contact(client, users, child, helper, other_liaison):
    pairing = _pair(users, child, helper, days_ago(50))
    client.force_login(users.liaison)
    assert client.get(reverse("pairing:pairing", args=[pairing.pk])).status_code == 200
    assert _listed(client.get(QUIET)) == {pairing.pk}  # the department's own helpers' pairings
    # The liaison does not read the archive itself.
    assert client.get(reverse("children:detail", args=[child.pk])).status_code == 404
    url = reverse("pairing:contact_new", args=[pairing.pk])
    response = client.post(
        url, {"contacted_on": days_ago(2).isoformat(), "kind": "phone", "summary": "电话了解学习情况"}
    )
    assert response.status_code == 302
    pairing.refresh_from_db()
    assert pairing.last_contact_on == days_ago(2)
    assert AccessLog.objects.filter(user=users.liaison, child=child).exists()

    client.force_login(other_liaison)  # another department: the pairing does not exist for them
    assert client.get(reverse("pairing:pairing", args=[pairing.pk])).status_code == 404
    assert client.post(url, {"contacted_on": TODAY.isoformat(), "kind": "phone", "summary": "x"}).status_code == 404
    with pytest.raises(PermissionDenied):
        _contact(other_liaison, pairing, TODAY)


def test_bad_contact_dates_change_nothing(client, users, child, helper):
    pairing = _pair(users, child, helper, days_ago(20))
    client.force_login(users.director)
    url = reverse("pairing:contact_new", args=[pairing.pk])
    for day, message in ((days_ago(21), "联系日期不能早于结对开始"), (days_ago(-1), "日期不能晚于今天")):
        response = client.post(
            url, {"contacted_on": day.isoformat(), "kind": "phone", "summary": "x"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
        assert response.status_code == 200
        assert message in response.content.decode()
    pairing.refresh_from_db()
    assert pairing.last_contact_on is None and not pairing.contacts.exists()


def test_pairing_from_the_archive(client, tree, users, child, helper, other_county_child):
    client.force_login(users.director)
    url = reverse("pairing:pairing_new", args=[child.pk])
    response = client.post(url, {"helper": helper.pk, "aims": "学业辅导", "from_on": days_ago(1).isoformat()})
    assert response.status_code == 302
    pairing = Pairing.objects.get(child=child)
    assert pairing.helper == helper and pairing.created_by == users.director
    page = client.get(reverse("children:detail", args=[child.pk])).content.decode()
    assert 'id="pairings"' in page and "李老师" in page
    # Paired twice with the same helper at once: refused, nothing changes.
    response = client.post(url, {"helper": helper.pk, "from_on": TODAY.isoformat()})
    assert response.status_code == 200 and Pairing.objects.filter(child=child).count() == 1
    # A helper of another county is not offered; the service refuses it too.
    with pytest.raises(ValidationError):
        services.pairing_create(user=users.other_county_staff, child=other_county_child, helper=helper, from_on=TODAY)
    # Outsiders: the child does not exist for them.
    client.force_login(users.other_director)
    assert client.get(url).status_code == 404
    assert client.get(reverse("pairing:pairing", args=[pairing.pk])).status_code == 404
    client.force_login(users.supervisor)  # area staff of the township change archives too
    assert client.get(reverse("pairing:pairing", args=[pairing.pk])).status_code == 200
    assert client.get(url).status_code == 200


def test_ending_a_pairing_keeps_it_and_its_history(client, users, child, helper):
    pairing = _pair(users, child, helper, days_ago(30))
    client.force_login(users.director)
    response = client.post(reverse("pairing:pairing_end", args=[pairing.pk]), {"to_on": TODAY.isoformat()})
    assert response.status_code == 302
    pairing.refresh_from_db()
    assert pairing.to_on == TODAY and pairing.history.count() == 2
    with pytest.raises(ValidationError):
        _contact(users.director, pairing, TODAY)


def test_the_childs_timeline_shows_the_pairing_and_its_contacts(client, users, child, helper):
    from guardianship import timeline

    pairing = _pair(users, child, helper, days_ago(20))
    _contact(users.liaison, pairing, days_ago(5), kind="phone")
    client.force_login(users.director)
    events = client.get(reverse("children:detail", args=[child.pk])).context["timeline"]
    mine = [(e.day, e.kind, e.text, e.url) for e in events if e.url == reverse("pairing:pairing", args=[pairing.pk])]
    assert mine == [
        (days_ago(5), "帮扶人联系", "李老师 · 电话 · 辅导数学作业", mine[0][3]),
        (days_ago(20), "与帮扶人结对", "李老师 · 每周辅导作业", mine[1][3]),
    ]
    assert timeline._rows(child, None) == timeline._orm_rows(child, None)
