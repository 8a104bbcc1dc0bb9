"""Hand-counted data for the dashboards, on the shared area tree (tests/conftest.py `tree`).

County 平度市 (370283):
  township 东阁街道 (t1)
    village v1: A orphan, red, complete, home visit 10 days ago, an old (ended) orphan allowance
                B rural left-behind, green, complete, caregiver with a signed agreement, home visit 200 days ago
                C rural left-behind, yellow, caregiver without agreement, no guardian, never visited
    village v2: D key difficulty, orange, complete, dibao in force, home visit 10 days ago
  township 南村镇 (t2)
    village v3: E orphan, green, no address, home visit 10 days ago;  F closed archive (never counted)
County 胶州市 (370281): village v4: G orphan, not in 平度市.

Expected (平度市): 5 open; colours red 1, orange 1, yellow 1, green 2; left-behind 2, signed 1;
welfare eligible 3 (A, D, E), covered 1 (D); complete 3 (A, B, D); missing guardian 1 (C), home visit 1 (C),
address 1 (E); with a rule 5, compliant 3 (A, D, E), overdue 2 (B, C);
open reports 1 (v1), open referrals 1 (A), interventions in force 1 (C).
"""

import datetime
import uuid
from types import SimpleNamespace

import pytest
from django.utils import timezone

from children.models import EntrustedCare, FamilyMember, WelfareCoverage
from guardianship.models import Intervention, Referral, Report
from tests.factories import CategoryFactory, ChildFactory
from visits import schedule
from visits.models import Visit

REGISTERED = datetime.date(2025, 1, 1)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The named users' passwords are hashed with a fast hasher here: these tests are about figures, not sign-in."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def visit(child, days_ago: int | None = None, *, on: datetime.date | None = None, kind: str = "home"):
    day = on or timezone.localdate() - datetime.timedelta(days=days_ago)
    return Visit.objects.create(
        child=child,
        kind=kind,
        visit_date=day,
        visited_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(9))),
    )


def make_child(village, category, *, colour="green", address="村中路1号", guardian=True, **kw):
    child = ChildFactory(
        village=village, colour=colour, address=address, enrolment="enrolled", registered_on=REGISTERED, **kw
    )
    CategoryFactory(child=child, category=category, started_on=REGISTERED)
    if guardian:
        FamilyMember.objects.create(child=child, relation="grandparent", name="李奶奶", is_guardian=True)
    return child


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """City and province figures are cached: each test gets a fresh in-process cache of its own."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex},
    }


@pytest.fixture
def county_data(tree, users):
    today = timezone.localdate()
    a = make_child(tree.v1, "orphan_scattered", colour="red")
    visit(a, 10)
    WelfareCoverage.objects.create(
        child=a, kind="orphan_allowance", started_on=REGISTERED, ended_on=today - datetime.timedelta(days=30)
    )
    b = make_child(tree.v1, "left_behind_rural", colour="green")
    EntrustedCare.objects.create(child=b, caregiver_name="王五", relation="grandparent", agreement_signed=True)
    visit(b, 200)
    c = make_child(tree.v1, "left_behind_rural", colour="yellow", guardian=False)
    EntrustedCare.objects.create(child=c, caregiver_name="赵六", relation="other_relative", agreement_signed=False)
    d = make_child(tree.v2, "key_difficulty", colour="orange")
    WelfareCoverage.objects.create(child=d, kind="dibao", started_on=REGISTERED)
    visit(d, 10)
    e = make_child(tree.v3, "orphan_scattered", address="")
    visit(e, 10)
    f = make_child(tree.v3, "orphan_scattered", colour="red", status="closed", closed_on=today)
    g = make_child(tree.v4, "orphan_scattered", colour="red")
    visit(g, 10)

    now = timezone.now()
    report = dict(found_at=now, what_found="…", harm_type="neglect", reported_to="civil_affairs", reported_at=now)
    Report.objects.create(child=a, area=tree.v1, **report)
    Report.objects.create(child=b, area=tree.v1, status="closed", **report)
    Report.objects.create(child=g, area=tree.v4, **report)
    referral = dict(department=users.department, service="psychological", reason="…", due_on=today)
    Referral.objects.create(child=a, **referral)
    Referral.objects.create(child=b, status="done", **referral)
    Referral.objects.create(child=g, **referral)
    Intervention.objects.create(child=c, kind="dissuasion", issuing_body="村委会", issued_on=today)
    Intervention.objects.create(child=a, kind="dissuasion", issuing_body="村委会", issued_on=today, active=False)
    schedule.refresh()
    return SimpleNamespace(a=a, b=b, c=c, d=d, e=e, f=f, g=g)
