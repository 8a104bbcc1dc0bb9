"""Read replicas against a real streaming pair (README, 只读副本; config/replicas.py): a gunicorn with DATABASE_URL on
the throwaway primary and DATABASE_REPLICA_URLS on its hot standby, both from bin/replica-test (REPLICA_PRIMARY_URL,
REPLICA_STANDBY_URL, REPLICA_DIR; .ci/run starts them).

Which server answered is told by what it holds: the standby's WAL replay is paused (pg_wal_replay_pause), then a row
is changed on the primary directly, so a page read from the standby shows the old value and one read from the primary
the new one."""

import contextlib
import json
import os
import re
import subprocess
import sys
import time
from types import SimpleNamespace

import psycopg2
import pytest
from django.db import connection

from tests.conftest import require
from tests.live import ROOT, Browser, gunicorn
from tests.visits.test_views import _visit_post

# django_db: so that the test database exists for `pair` to copy (pytest-django sets up only what tests ask for).
pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

DATABASE = "care_replica"
VILLAGE = "370283001001"  # the demo director's village


def _sql(url: str, statement: str, params=(), *, database: str = DATABASE):
    conn = psycopg2.connect(f"{url}/{database}")
    try:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall() if cursor.description else None
    finally:
        conn.close()


def _until(condition, what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _pair_command(command: str) -> None:
    subprocess.run([str(ROOT / "bin" / "replica-test"), command], check=True, env=os.environ.copy())


def _caught_up(pair) -> bool:
    (written,) = _sql(pair.primary, "SELECT pg_current_wal_lsn()::text", database="postgres")[0]
    (done,) = _sql(pair.standby, "SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), %s) >= 0", (written,))[0]
    return done


@pytest.fixture(scope="module")
def pair(django_db_setup, django_db_blocker):
    """The primary's database `care_replica`: this suite's migrated test database copied with pg_dump (no migration
    run), the demo set (seed_demo) added by a separate process; the standby has replayed it."""
    primary, standby = os.environ.get("REPLICA_PRIMARY_URL", ""), os.environ.get("REPLICA_STANDBY_URL", "")
    with django_db_blocker.unblock():
        require(connection.vendor == "postgresql", "PostgreSQL (set DATABASE_URL=postgres://...)")
        source = connection.settings_dict
    require(bool(primary and standby), 'a streaming pair (eval "$(bin/replica-test start)" sets REPLICA_PRIMARY_URL)')
    _sql(primary, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)", database="postgres")
    _sql(primary, f"CREATE DATABASE {DATABASE}", database="postgres")
    dump_env = {**os.environ, "PGHOST": source["HOST"] or "127.0.0.1", "PGPORT": str(source["PORT"] or 5432)}
    dump_env.update({"PGUSER": source["USER"] or "postgres", "PGPASSWORD": source["PASSWORD"] or ""})
    dump = subprocess.Popen(["pg_dump", "--no-owner", "--no-acl", source["NAME"]], stdout=subprocess.PIPE, env=dump_env)
    restore = subprocess.run(
        ["psql", "-q", "-v", "ON_ERROR_STOP=1", f"{primary}/{DATABASE}"], stdin=dump.stdout, capture_output=True
    )
    assert dump.wait() == 0 and restore.returncode == 0, restore.stderr.decode()[-2000:]
    # Transactional tests flush the test database: the shipped rule sets and instrument are put back if gone.
    seed = (
        "from accounts.models import Area\n"
        "from visits.models import RuleSet, VisitRule\n"
        "from visits.rule_sets import load_rule_sets\n"
        "from guardianship.models import Dimension, Instrument, Item, Option\n"
        "from guardianship.instruments import load_instrument\n"
        "from django.core.management import call_command\n"
        "RuleSet.objects.exists() or load_rule_sets(Area, RuleSet, VisitRule)\n"
        "Instrument.objects.exists() or load_instrument(Instrument, Dimension, Item, Option)\n"
        "call_command('seed_demo', children=60, no_visits=True, verbosity=0)\n"
    )
    env = {**os.environ, "DATABASE_URL": f"{primary}/{DATABASE}", "REDIS_URL": "", "LOG_LEVEL": "WARNING"}
    env.pop("DATABASE_REPLICA_URLS", None)
    subprocess.run([sys.executable, "manage.py", "shell", "-c", seed], cwd=ROOT, env=env, check=True)
    pair = SimpleNamespace(primary=primary, standby=standby)
    _until(lambda: _caught_up(pair), "the standby to replay the demo set")
    rows = _sql(primary, "SELECT id, name FROM children_child WHERE village_id = %s ORDER BY id LIMIT 2", (VILLAGE,))
    assert len(rows) == 2, "the demo director has children"
    pair.children = rows
    yield pair
    _sql(standby, "SELECT pg_wal_replay_resume()")


@pytest.fixture
def paused(pair):
    """The standby's replay paused for the test (resumed after it, and caught up)."""
    _sql(pair.standby, "SELECT pg_wal_replay_pause()")
    yield
    _sql(pair.standby, "SELECT pg_wal_replay_resume()")
    _until(lambda: _caught_up(pair), "the standby to catch up")


def _serve(tmp_path, pair, **env: str):
    settings = {"REPLICA_CHECK_SECONDS": "0.2", "REPLICA_MAX_LAG_SECONDS": "3600", **env}
    return gunicorn(
        tmp_path, f"{pair.primary}/{DATABASE}", DATABASE_REPLICA_URLS=f"{pair.standby}/{DATABASE}", **settings
    )


@contextlib.contextmanager
def _log_on_failure(tmp_path):
    """A failed assertion carries the server's log (the temporary directory may be gone when one looks)."""
    try:
        yield
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n--- gunicorn.log ---\n{(tmp_path / 'gunicorn.log').read_text()[-4000:]}") from exc


def _director(base: str) -> Browser:
    from demo.children import DEMO_PASSWORD

    browser = Browser(base)
    browser.sign_in("director", DEMO_PASSWORD)
    return browser


def _page(browser: Browser, path: str) -> str:
    status, page = browser.open(path)
    assert status == 200, (path, status, page[-500:])
    return page


def _rename(pair, child_id: int, name: str) -> None:
    _sql(pair.primary, "UPDATE children_child SET name = %s WHERE id = %s", (name, child_id))


def _visits_shown(page: str, child_id: int) -> int:
    return len(set(re.findall(rf"/visits/child/{child_id}/(\d+)/", page)))


def test_list_pages_read_from_the_standby_and_writes_go_to_the_primary(pair, paused, tmp_path):
    (child, name), _ = pair.children
    with _serve(tmp_path, pair, REPLICA_READ_YOUR_WRITES_SECONDS="0") as base, _log_on_failure(tmp_path):
        browser = _director(base)
        _rename(pair, child, "副本未见")  # on the primary only: the standby's replay is paused
        page = _page(browser, "/children/")
        assert name in page and "副本未见" not in page, "the children list was not read from the standby"
        # A page that is not in the list of replica reads (the archive) reads the primary.
        assert "副本未见" in _page(browser, f"/children/{child}/")

        form = f"/visits/child/{child}/new/"
        status, _ = browser.open(form, {**_visit_post(), "csrfmiddlewaretoken": browser.csrf_token(form)})
        assert status == 302  # a write to the standby would be refused (read-only) with an error page
        assert _sql(pair.primary, "SELECT count(*) FROM visits_visit WHERE child_id = %s", (child,))[0][0] == 1
        # With no read-your-writes window, the visit list reads the standby, which has not replayed the visit.
        assert _visits_shown(_page(browser, f"/visits/child/{child}/"), child) == 0
        # A county officer's compliance figures: raw SQL, run on the standby's connection (replicas.read_alias).
        from demo.children import DEMO_PASSWORD

        county = Browser(base)
        county.sign_in("county", DEMO_PASSWORD)
        _page(county, "/visits/compliance/")
    log = (tmp_path / "gunicorn.log").read_text()
    assert "read-only transaction" not in log, log[-3000:]
    _rename(pair, child, name)


def test_who_has_just_written_reads_from_the_primary_for_the_window(pair, paused, tmp_path):
    _, (child, _name) = pair.children
    window = 6
    with _serve(tmp_path, pair, REPLICA_READ_YOUR_WRITES_SECONDS=str(window)) as base, _log_on_failure(tmp_path):
        browser = _director(base)
        time.sleep(window + 0.5)  # the sign-in wrote (the session's record): let its window pass
        assert _visits_shown(_page(browser, f"/visits/child/{child}/"), child) == 0
        form = f"/visits/child/{child}/new/"
        status, _ = browser.open(form, {**_visit_post(), "csrfmiddlewaretoken": browser.csrf_token(form)})
        assert status == 302
        written = time.monotonic()
        # The standby has not replayed the visit, yet its writer sees it on the list page, read from the primary.
        assert _visits_shown(_page(browser, f"/visits/child/{child}/"), child) == 1
        assert time.monotonic() - written < window, "too slow to tell the window from its end"
        time.sleep(window + 0.5 - (time.monotonic() - written))
        # The window is over: the same page reads the standby again, which still lacks the visit.
        assert _visits_shown(_page(browser, f"/visits/child/{child}/"), child) == 0
        _sql(pair.standby, "SELECT pg_wal_replay_resume()")
        _until(lambda: _caught_up(pair), "the standby to replay the visit")
        assert _visits_shown(_page(browser, f"/visits/child/{child}/"), child) == 1


def _health(browser: Browser) -> tuple[int, dict]:
    status, body = browser.open("/healthz")
    return status, json.loads(body)


def test_a_stopped_standby_is_skipped_with_the_primary_serving(pair, tmp_path):
    (child, name), _ = pair.children
    with _serve(tmp_path, pair, REPLICA_READ_YOUR_WRITES_SECONDS="0") as base, _log_on_failure(tmp_path):
        browser = _director(base)
        status, health = _health(browser)
        assert status == 200 and health["replicas"] == {"replica_0": {"state": "ok", "lag_seconds": 0.0}}
        _page(browser, "/children/")  # the standby's connection is open, in the worker
        _pair_command("stop-standby")
        try:
            _rename(pair, child, "主库所见")
            page = _page(browser, "/children/")  # no error page, and from the primary
            assert "主库所见" in page
            assert _page(browser, f"/visits/child/{child}/") and _page(browser, "/visits/worklist/")
            status, health = _health(browser)
            assert status == 200 and health["database"] == "ok"
            assert health["replicas"] == {"replica_0": {"state": "down", "lag_seconds": None}}
        finally:
            _pair_command("start-standby")
        _until(lambda: _health(browser)[1]["replicas"]["replica_0"]["state"] == "ok", "the standby back in use")
        _rename(pair, child, name)
        _until(lambda: _caught_up(pair), "the standby to catch up")
        assert name in _page(browser, "/children/")
    log = (tmp_path / "gunicorn.log").read_text()
    assert "Traceback" not in log, log[-3000:]


def test_a_standby_lagging_more_than_the_bound_is_skipped(pair, tmp_path):
    (child, name), _ = pair.children
    bound = 3
    lag_env = {"REPLICA_READ_YOUR_WRITES_SECONDS": "0", "REPLICA_MAX_LAG_SECONDS": str(bound)}
    with _serve(tmp_path, pair, **lag_env) as base, _log_on_failure(tmp_path):
        browser = _director(base)
        _rename(pair, child, name)  # a commit the standby replays: its lag is measured from it
        _until(lambda: _caught_up(pair), "the standby to catch up")
        _sql(pair.standby, "SELECT pg_wal_replay_pause()")
        try:
            _rename(pair, child, "落后太多")
            renamed = time.monotonic()
            page = _page(browser, "/children/")
            if time.monotonic() - renamed < bound - 0.5:
                assert "落后太多" not in page, "within the bound, the list is read from the standby"
            time.sleep(bound + 0.5)
            status, health = _health(browser)
            assert health["replicas"]["replica_0"]["state"] == "lagging", health
            assert health["replicas"]["replica_0"]["lag_seconds"] > bound
            assert "落后太多" in _page(browser, "/children/")
        finally:
            _sql(pair.standby, "SELECT pg_wal_replay_resume()")
            _until(lambda: _caught_up(pair), "the standby to catch up")
            _rename(pair, child, name)
