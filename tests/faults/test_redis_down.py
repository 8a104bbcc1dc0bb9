"""Redis down: pages, visit logging and a small import keep working, queueing fails fast and harmlessly, the
health check says so, and the daily sweep makes up for the reminders when Redis is back.

A private redis-server (tests/faults/conftest.py) is the broker and the cache here; it is killed for real."""

import datetime
import logging
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from children.models import Child
from tests.factories import CategoryFactory, ChildFactory
from visits import schedule

pytestmark = pytest.mark.redis


@pytest.fixture
def app_on_private_redis(private_redis, settings):
    """Point the cache, Celery's broker and the health check at the private Redis."""
    from config.celery import app

    # Read before Django's settings are overridden: Celery loads its configuration from them on first use, so
    # reading it afterwards would "save" the private Redis and leave it in place for every later test.
    saved = app.conf.broker_url, app.conf.broker_transport_options
    settings.REDIS_URL = private_redis.url
    settings.CELERY_BROKER_URL = private_redis.url
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "config.cache.TolerantRedisCache",
            "LOCATION": private_redis.url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        },
    }

    def reset_pools():
        from kombu import pools

        pools.reset()  # kombu's process-wide connection and producer pools, keyed by broker
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.broker_url = private_redis.url
    app.conf.broker_transport_options = {"visibility_timeout": 3600}
    reset_pools()
    yield private_redis
    app.conf.broker_url, app.conf.broker_transport_options = saved
    reset_pools()


def test_the_app_keeps_working_while_redis_is_down(client, users, tree, app_on_private_redis, caplog):
    from django.core.cache import cache

    from config.queue import enqueue
    from visits.tasks import visit_sweep

    child = ChildFactory(village=tree.v1, name="王小明")
    CategoryFactory(child=child)
    client.force_login(users.director)
    assert client.get("/healthz").json()["redis"] == "ok"
    cache.set("probe", 1)
    assert cache.get("probe") == 1  # the cache really is the private Redis

    app_on_private_redis.kill()

    # The health check says so, and still answers 200: the database is what makes the site up.
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["redis"] == "down"
    assert response.json()["database"] == "ok"

    # The cache misses instead of failing (dashboards and job progress read it on pages).
    assert cache.get("probe") is None
    cache.set("probe", 2)

    # Pages.
    for url in (
        reverse("visits:worklist"),
        reverse("children:list"),
        reverse("children:detail", args=[child.pk]),
        reverse("visits:new", args=[child.pk]),
    ):
        assert client.get(url).status_code == 200, url
    client.force_login(users.county_staff)
    for url in (reverse("dashboards:index"), reverse("visits:overdue")):
        assert client.get(url, follow=True).status_code == 200, url

    # Visit logging through the form.
    client.force_login(users.director)
    from tests.visits.test_views import _visit_post

    response = client.post(reverse("visits:new", args=[child.pk]), _visit_post(observations="在家写作业"))
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert child.visits.count() == 1

    # Queueing fails fast, is logged, and says so.
    started = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="config.queue"):
        assert enqueue(visit_sweep, timezone.localdate().isoformat()) is False
    assert time.monotonic() - started < 5
    assert "broker is unavailable" in caplog.text
    assert "closed pool" not in caplog.text  # refused because Redis is down, not because of the test's set-up


def test_a_small_import_works_while_redis_is_down(client, users, tree, app_on_private_redis, settings):
    from tests.children.test_import import good, xlsx

    app_on_private_redis.kill()
    client.force_login(users.county_staff)
    response = client.post(reverse("children:import"), {"file": xlsx([good(1), good(2)])})
    assert response.status_code == 302
    job_url = response["Location"]
    page = client.get(job_url)
    assert page.status_code == 200
    from children.models import Job

    preview = Job.objects.get(user=users.county_staff)
    assert preview.state == "done", (preview.state, preview.message)
    response = client.post(reverse("children:job_confirm", args=[preview.pk]))
    assert response.status_code == 302
    assert Child.objects.filter(name__in=["张1", "张2"]).count() == 2
    # Work meant for the worker (a batch of archive PDFs) cannot be queued: it runs in the web process instead.
    from children import jobs

    started = time.monotonic()
    job = jobs.start_archives(user=users.county_staff, area_code=tree.v1.code)
    job.refresh_from_db()
    assert job.state == "done", (job.state, job.message)
    assert time.monotonic() - started < 60


def test_reminders_missed_while_redis_was_down_are_produced_when_it_is_back(
    users, tree, app_on_private_redis, settings
):
    """Nothing about a reminder lives in Redis: the sweep derives its work from the database, so the sweep run
    once Redis is back writes every reminder the missed run would have written (and only once)."""
    from config.queue import enqueue
    from visits.tasks import visit_sweep

    child = ChildFactory(village=tree.v1, name="李小红", registered_on=datetime.date(2025, 1, 5))
    CategoryFactory(child=child, started_on=datetime.date(2025, 1, 5))
    schedule.refresh(child_ids=[child.pk])  # as the services do on every write (the sweep recomputes none)
    today = timezone.localdate().isoformat()

    app_on_private_redis.kill()
    assert enqueue(visit_sweep, today) is False  # beat's 07:00 run could not be queued
    assert not Notification.objects.filter(user=users.director).exists()

    app_on_private_redis.start()  # Redis is back (same port)
    assert enqueue(visit_sweep, today) is True
    visit_sweep.apply(args=[today])  # what the worker runs for that message
    reminders = Notification.objects.filter(user=users.director)
    assert reminders.exists()
    assert child.name in " ".join(n.body + n.title for n in reminders)
    count = reminders.count()
    visit_sweep.apply(args=[today])  # a redelivered or repeated sweep adds nothing
    assert Notification.objects.filter(user=users.director).count() == count
