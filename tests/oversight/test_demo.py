"""The demo's oversight step: the demo county gets a ledger, trainings, activities and one spot check whose
finding reaches the demo director; the oversight pages render on it."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from oversight.models import Activity, DirectorProfile, Finding, SpotCheck, Training


@pytest.mark.django_db
def test_seed_demo_adds_the_oversight_demo(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", children=300, no_visits=True, verbosity=0)
    assert SpotCheck.objects.filter(county_id="370283").count() == 1
    assert DirectorProfile.objects.exists() and Training.objects.exists() and Activity.objects.exists()
    director = User.objects.get(username="director")
    assert Finding.objects.filter(child__village_id="370283001001", done_on__isnull=True).exists()
    client.force_login(director)
    assert "finding-" in client.get(reverse("visits:worklist")).content.decode()
    client.force_login(User.objects.get(username="county"))
    for name in (
        "oversight:index",
        "oversight:ledger",
        "oversight:coverage",
        "oversight:duties",
        "oversight:spot_checks",
    ):
        assert client.get(reverse(name)).status_code == 200, name
    # Seeding again adds no second spot check.
    from demo.oversight import seed_oversight

    assert seed_oversight() == {}
