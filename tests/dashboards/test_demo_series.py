"""The demo's dashboards show a monthly series of months (issue 17), not one row: seed_demo writes the twelve months
before this one, as the monthly snapshot task would have."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from dashboards.models import ComplianceSnapshot


@pytest.mark.django_db
def test_the_demo_has_twelve_past_months_of_snapshots(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", children=300, verbosity=0)
    this_month = timezone.localdate().replace(day=1)
    months = sorted(set(ComplianceSnapshot.objects.values_list("month", flat=True)))
    assert len(months) == 12 and months[-1] < this_month
    first = this_month
    for _ in range(12):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    assert months[0] == first
