"""Figures computed on demand are computed once however many ask at the same moment (issue 20).

Before, four simultaneous cold requests for a province each computed its figures (18 s of the database each)."""

import threading
import time
import uuid

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from dashboards import figures as village_figures
from dashboards import selectors
from oversight import coverage
from tests.factories import UserFactory

ASKING = 4


def at_once(call, n: int = ASKING) -> list:
    """`call()` in n threads released together; their results in thread order (an exception is raised here)."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        from django.db import connection

        try:
            barrier.wait(10)
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - handed to the test below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for result in results:
        if isinstance(result, Exception):
            raise result
    return results


def slow_counted(monkeypatch, owner, name: str, *, pause: float = 0.5, fake=None) -> list:
    """Replace owner.name by a version that records each call and takes `pause` seconds (the real one, or `fake`)."""
    calls = []
    real = getattr(owner, name)

    def counted(*args, **kwargs):
        calls.append(args)
        time.sleep(pause)
        return fake if fake is not None else real(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


def test_cold_figures_asked_at_once_are_computed_once(db, tree, monkeypatch):
    """An area none of whose villages has stored figures computes them once (the stored rows are then read)."""
    calls = slow_counted(monkeypatch, village_figures, "refresh", fake=0)
    today = timezone.localdate()
    results = at_once(lambda: selectors.area_figures(tree.province, today))
    assert len(calls) == 1
    assert all(result == results[0] for result in results)
    selectors.area_figures(tree.province, today)  # done: not computed again
    assert len(calls) == 1


def test_a_failed_computation_lets_the_next_caller_compute(db, tree, monkeypatch):
    today = timezone.localdate()

    def failing(**kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(village_figures, "refresh", failing)
    with pytest.raises(RuntimeError):
        selectors.area_figures(tree.province, today)
    calls = slow_counted(monkeypatch, village_figures, "refresh", pause=0, fake=0)
    started = time.monotonic()
    selectors.area_figures(tree.province, today)
    assert len(calls) == 1
    assert time.monotonic() - started < 1  # the failed computation's lock did not outlive it


def test_refresh_recomputes_the_area_every_time(db, tree, monkeypatch):
    today = timezone.localdate()
    calls = slow_counted(monkeypatch, village_figures, "refresh", pause=0, fake=0)
    selectors.area_figures(tree.province, today)
    selectors.area_figures(tree.province, today)
    assert len(calls) == 1
    selectors.area_figures(tree.province, today, refresh=True)
    selectors.area_figures(tree.province, today, refresh=True)
    assert len(calls) == 3


def test_with_redis_down_each_caller_computes_without_waiting(db, tree, settings, monkeypatch):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "config.cache.TolerantRedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        },
    }
    calls = slow_counted(monkeypatch, village_figures, "refresh", pause=0, fake=0)
    started = time.monotonic()
    for _i in range(2):
        selectors.area_figures(tree.province, timezone.localdate())
    assert len(calls) == 2 and time.monotonic() - started < 5


def test_cold_coverage_counts_asked_at_once_are_counted_once(db, tree, monkeypatch):
    province_staff = UserFactory(role=Role.CIVIL_AFFAIRS, areas=[tree.province])
    # No query in the threads (their connections do not see this test's data on SQLite): the lock is what is tested.
    monkeypatch.setattr(coverage, "_data_version", lambda: "v")
    monkeypatch.setattr(coverage.access, "area_prefixes", lambda user: [tree.province.prefix])
    none = coverage.Area.objects.none()
    calls = slow_counted(monkeypatch, coverage, "villages_without_director", fake=none)
    for name in ("crowded_villages_with_one_director", "directors_not_trained"):
        monkeypatch.setattr(coverage, name, lambda user: none)
    results = at_once(lambda: coverage.coverage_counts(province_staff))
    assert len(calls) == 1 and all(result == results[0] for result in results)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_simultaneous_cold_province_pages_compute_once_on_postgres_and_redis(
    require_postgres, redis_url, settings, tree, users, monkeypatch
):
    """Four sign-ins open the province's dashboard at the same moment, each in its own thread and connection,
    with the Redis cache of production: the figures and the coverage counts are computed once."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "config.cache.TolerantRedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": uuid.uuid4().hex,
        },
    }
    province_staff = UserFactory(role=Role.CIVIL_AFFAIRS, areas=[tree.province])
    figures = slow_counted(monkeypatch, village_figures, "refresh")
    counts = slow_counted(monkeypatch, coverage, "villages_without_director")
    clients = []
    for _i in range(ASKING):
        client = Client()
        client.force_login(province_staff)
        clients.append(client)
    pages = iter(clients)
    lock = threading.Lock()

    def open_page():
        with lock:
            client = next(pages)
        response = client.get(reverse("dashboards:area", args=[tree.province.code]))
        return response.status_code, response.context["board"].total

    results = at_once(open_page)
    assert len(figures) == 1 and len(counts) == 1
    assert all(result == results[0] for result in results) and results[0][0] == 200
    cache.clear()
