"""PostgreSQL restarted under the running app: requests fail cleanly while it is down (an error page, no
traceback, no personal data) and succeed once it is back, without restarting the app.

The app is a real gunicorn process with persistent database connections (DB_CONN_MAX_AGE), serving a private
PostgreSQL cluster (tests/faults/conftest.py) that holds a copy of this test's database; that cluster is stopped
and started again. The shared PostgreSQL on 5432 is only read (pg_dump)."""

import contextlib
import glob
import os
import subprocess
import time

import pytest

from tests.conftest import require
from tests.factories import ChildFactory, UserFactory
from tests.live import Browser, gunicorn

pytestmark = pytest.mark.postgres


def _copy_test_database(target_port: int) -> None:
    from django.db import connection

    s = connection.settings_dict
    pg_dump = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"))[-1]
    psql = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))[-1]
    env = {**os.environ, "PGPASSWORD": s.get("PASSWORD") or ""}
    dump = subprocess.run(
        [pg_dump, "--no-owner", "--no-acl", "-h", s["HOST"] or "127.0.0.1", "-p", str(s["PORT"] or 5432)]
        + ["-U", s["USER"] or "postgres", s["NAME"]],
        check=True,
        capture_output=True,
        env=env,
        timeout=120,
    ).stdout
    subprocess.run(
        [psql, "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(target_port), "-U", "postgres", "postgres"],
        input=dump,
        check=True,
        capture_output=True,
        timeout=120,
    )


@pytest.fixture
def gunicorn_on(tmp_path):
    with contextlib.ExitStack() as servers:
        # Persistent connections: the restart must be noticed and survived.
        yield lambda database_url: servers.enter_context(gunicorn(tmp_path, database_url, DB_CONN_MAX_AGE="600"))


def test_postgres_restart_under_the_running_app(transactional_db, private_postgres, gunicorn_on, tree):
    from django.db import connection

    require(connection.vendor == "postgresql", "PostgreSQL (set DATABASE_URL=postgres://...)")
    child = ChildFactory(village=tree.v1, name="赵小燕")
    UserFactory(username="pgdirector", role="director", areas=[tree.v1])
    _copy_test_database(private_postgres.port)
    base = gunicorn_on(private_postgres.url)
    browser = Browser(base)
    browser.sign_in("pgdirector", "pw-Test-2026!")
    archive = f"/children/{child.pk}/"
    status, page = browser.open(archive)
    assert status == 200 and child.name in page  # the app really serves this database

    private_postgres.stop()
    for path in (archive, "/visits/worklist/"):
        status, page = browser.open(path)
        assert status in (500, 503), (path, status)
        assert "Traceback" not in page and "psycopg2" not in page and "OperationalError" not in page
        assert child.name not in page and child.id_number not in page
    status, page = Browser(base).open("/healthz")  # as a monitor asks: no session
    assert status == 503 and '"database": "down"' in page

    private_postgres.start()
    started = time.monotonic()
    status, page = browser.open(archive)  # the very first request after the restart already succeeds
    assert status == 200 and child.name in page, status
    assert Browser(base).open("/healthz")[0] == 200
    assert time.monotonic() - started < 10
