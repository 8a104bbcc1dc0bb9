"""Fixtures of the API tests: service accounts and their clients, one per county and per department, and children
with ID numbers typed in (checked by hand: GB 11643 check digits)."""

import datetime
from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from accounts.models import Role
from api.models import ApiClient, Scope
from tests.factories import ChildFactory, DepartmentFactory, UserFactory

ALL_SCOPES = list(Scope.values)

# Valid ID numbers (region, birth date, sequence, check digit), typed in.
ID_A = "370283201506011230"  # 平度市, 2015-06-01
ID_A2 = "370283201603124560"  # 平度市, 2016-03-12
ID_B = "370281201407207892"  # 胶州市, 2014-07-20


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """Rate-limit counters in a fresh per-test cache."""
    settings.CACHES = {**settings.CACHES, "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()


def make_client(user, *, department=None, area=None, scopes=None, rate=1000, expires_on=None, name="系统"):
    client = ApiClient.objects.create(
        name=name,
        user=user,
        department=department,
        area=area,
        scopes=ALL_SCOPES if scopes is None else scopes,
        rate_per_minute=rate,
        expires_on=expires_on or datetime.date(2099, 12, 31),
    )
    client.full_clean()
    client.key = client.issue_key()
    return client


def http(key: str | None = None) -> APIClient:
    c = APIClient()
    if key:
        c.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return c


@pytest.fixture
def api(tree, users):
    """county A's and county B's area clients, department A's and B's clients, children in both counties."""
    county_service = UserFactory(username="svc_county", role=Role.CIVIL_AFFAIRS, areas=[tree.county])
    other_county_service = UserFactory(username="svc_other", role=Role.CIVIL_AFFAIRS, areas=[tree.other_county])
    dept_service = UserFactory(username="svc_dept", role=Role.LIAISON, department=users.department)
    other_dept = DepartmentFactory(area=tree.county, name="平度市卫生健康局", kind="health")
    other_dept_service = UserFactory(username="svc_dept2", role=Role.LIAISON, department=other_dept)
    county = make_client(county_service, area=tree.county, name="平度市民政局系统")
    other_county = make_client(other_county_service, area=tree.other_county, name="胶州市民政局系统")
    dept = make_client(dept_service, department=users.department, name="平度市教体局系统")
    other_dept_client = make_client(other_dept_service, department=other_dept, name="平度市卫健局系统")
    return SimpleNamespace(
        county=county,
        other_county=other_county,
        dept=dept,
        other_dept=other_dept_client,
        other_department=other_dept,
        child=ChildFactory(village=tree.v1, id_number=ID_A, birth_date=datetime.date(2015, 6, 1), name="李小明"),
        child2=ChildFactory(village=tree.v3, id_number=ID_A2, birth_date=datetime.date(2016, 3, 12), name="李小红"),
        other_child=ChildFactory(village=tree.v4, id_number=ID_B, birth_date=datetime.date(2014, 7, 20), name="赵小刚"),
    )
