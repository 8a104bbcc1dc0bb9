"""The demo's pairing step: 平度市 gets helpers and organisations with Chinese names and valid registration codes,
the demo director's first village pairings (one contacted lately, two quiet, one ended) and the daily reminder tells
the director of the quiet ones; the registry, no-contact and missed-counties pages render on it; seeding again adds
nothing."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Notification, User
from pairing import reminders, rules
from pairing.models import Helper, Organisation, Pairing
from sites.models import Site

CHINESE = re.compile(r"^[\u4e00-\u9fff（）]+$")


@pytest.mark.django_db
def test_seed_demo_adds_helpers_organisations_and_pairings(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.PAIRING_NO_CONTACT_DAYS = 30
    call_command("seed_demo", children=300, no_visits=True, verbosity=0)
    helpers = list(Helper.objects.filter(county_id="370283"))
    assert len(helpers) == 6 and all(CHINESE.match(h.name) and CHINESE.match(h.unit) for h in helpers)
    organisations = list(Organisation.objects.all())
    assert len(organisations) == 3 and all(rules.credit_code_ok(o.registration_number) for o in organisations)
    assert all(CHINESE.match(o.name) for o in organisations)
    first = Pairing.objects.filter(child__village_id="370283001001")
    assert first.count() == 4 and first.filter(to_on__isnull=False).count() == 1
    assert Pairing.objects.filter(child__village_id="370283001002").count() == 1
    assert Site.objects.filter(area__code__startswith="370283").exists()  # the sites step, still there

    director = User.objects.get(username="director")
    client.force_login(director)
    quiet = client.get(reverse("pairing:quiet"))
    assert quiet.status_code == 200
    listed = {int(pk) for pk in re.findall(r'data-pairing="(\d+)"', quiet.content.decode())}
    assert len(listed) == 2 and listed <= set(first.values_list("pk", flat=True))
    assert client.get(reverse("pairing:pairing", args=[min(listed)])).status_code == 200
    # The daily reminder tells the director of the two quiet pairings, once.
    reminders.daily()
    reminders.daily()
    assert Notification.objects.filter(user=director, key__startswith="pairing-quiet:").count() == 2

    client.force_login(User.objects.get(username="county"))
    assert client.get(reverse("pairing:helpers")).status_code == 200
    assert client.get(reverse("pairing:organisations")).status_code == 200
    assert client.get(reverse("pairing:counties_missed")).context["rows"] == []  # 平度市 fostered one this year
    client.force_login(User.objects.get(username="city"))
    missed = client.get(reverse("pairing:counties_missed")).context["rows"]
    assert [c.code for c in missed] == ["370281"]  # 胶州市 has none

    from demo.pairing import seed_pairing

    assert seed_pairing() == {}
