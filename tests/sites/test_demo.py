"""The demo's sites step: the demo county gets workstations and children's homes, opening days and one positive
psychological screening; the sites pages and the dashboard render on it."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from psychology.models import Screening
from sites.models import Site, SiteOpening


@pytest.mark.django_db
def test_seed_demo_adds_the_sites_demo(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", children=300, no_visits=True, verbosity=0)
    assert Site.objects.filter(kind="workstation").exists() and Site.objects.filter(kind="children_home").exists()
    assert SiteOpening.objects.count() == 7
    screening = Screening.objects.get()
    assert screening.proposal is not None
    client.force_login(User.objects.get(username="county"))
    for url in (reverse("sites:list"), reverse("sites:holiday_safety"), reverse("dashboards:area", args=["370283"])):
        assert client.get(url).status_code == 200, url
    assert 'id="site-operation"' in client.get(reverse("dashboards:area", args=["370283"])).content.decode()
    from demo.sites import seed_sites

    assert seed_sites() == {}  # seeding again adds nothing
