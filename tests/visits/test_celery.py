"""The reminder sweep through a real Redis broker and a real Celery worker process, on PostgreSQL.

The worker is a separate process, so it must see committed data: these tests use the transactional database.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from accounts.models import Notification, Role
from tests.factories import UserFactory, area
from tests.visits.test_reminders import TODAY, _child
from visits import schedule
from visits.tasks import visit_sweep

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    s = connection.settings_dict
    user = s["USER"] or "postgres"
    return f"postgres://{user}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    def __init__(self, redis_url: str, queue: str, **env):
        self.env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "REDIS_URL": redis_url,
            "CELERY_QUEUE": queue,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            **{k: str(v) for k, v in env.items()},
        }
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "-Q",
                self.env["CELERY_QUEUE"],
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def kill(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def output(self) -> str:
        self.kill()
        return self.proc.stdout.read().decode(errors="replace") if self.proc else ""


def wait_for(predicate, timeout: float = 60, interval: float = 0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


@pytest.fixture
def queue():
    return f"test-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def many_directors(tree, users):
    """Eight villages, each with a director and an overdue child, plus the county."""
    for i in range(8):
        village = area(f"370283002{i + 10:03d}", f"村{i}", "village", tree.t2)
        UserFactory(username=f"d{i}", role=Role.DIRECTOR, areas=[village])
        _child(village, f"儿童{i}", 75)  # 45 days overdue: escalated too
    schedule.refresh()
    return 8 + 1  # directors + the county's escalation


def test_the_scheduled_task_runs_on_a_real_worker(require_postgres, redis_url, queue, many_directors):
    worker = Worker(redis_url, queue).start()
    try:
        visit_sweep.apply_async(args=[TODAY.isoformat()], queue=queue)
        assert wait_for(lambda: Notification.objects.count() == many_directors), worker.output()
        assert Notification.objects.filter(key=f"visits-due:{TODAY}").count() == 8
        # Queued again (a second beat tick, a retry): nothing is written twice.
        results = [visit_sweep.apply_async(args=[TODAY.isoformat()], queue=queue) for _ in range(2)]
        import redis

        broker = redis.Redis.from_url(redis_url)
        ids = [r.id.encode() for r in results]

        def done() -> bool:  # taken from the queue, and none of ours still waiting for its acknowledgement
            pending = broker.hvals("unacked")
            return broker.llen(queue) == 0 and not any(i in v for i in ids for v in pending)

        assert wait_for(done, timeout=60), worker.output()
        assert Notification.objects.count() == many_directors
    finally:
        worker.kill()


def test_a_worker_killed_mid_sweep_loses_nothing(require_postgres, redis_url, queue, many_directors):
    # The first worker writes one notification per chunk and pauses between chunks; it is killed half-way.
    slow = Worker(
        redis_url, queue, VISIT_SWEEP_CHUNK=1, VISIT_SWEEP_TEST_PAUSE=1.5, CELERY_VISIBILITY_TIMEOUT=5
    ).start()
    try:
        visit_sweep.apply_async(args=[TODAY.isoformat()], queue=queue)
        assert wait_for(lambda: Notification.objects.count() >= 2, timeout=60), slow.output()
    finally:
        slow.kill()
    partial = Notification.objects.count()
    assert 0 < partial < many_directors
    # The task was never acknowledged: once its visibility timeout has passed, a new worker restores it at start
    # and completes it.
    time.sleep(6)
    fresh = Worker(redis_url, queue, CELERY_VISIBILITY_TIMEOUT=5).start()
    try:
        assert wait_for(lambda: Notification.objects.count() == many_directors, timeout=90), fresh.output()
        keys = list(Notification.objects.values_list("user_id", "key"))
        assert len(keys) == len(set(keys)) == many_directors
    finally:
        fresh.kill()
