import pytest
from django.urls import reverse

from accounts.models import Role
from tests.factories import UserFactory


@pytest.mark.parametrize(
    ("role", "area", "ok"),
    [
        (Role.DIRECTOR, "v1", True),
        (Role.DIRECTOR, "county", False),
        (Role.SUPERVISOR, "t1", True),
        (Role.CIVIL_AFFAIRS, "county", True),
        (Role.CIVIL_AFFAIRS, "v1", False),
    ],
)
def test_a_users_areas_must_match_the_roles_level(admin_client, tree, role, area, ok):
    user = UserFactory(role=Role.DIRECTOR, areas=[tree.v1])
    url = reverse("admin:accounts_user_change", args=[user.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {
        k: v
        for k, v in form.initial.items()
        if v is not None and k not in ("password", "groups", "user_permissions", "areas")
    }
    data.update(
        {"role": role, "areas": [getattr(tree, area).code], "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00"}
    )
    response = admin_client.post(url, data)
    user.refresh_from_db()
    assert (response.status_code == 302) is ok
    expected = getattr(tree, area).code if ok else tree.v1.code
    assert list(user.areas.values_list("code", flat=True)) == [expected]


def test_users_can_be_disabled_but_not_deleted_in_the_admin(client, users):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    admin_user = get_user_model().objects.create_superuser("root-admin", "r@example.cn", "Adm1n!pass")
    client.force_login(admin_user)
    target = users.director
    assert client.get(reverse("admin:accounts_user_delete", args=[target.pk])).status_code == 403
    page = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert "delete_selected" not in page and "disable_users" in page
    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "delete_selected", "_selected_action": [target.pk], "post": "yes"},
    )
    assert get_user_model().objects.filter(pk=target.pk).exists()
