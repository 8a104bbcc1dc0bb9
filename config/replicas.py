"""Read replicas (DATABASE_REPLICA_URLS; README, 只读副本): which reads may go to a streaming replica, and which one.

Every write goes to the primary ("default"). A read goes to a replica only inside a request or task that opted in
(`ReplicaMiddleware` for the pages of READ_VIEWS and the API's GETs, `replica_reads` for a task or a block) and only
while all of these hold:
- it has not written yet: its first write (db_for_write of a data model) sends every later read to the primary;
- the browser did not write in the last REPLICA_READ_YOUR_WRITES_SECONDS (a signed cookie the middleware sets on the
  response of a request that wrote; for an API key, which may keep no cookies, a cache entry under its hash): who has
  just saved a visit reads it back from the primary;
- no transaction is open on the primary;
- the model is not bookkeeping read fresh everywhere (sessions, sign-in attempts, API keys, jobs: PRIMARY_MODELS);
- a replica is usable: it answers, is a standby, and has replayed the primary's WAL or lags it by at most
  REPLICA_MAX_LAG_SECONDS (checked at most every REPLICA_CHECK_SECONDS per process, `health`); a replica whose
  connection fails when chosen is marked down and the primary serves, with no error page.
A request or task chooses its replica once, at its first replica read."""

import contextlib
import contextvars
import hashlib
import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections
from django.urls import resolve

PRIMARY = "default"
COOKIE = "care_wrote"  # signed; its presence (younger than the window) means "read from the primary"

# Pages that only read (dashboards, lists, exports, PDFs), by URL name; their GETs read from a replica.
READ_VIEWS = frozenset(
    {
        "dashboards:index",
        "dashboards:area",
        "dashboards:export",
        "children:list",
        "children:export",
        "children:pdf",
        "children:blank_visit_form",
        "children:transfer_requests",
        "children:proposals",
        "visits:worklist",
        "visits:overdue",
        "visits:compliance",
        "visits:child_list",
        "visits:campaigns",
        "visits:proposals",
        "guardianship:referrals",
        "guardianship:reports",
        "oversight:index",
        "oversight:ledger",
        "oversight:coverage",
        "oversight:activities",
        "oversight:duties",
        "oversight:spot_checks",
        "tasks:matrix",
        "tasks:mine",
        "tasks:timeline",
        "tasks:report",
        "tasks:export",
        "tasks:report_pdf",
    }
)
READ_NAMESPACES = frozenset({"api"})  # every GET of the API

# Read from the primary always, and their writes do not send the request's later reads there: bookkeeping that
# must be current (a session, a revoked API key, a job just queued) and says nothing about the records on a page.
PRIMARY_MODELS = frozenset(
    {
        "sessions.Session",
        "accounts.UserSession",
        "axes.AccessAttempt",
        "axes.AccessLog",
        "axes.AccessFailureLog",
        "api.ApiClient",
        "children.AccessLog",
        "children.Job",
    }
)


@dataclass
class Reads:
    """The replica-read state of one request or task."""

    replica: bool = False  # opted in
    wrote: bool = False  # has written a data model
    chosen: str | None = field(default=None)  # the alias chosen at its first replica read

    def alias(self) -> str:
        if self.chosen is None:
            self.chosen = choose_replica() or PRIMARY
        return self.chosen


_reads: contextvars.ContextVar[Reads | None] = contextvars.ContextVar("care_replica_reads", default=None)


def current() -> Reads | None:
    return _reads.get()


@contextlib.contextmanager
def scope(*, replica: bool) -> Iterator[Reads]:
    """A request's or task's own state (nested scopes restore the outer one on exit)."""
    state = Reads(replica=replica)
    token = _reads.set(state)
    try:
        yield state
    finally:
        _reads.reset(token)


@contextlib.contextmanager
def replica_reads() -> Iterator[Reads]:
    """A block or a task that only reads (exports, PDF batches, dashboard figures): its reads go to a replica, until
    it writes. Also a decorator: `@replica_reads()`."""
    with scope(replica=True) as state:
        yield state


def read_alias() -> str:
    """The database raw SQL that only reads should run on (`connections[read_alias()]`): the replica this request or
    task reads from, else the primary. A router sees only the ORM's queries, never `connection.cursor()`."""
    state = _reads.get()
    if state is None or not state.replica or state.wrote or connections[PRIMARY].in_atomic_block:
        return PRIMARY
    return state.alias()


def wrote() -> None:
    """Tell the router a write happened that it could not see (raw SQL on the primary's connection)."""
    state = _reads.get()
    if state is not None:
        state.wrote = True


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica_")]


# --- Health ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Health:
    state: str  # "ok", "lagging", "down", "not a standby", "unknown" (the primary did not answer)
    lag_seconds: float | None = None

    @property
    def usable(self) -> bool:
        return self.state == "ok"


def _lsn(text: str) -> int:
    high, low = text.split("/")
    return (int(high, 16) << 32) + int(low, 16)


def check(alias: str) -> Health:
    """Asks the replica now. Its lag is 0 when it has replayed all the primary has written (an idle primary writes
    nothing, so the time since the last replayed commit would grow without anything to catch up with); otherwise the
    time since the last transaction it replayed committed on the primary."""
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text,"
                " EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8"
            )
            standby, replayed, since_commit = cursor.fetchone()
    except DatabaseError:
        with contextlib.suppress(DatabaseError):
            connections[alias].close()  # a broken connection is not reused
        return Health("down")
    if not standby or replayed is None:
        return Health("not a standby")
    try:
        with connections[PRIMARY].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            (written,) = cursor.fetchone()
    except DatabaseError:
        return Health("unknown")  # the primary does not answer: nothing to compare with
    lag = 0.0 if _lsn(replayed) >= _lsn(written) else max(since_commit or 0.0, 0.0)
    lag = round(lag, 3)
    return Health("ok" if lag <= settings.REPLICA_MAX_LAG_SECONDS else "lagging", lag)


_known: dict[str, tuple[float, Health]] = {}  # per process: alias -> (when checked, what was found)
_lock = threading.Lock()


def health(alias: str) -> Health:
    """The replica's health, asked at most every REPLICA_CHECK_SECONDS by this process."""
    now = time.monotonic()
    with _lock:
        known = _known.get(alias)
    if known is not None and now - known[0] < settings.REPLICA_CHECK_SECONDS:
        return known[1]
    found = check(alias)
    with _lock:
        _known[alias] = (time.monotonic(), found)
    return found


def mark_down(alias: str) -> None:
    with _lock:
        _known[alias] = (time.monotonic(), Health("down"))


def choose_replica() -> str | None:
    """A usable replica, connected; None when there is none (the primary serves)."""
    aliases = replica_aliases()
    random.shuffle(aliases)
    for alias in aliases:
        if not health(alias).usable:
            continue
        try:
            # A persistent connection is pinged once per request (CONN_HEALTH_CHECKS), and reopened if the replica
            # went away or restarted since; then opened, which fails fast on a replica that is down.
            connections[alias].close_if_health_check_failed()
            connections[alias].ensure_connection()
        except DatabaseError:
            with contextlib.suppress(DatabaseError):
                connections[alias].close()
            mark_down(alias)
            continue
        return alias
    return None


# --- The router and the middleware ----------------------------------------------------------------------------


class ReplicaRouter:
    """DATABASE_ROUTERS entry (installed when DATABASE_REPLICA_URLS is set)."""

    def db_for_read(self, model, **hints) -> str:
        state = _reads.get()
        if (
            state is None
            or not state.replica
            or state.wrote
            or model._meta.label in PRIMARY_MODELS
            or connections[PRIMARY].in_atomic_block
        ):
            return PRIMARY
        return state.alias()

    def db_for_write(self, model, **hints) -> str:
        state = _reads.get()
        if state is not None and model._meta.label not in PRIMARY_MODELS:
            state.wrote = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        databases = {PRIMARY, *replica_aliases()}
        return True if {obj1._state.db, obj2._state.db} <= databases else None

    def allow_migrate(self, db, app_label, **hints) -> bool | None:
        return False if db.startswith("replica_") else None


def _credential_key(request) -> str | None:
    """The cache key of an API client's credential (the Authorization header, hashed), or None without one: a client
    of the API may keep no cookies, so its writes are remembered by its key for the window."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    return f"replica-wrote:{hashlib.sha256(header.encode()).hexdigest()[:32]}" if header else None


def reads_from_replica(request) -> bool:
    """Whether this request's reads may go to a replica: a GET (or HEAD) of a page of READ_VIEWS or of the API, from
    a browser (or API key) that has not written within REPLICA_READ_YOUR_WRITES_SECONDS."""
    if request.method not in ("GET", "HEAD"):
        return False
    match = request.resolver_match or resolve(request.path_info)
    if match.view_name not in READ_VIEWS and match.namespace not in READ_NAMESPACES:
        return False
    window = settings.REPLICA_READ_YOUR_WRITES_SECONDS
    if request.get_signed_cookie(COOKIE, default=None, salt=COOKIE, max_age=window) is not None:
        return False
    key = _credential_key(request)
    return not (key and window > 0 and cache.get(key))


class ReplicaMiddleware:
    """Gives each request its replica-read state; after a request that wrote, the cookie that sends the browser's
    reads to the primary for REPLICA_READ_YOUR_WRITES_SECONDS. Early in MIDDLEWARE, so every write of the request
    (the other middleware's too) happens within its state."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with scope(replica=False) as state:
            response = self.get_response(request)
        if state.wrote and settings.REPLICA_READ_YOUR_WRITES_SECONDS > 0:
            if key := _credential_key(request):
                cache.set(key, True, timeout=settings.REPLICA_READ_YOUR_WRITES_SECONDS)
            response.set_signed_cookie(
                COOKIE,
                "1",
                salt=COOKIE,
                max_age=settings.REPLICA_READ_YOUR_WRITES_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        state = _reads.get()
        if state is not None and reads_from_replica(request):
            state.replica = True
        return None
