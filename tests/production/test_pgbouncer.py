"""Behind PgBouncer in transaction mode (README, 部署 PgBouncer): with DATABASE_POOLER=transaction a real gunicorn
serves signed-in work through the pooler, while consecutive transactions of one connection land on different server
connections (no server-side cursor may outlive a transaction there, config/settings.py).

The PgBouncer is bin/pgbouncer-test's (PGBOUNCER_URL; .ci/run starts it), in front of this test's database: a
transaction-mode pool of several server connections lent in turn (server_round_robin)."""

import os
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
from django.db import connection

from tests.conftest import require
from tests.live import Browser, gunicorn
from tests.visits.test_views import _visit_post

pytestmark = pytest.mark.postgres

# Three directors' sessions and a county officer's at once, each on its own connection to gunicorn and on to PgBouncer.
SESSIONS = [("director", "director"), ("director", "director"), ("director", "director"), ("county", "county")]
ROUNDS = 3
PAGES = {
    "director": ("/visits/worklist/", "/children/{child}/", "/"),
    "county": ("/dashboards/", "/dashboards/370283/", "/children/{child}/", "/"),  # the demo county's dashboard
}


@pytest.fixture
def pgbouncer_database(transactional_db, settings):
    """PGBOUNCER_URL with this test's database; the demo county, its users and a few children in it (committed, for
    the server process to see)."""
    from django.core.management import call_command

    require(connection.vendor == "postgresql", "PostgreSQL (set DATABASE_URL=postgres://...)")
    url = os.environ.get("PGBOUNCER_URL", "")
    require(bool(url), 'PgBouncer in transaction mode (eval "$(bin/pgbouncer-test start)" sets PGBOUNCER_URL)')
    # Hashes the server process's own hashers verify (the production tests' MD5 is not among them).
    settings.PASSWORD_HASHERS = ["tests.hashers.FastPBKDF2PasswordHasher"]
    call_command("seed_demo", children=60, no_visits=True, verbosity=0)
    yield urlsplit(url)._replace(path="/" + connection.settings_dict["NAME"]).geturl()
    # PgBouncer keeps its server connections to this database open: close them, or it cannot be dropped.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


def _work(browser: Browser, kind: str, children: list[int]) -> list[str]:
    """A few rounds of a signed-in user's pages; a director also records a visit each round (the form's CSRF token
    included). Returns what went wrong."""
    failures = []
    for round_ in range(ROUNDS):
        child = children[round_ % len(children)]
        for path in (page.format(child=child) for page in PAGES[kind]):
            status, _page = browser.open(path)
            if status not in (200, 302):
                failures.append(f"{kind} GET {path}: {status}")
        if kind == "director":
            form = f"/visits/child/{child}/new/"
            status, _page = browser.open(form, {**_visit_post(), "csrfmiddlewaretoken": browser.csrf_token(form)})
            if status != 302:
                failures.append(f"{kind} POST {form}: {status}")
    return failures


def _session(base: str, username: str, kind: str, children: list[int]):
    """Signs in (now), and returns the work to do (later, alongside the others' sessions)."""
    from demo.children import DEMO_PASSWORD

    browser = Browser(base)
    try:
        browser.sign_in(username, DEMO_PASSWORD)
    except AssertionError as exc:
        failure = f"{username} sign-in: {exc}"
        return lambda: [failure]

    def work() -> list[str]:
        try:
            return _work(browser, kind, children)
        except AssertionError as exc:
            return [f"{kind}: {exc}"]

    return work


def _serve_work(tmp_path, database_url: str, **env: str) -> tuple[list[str], str]:
    from children.models import Child

    children = list(Child.objects.filter(village_id="370283001001").values_list("pk", flat=True)[:ROUNDS])
    assert children, "the demo director has children to visit"
    # Two workers of two threads: four connections to PgBouncer taking turns on its server connections.
    with gunicorn(tmp_path, database_url, args=("--workers", "2", "--threads", "2"), **env) as base:
        # One after another: a first sign-in re-hashes the password (fewer iterations in tests), which would end a
        # session of the same user signed in just before.
        sessions = [_session(base, username, kind, children) for username, kind in SESSIONS]
        with ThreadPoolExecutor(len(sessions)) as pool:
            failures = [failure for done in pool.map(lambda work: work(), sessions) for failure in done]
    return failures, (tmp_path / "gunicorn.log").read_text()


def test_the_app_works_behind_pgbouncer_in_transaction_mode(pgbouncer_database, tmp_path):
    from visits.models import Visit

    failures, log = _serve_work(tmp_path, pgbouncer_database, DATABASE_POOLER="transaction")
    assert failures == [], log[-3000:]
    assert Visit.objects.count() == 3 * ROUNDS  # every director's visit recorded, through the pooler
    assert "prepared statement" not in log and "cursor" not in log.lower()
