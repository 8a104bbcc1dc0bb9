import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import Role
from guardianship import referrals
from guardianship.models import Referral
from pairing.models import Organisation
from tests.factories import UserFactory
from tests.pairing.conftest import TODAY, days_ago, organisation

DUE = TODAY + datetime.timedelta(days=14)
# Published examples of valid unified social credit codes (typed in, not computed by pairing.rules).
CODE_A, CODE_B = "91350100M000100Y43", "911100001000044477"


def test_an_organisation_receives_a_referral(client, tree, users, child):
    org = organisation(tree.county, CODE_A, fostered=days_ago(100), name="平度市阳光社工服务中心")
    client.force_login(users.county_staff)
    url = reverse("guardianship:referral_new", args=[child.pk])
    form = client.get(url).content.decode()
    assert "平度市阳光社工服务中心" in form
    response = client.post(
        url, {"organisation": org.pk, "service": "social_work", "reason": "需要社工个案跟进", "due_on": DUE.isoformat()}
    )
    assert response.status_code == 302
    r = Referral.objects.get(child=child)
    assert r.organisation == org and r.department is None and r.recipient == org
    # Listed and shown with the organisation as the recipient; on the child's archive too.
    assert "平度市阳光社工服务中心" in client.get(reverse("guardianship:referrals")).content.decode()
    assert "平度市阳光社工服务中心" in client.get(reverse("children:detail", args=[child.pk])).content.decode()
    # The county's civil affairs record the organisation's progress; a department liaison does not.
    assert referrals.can_act(users.county_staff, r) and not referrals.can_act(users.liaison, r)
    with pytest.raises(PermissionDenied):
        referrals.referral_move(user=users.liaison, referral=r, status="accepted")
    referrals.referral_move(user=users.county_staff, referral=r, status="accepted")
    r = referrals.referral_move(user=users.county_staff, referral=r, status="done", note="完成8次个案服务")
    assert r.status == "done" and r.result == "完成8次个案服务"
    # An organisation has no accounts: no one was given access to the child.
    client.force_login(users.liaison)
    assert client.get(reverse("children:detail", args=[child.pk])).status_code == 404
    assert client.get(reverse("guardianship:referral", args=[r.pk])).status_code == 404


def test_a_referral_goes_to_one_recipient_of_the_childs_county(client, tree, users, child):
    elsewhere = organisation(tree.other_county, CODE_A, fostered=days_ago(100))
    ended = organisation(tree.county, CODE_B, fostered=days_ago(400), to_on=days_ago(1))
    common = {"service": "social_work", "reason": "跟进", "due_on": DUE}
    for kw in ({"organisation": elsewhere}, {"organisation": ended}, {}):
        with pytest.raises(ValidationError):
            referrals.referral_send(user=users.county_staff, child=child, **common, **kw)
    with pytest.raises(ValidationError):
        referrals.referral_send(
            user=users.county_staff, child=child, department=users.department, organisation=ended, **common
        )
    client.force_login(users.county_staff)
    response = client.post(
        reverse("guardianship:referral_new", args=[child.pk]),
        {"department": users.department.pk, "service": "social_work", "reason": "x", "due_on": DUE.isoformat()},
    )
    assert response.status_code == 302  # a department alone still works
    own = organisation(tree.county, "91110108551385082Q", fostered=days_ago(10))
    response = client.post(
        reverse("guardianship:referral_new", args=[child.pk]),
        {
            "department": users.department.pk,
            "organisation": own.pk,
            "service": "social_work",
            "reason": "x",
            "due_on": DUE.isoformat(),
        },
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200 and "只能选择其一" in response.content.decode()
    assert Referral.objects.filter(child=child).count() == 1


def _counties(response) -> set[str]:
    return set(re.findall(r'data-county="(\d+)"', response.content.decode()))


def test_counties_without_a_new_child_welfare_organisation_this_year(client, tree, users):
    city_staff = UserFactory(username="city_staff", role=Role.CIVIL_AFFAIRS, areas=[tree.city])
    missed = reverse("pairing:counties_missed")
    client.force_login(city_staff)
    assert _counties(client.get(missed)) == {"370283", "370281"}
    # Other county: one fostered last year, one this year outside the child-welfare field: both still missed.
    organisation(tree.other_county, CODE_A, fostered=datetime.date(TODAY.year - 1, 12, 31))
    organisation(tree.other_county, CODE_B, fostered=datetime.date(TODAY.year, 1, 1), child_welfare=False)
    organisation(tree.county, "91110108551385082Q", fostered=datetime.date(TODAY.year, 1, 1))
    assert _counties(client.get(missed)) == {"370281"}
    assert _counties(client.get(missed + f"?year={TODAY.year - 1}")) == {"370283"}
    client.force_login(users.county_staff)  # a county sees itself only
    assert _counties(client.get(missed + f"?year={TODAY.year - 1}")) == {"370283"}
    assert _counties(client.get(missed)) == set()
    for user in (users.director, users.liaison):
        client.force_login(user)
        assert client.get(missed).status_code == 404


def test_registry_kept_by_the_countys_civil_affairs(client, tree, users):
    client.force_login(users.county_staff)
    data = {
        "name": "平度市青少年服务中心",
        "kind": "social_work",
        "child_welfare": "on",
        "county": tree.county.pk,
        "registration_number": "91350100m000100y43",
        "services": "心理疏导",
        "service_area": "平度市",
        "from_on": TODAY.isoformat(),
    }
    assert client.post(reverse("pairing:organisation_new"), data).status_code == 302
    org = Organisation.objects.get()
    assert org.registration_number == CODE_A and org.created_by == users.county_staff
    bad = {**data, "name": "另一家", "registration_number": "91350100M000100Y44"}
    response = client.post(reverse("pairing:organisation_new"), bad, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200 and "统一社会信用代码" in response.content.decode()
    assert Organisation.objects.count() == 1
    # Another county's staff: the row does not exist for them, nor the county in the form.
    client.force_login(users.other_county_staff)
    assert client.get(reverse("pairing:organisation_edit", args=[org.pk])).status_code == 404
    assert client.post(reverse("pairing:organisation_new"), {**data, "registration_number": CODE_B}).status_code == 200
    assert Organisation.objects.count() == 1
    client.force_login(users.director)
    assert client.get(reverse("pairing:organisations")).status_code == 404
    assert client.get(reverse("pairing:helper_new")).status_code == 404


def test_helper_registry(client, tree, users, django_assert_max_num_queries):
    client.force_login(users.county_staff)
    data = {
        "name": "赵阿姨",
        "kind": "caring_mother",
        "unit": "平度市妇联",
        "county": tree.county.pk,
        "from_on": TODAY.isoformat(),
    }
    assert client.post(reverse("pairing:helper_new"), data).status_code == 302
    for i in range(4):
        client.post(reverse("pairing:helper_new"), {**data, "name": f"志愿者{i}", "kind": "volunteer"})
    client.get(reverse("pairing:helpers"))
    with django_assert_max_num_queries(10):
        body = client.get(reverse("pairing:helpers")).content.decode()
    assert "赵阿姨" in body and "志愿者3" in body
    client.force_login(users.other_county_staff)
    assert "赵阿姨" not in client.get(reverse("pairing:helpers")).content.decode()


def test_the_api_names_the_organisation_of_a_referral(users, tree, child):
    from rest_framework.test import APIClient

    org = organisation(tree.county, CODE_A, fostered=days_ago(100), name="平度市阳光社工服务中心")
    r = referrals.referral_send(
        user=users.county_staff, child=child, organisation=org, service="social_work", reason="跟进", due_on=DUE
    )
    api = APIClient()
    api.force_login(users.county_staff)
    rows = api.get("/api/v1/referrals/").json()["results"]
    assert [(x["id"], x["department"], x["organisation"], x["organisation_name"]) for x in rows] == [
        (r.pk, None, org.pk, "平度市阳光社工服务中心")
    ]


def test_registry_and_county_lists_read_in_a_fixed_number_of_queries(
    client, tree, users, django_assert_max_num_queries
):
    from tests.factories import area

    city_staff = UserFactory(username="city_staff", role=Role.CIVIL_AFFAIRS, areas=[tree.city])
    client.force_login(city_staff)
    codes = iter(["91350100M000100Y43", "911100001000044477", "91110108551385082Q", "91440300708461136T"])
    organisation(tree.county, next(codes), fostered=days_ago(400))
    pages = [reverse("pairing:organisations"), reverse("pairing:counties_missed")]
    for url in pages:
        client.get(url)  # warm the session and the menu cache
    counts = []
    for url in pages:
        with django_assert_max_num_queries(10) as captured:
            client.get(url)
        counts.append(len(captured))
    for code in ("370285", "370211"):
        county = area(code, f"区{code}", "county", tree.city)
        organisation(county, next(codes), fostered=days_ago(400))
    for url, before in zip(pages, counts, strict=True):
        with django_assert_max_num_queries(before):
            client.get(url)
    assert _counties(client.get(pages[1])) >= {"370283", "370281", "370285", "370211"}
