"""Shared fixtures: a small area tree and named users (director, other_director, supervisor,
other_supervisor, county_staff, liaison, outsider), and the rules for tests that need real services.

A test that needs PostgreSQL, Redis or Chromium is skipped with a loud reason when the service is missing,
except under CI (CI set): then the absence is a failure.
"""

import os
from types import SimpleNamespace

import pytest

from accounts.models import AreaLevel, Role
from tests.factories import ChildFactory, DepartmentFactory, UserFactory, area

IN_CI = bool(os.environ.get("CI"))


def require(condition: bool, reason: str) -> None:
    if condition:
        return
    message = f"MISSING SERVICE: {reason}"
    if IN_CI:
        pytest.fail(message + " (CI is set, so this is a failure)")
    pytest.skip(message)


@pytest.fixture
def require_postgres(db):
    from django.db import connection

    require(connection.vendor == "postgresql", "PostgreSQL (set DATABASE_URL=postgres://...)")


@pytest.fixture(scope="session")
def redis_url():
    from django.conf import settings

    url = settings.REDIS_URL
    ok = False
    if url:
        import redis

        try:
            redis.Redis.from_url(url, socket_connect_timeout=1).ping()
            ok = True
        except redis.RedisError:
            ok = False
    require(ok, f"Redis (set REDIS_URL; tried {url or 'nothing'})")
    return url


@pytest.fixture
def tree(db):
    """Province > city > two counties; county A has two townships, each with two villages; county B one."""
    prov = area("370000", "山东省", AreaLevel.PROVINCE)
    city = area("370200", "青岛市", AreaLevel.CITY, prov)
    county = area("370283", "平度市", AreaLevel.COUNTY, city)
    other_county = area("370281", "胶州市", AreaLevel.COUNTY, city)
    t1 = area("370283001", "东阁街道", AreaLevel.TOWNSHIP, county)
    t2 = area("370283002", "南村镇", AreaLevel.TOWNSHIP, county)
    t3 = area("370281001", "阜安街道", AreaLevel.TOWNSHIP, other_county)
    return SimpleNamespace(
        province=prov,
        city=city,
        county=county,
        other_county=other_county,
        t1=t1,
        t2=t2,
        t3=t3,
        v1=area("370283001001", "东关村", AreaLevel.VILLAGE, t1),
        v2=area("370283001002", "西关村", AreaLevel.VILLAGE, t1),
        v3=area("370283002001", "南村", AreaLevel.VILLAGE, t2),
        v4=area("370281001001", "北关村", AreaLevel.VILLAGE, t3),
    )


@pytest.fixture
def users(tree):
    dept = DepartmentFactory(area=tree.county)
    return SimpleNamespace(
        director=UserFactory(username="director", role=Role.DIRECTOR, areas=[tree.v1]),
        other_director=UserFactory(username="other_director", role=Role.DIRECTOR, areas=[tree.v2]),
        supervisor=UserFactory(username="supervisor", role=Role.SUPERVISOR, areas=[tree.t1]),
        other_supervisor=UserFactory(username="other_supervisor", role=Role.SUPERVISOR, areas=[tree.t2]),
        county_staff=UserFactory(username="county_staff", role=Role.CIVIL_AFFAIRS, areas=[tree.county]),
        other_county_staff=UserFactory(username="other_county", role=Role.CIVIL_AFFAIRS, areas=[tree.other_county]),
        liaison=UserFactory(username="liaison", role=Role.LIAISON, department=dept),
        department=dept,
    )


@pytest.fixture
def child(tree):
    return ChildFactory(village=tree.v1)


@pytest.fixture(autouse=True)
def _plain_static_storage(settings, tmp_path_factory):
    """Tests render templates without a collectstatic manifest, and write uploads to a temp dir."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _shipped_rule_sets(request):
    """Transactional tests flush every table, including the rule sets a data migration ships: put them back."""
    names = request.fixturenames
    if "db" not in names and "transactional_db" not in names and not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("transactional_db" if "transactional_db" in names else "db")
    from accounts.models import Area
    from visits.models import RuleSet, VisitRule
    from visits.rule_sets import load_rule_sets

    if not RuleSet.objects.exists():
        load_rule_sets(Area, RuleSet, VisitRule)
    from guardianship.instruments import load_instrument
    from guardianship.models import Dimension, Instrument, Item, Option

    if not Instrument.objects.exists():
        load_instrument(Instrument, Dimension, Item, Option)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Users made by the fixtures get cheap PBKDF2 hashes (one iteration). Still pbkdf2_sha256, so a separate
    process (gunicorn, a worker) with the production hasher verifies them; sign-in tests are unaffected."""
    settings.PASSWORD_HASHERS = ["tests.hashers.FastPBKDF2PasswordHasher"]
