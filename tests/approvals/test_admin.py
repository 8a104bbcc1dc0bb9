"""The regions' approval settings in the admin: every registered kind of change is offered, the default cannot be
deleted."""

import pytest
from django.urls import reverse

from approvals.models import ApprovalSetting
from tests.factories import UserFactory


@pytest.mark.django_db
def test_the_setting_form_offers_every_registered_kind(client, tree):
    admin = UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    body = client.get(reverse("admin:approvals_approvalsetting_add")).content.decode()
    for code in ("child_close", "category_add", "category_end", "category_proposal"):
        assert f'value="{code}"' in body
    response = client.post(
        reverse("admin:approvals_approvalsetting_add"),
        {"name": "平度市", "area": tree.county.code, "kind": "category_add", "approver_level": "county"},
    )
    assert response.status_code == 302
    setting = ApprovalSetting.objects.get(prefix="370283")
    assert (setting.kind, setting.required, setting.approver_level) == ("category_add", False, "county")
    default = ApprovalSetting.objects.get(prefix="")
    assert client.post(reverse("admin:approvals_approvalsetting_delete", args=[default.pk])).status_code == 403


@pytest.mark.django_db
def test_a_second_setting_for_the_same_region_and_kind_is_refused_in_words(client, tree):
    ApprovalSetting.objects.create(name="平度市", area=tree.county, kind="category_add", required=False)
    client.force_login(UserFactory(username="root", role="admin", is_staff=True, is_superuser=True))
    response = client.post(
        reverse("admin:approvals_approvalsetting_add"),
        {"name": "平度市（重复）", "area": tree.county.code, "kind": "category_add", "approver_level": "county"},
    )
    assert response.status_code == 200
    assert "already has a setting" in response.content.decode() or "已有这一类变更的设置" in response.content.decode()
    assert ApprovalSetting.objects.filter(prefix="370283").count() == 1
