"""The demo's help-plan step: the demo director's first village gets a plan with measures in the director's
worklist; the plan pages and the missing-plans list render on it; seeding again adds nothing."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from plans.models import HelpPlan


@pytest.mark.django_db
def test_seed_demo_adds_help_plans(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", children=300, no_visits=True, verbosity=0)
    plans = list(HelpPlan.objects.filter(child__village_id="370283001001"))
    assert plans and all(p.is_open for p in plans)
    director = User.objects.get(username="director")
    client.force_login(director)
    worklist = client.get(reverse("visits:worklist"))
    assert any(m.plan_id == plans[0].pk for m in worklist.context["plan_measures"])
    assert client.get(reverse("plans:detail", args=[plans[0].child_id, plans[0].pk])).status_code == 200
    assert client.get(reverse("plans:review_new", args=[plans[0].child_id, plans[0].pk])).status_code == 200
    assert client.get(reverse("children:detail", args=[plans[0].child_id])).status_code == 200
    client.force_login(User.objects.get(username="county"))
    assert client.get(reverse("plans:missing")).status_code == 200
    from demo.plans import seed_plans

    assert seed_plans() == {}
