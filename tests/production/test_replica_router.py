"""The replica router's decisions (config/replicas.py), without a replica: the choice of replica is stubbed, so these
run on any database. The real streaming pair is in test_replicas.py."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from children.models import AccessLog, Child, Job
from config import replicas
from visits.models import Visit


@pytest.fixture
def one_replica(monkeypatch):
    chosen = []

    def choose():
        chosen.append(True)
        return "replica_0"

    monkeypatch.setattr(replicas, "choose_replica", choose)
    return chosen


ROUTER = replicas.ReplicaRouter()


def test_outside_a_request_or_task_reads_go_to_the_primary(one_replica):
    assert ROUTER.db_for_read(Child) == "default"
    assert one_replica == []


def test_a_read_only_scope_reads_from_the_replica_until_it_writes(one_replica):
    with replicas.replica_reads():
        assert ROUTER.db_for_read(Child) == "replica_0"
        assert ROUTER.db_for_read(Visit) == "replica_0"
        assert ROUTER.db_for_write(Visit) == "default"
        assert ROUTER.db_for_read(Child) == "default"  # every read after the write
    assert one_replica == [True]  # chosen once per scope
    assert ROUTER.db_for_read(Child) == "default"


def test_bookkeeping_is_read_from_the_primary_and_its_writes_do_not_count(one_replica):
    with replicas.replica_reads():
        assert ROUTER.db_for_read(Job) == "default"
        assert ROUTER.db_for_write(AccessLog) == "default"
        assert ROUTER.db_for_read(Child) == "replica_0"


def test_no_replica_usable_means_the_primary(monkeypatch):
    monkeypatch.setattr(replicas, "choose_replica", lambda: None)
    with replicas.replica_reads():
        assert ROUTER.db_for_read(Child) == "default"


def test_a_task_decorated_reads_from_the_replica(one_replica):
    @replicas.replica_reads()
    def task():
        return ROUTER.db_for_read(Child)

    assert task() == "replica_0"
    assert ROUTER.db_for_read(Child) == "default"


def test_an_open_transaction_on_the_primary_keeps_reads_there(one_replica, db):
    from django.db import transaction

    with replicas.replica_reads(), transaction.atomic():
        assert ROUTER.db_for_read(Child) == "default"


def test_replicas_are_never_migrated():
    assert ROUTER.allow_migrate("replica_0", "children") is False
    assert ROUTER.allow_migrate("default", "children") is None


def _middleware_request(
    path: str, method: str = "get", cookies: dict | None = None, write: bool = False, headers: dict | None = None
):
    """Runs `path` through ReplicaMiddleware with a view that reads a child (and writes a visit if `write`); returns
    where the read went and the response."""
    from django.urls import resolve

    seen = {}

    def view(request):
        if write:
            ROUTER.db_for_write(Visit)
        seen["read"] = ROUTER.db_for_read(Child)
        return HttpResponse()

    request = getattr(RequestFactory(), method)(path, headers=headers)
    request.COOKIES.update(cookies or {})
    request.resolver_match = resolve(path)
    def handler(request):
        return middleware.process_view(request, view, (), {}) or view(request)

    middleware = replicas.ReplicaMiddleware(handler)
    response = middleware(request)
    return seen["read"], response


def test_a_list_page_reads_from_the_replica_and_a_record_page_does_not(one_replica):
    assert _middleware_request("/children/")[0] == "replica_0"
    assert _middleware_request("/api/v1/children/")[0] == "replica_0"
    assert _middleware_request("/children/1/")[0] == "default"


def test_a_post_reads_from_the_primary(one_replica):
    assert _middleware_request("/children/", method="post")[0] == "default"


def test_a_request_that_wrote_sends_the_browser_to_the_primary_for_the_window(one_replica, settings):
    settings.REPLICA_READ_YOUR_WRITES_SECONDS = 10
    _read, response = _middleware_request("/visits/child/1/new/", method="post", write=True)
    cookie = response.cookies[replicas.COOKIE]
    assert cookie["max-age"] == 10 and cookie["httponly"]
    assert _middleware_request("/children/", cookies={replicas.COOKIE: cookie.value})[0] == "default"
    # A forged or expired cookie does not count.
    assert _middleware_request("/children/", cookies={replicas.COOKIE: "1"})[0] == "replica_0"
    settings.REPLICA_READ_YOUR_WRITES_SECONDS = 0
    assert _middleware_request("/children/", cookies={replicas.COOKIE: cookie.value})[0] == "replica_0"


def test_a_request_that_did_not_write_sets_no_cookie(one_replica):
    assert replicas.COOKIE not in _middleware_request("/children/")[1].cookies


def test_a_replica_that_fails_to_connect_is_marked_down(monkeypatch, settings):
    from django.db import DatabaseError, connections

    settings.REPLICA_CHECK_SECONDS = 60
    monkeypatch.setattr(replicas, "replica_aliases", lambda: ["default"])  # stands in for a replica
    monkeypatch.setattr(replicas, "check", lambda alias: replicas.Health("ok", 0.0))
    replicas._known.clear()

    def refuse():
        raise DatabaseError("connection refused")

    monkeypatch.setattr(connections["default"], "ensure_connection", refuse)
    assert replicas.choose_replica() is None
    assert replicas.health("default") == replicas.Health("down")
    replicas._known.clear()


def test_wal_positions_compare_as_numbers():
    assert replicas._lsn("0/3000000") == 0x3000000
    assert replicas._lsn("1/0") == 1 << 32
    assert replicas._lsn("1/0") > replicas._lsn("0/FFFFFFFF")


def test_the_pdf_batch_job_reads_from_the_replica(one_replica, monkeypatch, transactional_db, users):
    """Outside a test transaction: an open transaction on the primary would keep reads there."""
    from children import jobs, pdf
    from children.models import JobKind, JobState

    seen = []

    def archives_zip(*, user, area_code, progress):
        seen.append(ROUTER.db_for_read(Child))
        return b"PK", 0

    monkeypatch.setattr(pdf, "archives_zip", archives_zip)
    job = Job.objects.create(
        kind=JobKind.ARCHIVES, user=users.county_staff, params={"area": "370283"}, state=JobState.RUNNING
    )
    jobs._run_archives(job)
    assert seen == ["replica_0"]
    assert ROUTER.db_for_read(Child) == "default"  # only while it runs


def test_an_api_key_that_wrote_reads_from_the_primary_for_the_window(one_replica, settings):
    """An API client may keep no cookies: its key's writes are remembered (in the cache) for the window."""
    import secrets

    settings.REPLICA_READ_YOUR_WRITES_SECONDS = 10
    key = {"Authorization": f"Bearer cs_{secrets.token_hex(8)}"}
    other = {"Authorization": f"Bearer cs_{secrets.token_hex(8)}"}
    assert _middleware_request("/api/v1/children/", headers=key)[0] == "replica_0"
    _middleware_request("/api/v1/visits/", method="post", write=True, headers=key)
    assert _middleware_request("/api/v1/children/", headers=key)[0] == "default"
    assert _middleware_request("/api/v1/children/", headers=other)[0] == "replica_0"


def test_raw_sql_that_only_reads_is_sent_where_the_orm_reads(one_replica):
    assert replicas.read_alias() == "default"
    with replicas.replica_reads():
        assert replicas.read_alias() == "replica_0"
        ROUTER.db_for_write(Visit)
        assert replicas.read_alias() == "default"
