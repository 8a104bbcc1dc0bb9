"""The demo's approvals step: the second county lets directors act directly, and one request of the demo
director waits in the township supervisor's worklist."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from approvals.models import Approval, ApprovalSetting


@pytest.mark.django_db
def test_seed_demo_adds_the_approvals_demo(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", children=300, no_visits=True, verbosity=0)
    assert ApprovalSetting.objects.get(prefix="370281").required is False
    approval = Approval.objects.get()
    assert (approval.kind, approval.proposed_by.username, approval.status) == ("category_add", "director", "proposed")
    client.force_login(User.objects.get(username="supervisor"))
    assert client.get(reverse("visits:worklist")).context["approvals"] == [approval]
    assert client.get(reverse("approvals:detail", args=[approval.pk])).status_code == 200
    from demo.approvals import seed_approvals

    assert seed_approvals() == {}  # seeding again adds nothing
