"""PostgreSQL restarted under the running app: requests fail cleanly while it is down (an error page, no
traceback, no personal data) and succeed once it is back, without restarting the app.

The app is a real gunicorn process with persistent database connections (DB_CONN_MAX_AGE), serving a private
PostgreSQL cluster (tests/faults/conftest.py) that holds a copy of this test's database; that cluster is stopped
and started again. The shared PostgreSQL on 5432 is only read (pg_dump)."""

import glob
import http.cookiejar
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import require
from tests.factories import ChildFactory, UserFactory
from tests.faults.conftest import free_port, wait_port

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]


class Browser:
    """urllib with cookies, never following redirects (so each response is seen as served)."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def open(self, path: str, data: dict | None = None) -> tuple[int, str]:
        from urllib.parse import urlencode

        body = urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")

    def sign_in(self, username: str, password: str) -> None:
        _status, page = self.open("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, _ = self.open(
            "/accounts/login/", {"csrfmiddlewaretoken": token, "username": username, "password": password}
        )
        assert status == 302, "sign-in failed"


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
    servers = []

    def start(database_url: str) -> str:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_ALLOW"))}
        env.update(
            {
                "DATABASE_URL": database_url,
                "DB_CONN_MAX_AGE": "600",  # persistent connections: the restart must be noticed and survived
                "REDIS_URL": "",
                "DEBUG": "false",
                "ALLOWED_HOSTS": "127.0.0.1",
                "SECRET_KEY": "fault-test-" + "x" * 40,
                "VAR_DIR": str(tmp_path / "var"),
                "STATIC_ROOT": str(tmp_path / "static"),
                "MEDIA_ROOT": str(tmp_path / "media"),
                "LOG_LEVEL": "WARNING",
                "DJANGO_SETTINGS_MODULE": "config.settings",
            }
        )
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
        )
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        proc = subprocess.Popen(
            [gunicorn, "config.wsgi", "--workers", "1", "--bind", f"127.0.0.1:{port}", "--timeout", "30"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(tmp_path / "gunicorn.log", "w"),  # noqa: SIM115 - the process owns it
        )
        servers.append(proc)
        wait_port(port, up=True, timeout=60)
        return f"http://127.0.0.1:{port}"

    yield start
    for proc in servers:
        proc.terminate()
        proc.wait(timeout=30)


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
