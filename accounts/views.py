from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordChangeView
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST


def client_ip(request) -> str:
    """The client's address for the sign-in lockout: behind our TLS proxy, the X-Real-IP it sets."""

    if settings.SECURE_PROXY_SSL_HEADER and request.META.get("HTTP_X_REAL_IP"):
        return request.META["HTTP_X_REAL_IP"]
    return request.META.get("REMOTE_ADDR", "")


@login_required
def home(request):
    from .models import Role

    if request.user.role == Role.DIRECTOR:
        return redirect("visits:worklist")
    if request.user.role == Role.LIAISON:
        return redirect("tasks:mine")
    return redirect("children:list")


HEALTH_TIMEOUT = 1.0  # seconds for each check; they run side by side, so the whole answer takes at most this


def _check_database() -> str:
    from django.db import connections

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    except Exception:  # noqa: BLE001 - any database failure means down
        return "down"
    finally:
        connections.close_all()  # this runs in a helper thread: don't leave its connection open


def _check_replicas() -> dict:
    """Each read replica's state ("ok", "lagging", "down", "not a standby") and lag in seconds, asked now."""
    from django.db import connections

    from config import replicas

    try:
        found = {alias: replicas.check(alias) for alias in replicas.replica_aliases()}
        return {alias: {"state": health.state, "lag_seconds": health.lag_seconds} for alias, health in found.items()}
    finally:
        connections.close_all()  # a helper thread, as above


def _check_redis() -> str:

    if not settings.REDIS_URL:
        return "not configured"
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5)
        client.ping()
        client.close()
        return "ok"
    except redis.RedisError:
        return "down"


def _check_worker(redis_state: str) -> str:
    """A worker answers a broadcast ping through the broker; without Redis that cannot be asked."""
    if redis_state != "ok":
        return "unknown"
    from config.celery import app

    try:
        replies = app.control.ping(timeout=0.5)
    except Exception:  # noqa: BLE001 - a broker failure means we cannot tell
        return "unknown"
    return "ok" if replies else "down"


@never_cache
def healthz(request):
    """{"database", "redis", "worker"} and, with read replicas, "replicas" (each one's state and lag): 200 when the
    database answers, 503 otherwise. Each check is bounded by HEALTH_TIMEOUT, so a hung service makes this answer
    "down", never hang."""
    from importlib import import_module

    # A probe neither reads nor writes a session: with a session cookie (a signed-in browser) the session
    # middleware would load it from the database on the way out, turning "database down" into an error page.
    # The cookie is set aside for this request only, so the browser stays signed in.
    request.COOKIES.pop(settings.SESSION_COOKIE_NAME, None)
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    from concurrent.futures import ThreadPoolExecutor
    from concurrent.futures import TimeoutError as FutureTimeout

    from config.replicas import replica_aliases

    pool = ThreadPoolExecutor(max_workers=3)
    try:
        database = pool.submit(_check_database)
        redis_state = pool.submit(_check_redis)
        replica_state = pool.submit(_check_replicas) if replica_aliases() else None
        try:
            redis_result = redis_state.result(timeout=HEALTH_TIMEOUT)
        except FutureTimeout:
            redis_result = "down"
        worker = pool.submit(_check_worker, redis_result)
        try:
            db_result = database.result(timeout=HEALTH_TIMEOUT)
        except FutureTimeout:
            db_result = "down"
        try:
            worker_result = worker.result(timeout=HEALTH_TIMEOUT)
        except FutureTimeout:
            worker_result = "unknown"
        if replica_state is not None:
            try:
                replica_result = replica_state.result(timeout=HEALTH_TIMEOUT)
            except FutureTimeout:
                replica_result = {alias: {"state": "down", "lag_seconds": None} for alias in replica_aliases()}
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    body = {"database": db_result, "redis": redis_result, "worker": worker_result}
    if replica_state is not None:
        body["replicas"] = replica_result  # a replica down or lagging is skipped, the primary serving: still 200
    return JsonResponse(body, status=200 if db_result == "ok" else 503)


class PasswordChange(PasswordChangeView):
    """Django's password change, which also clears `must_change_password` and keeps the session on record."""

    success_url = reverse_lazy("home")

    def form_valid(self, form):
        from django.contrib import messages

        from .services import password_changed_by_user, session_record

        response = super().form_valid(form)
        password_changed_by_user(user=self.request.user)
        session_record(user=self.request.user, session_key=self.request.session.session_key)
        messages.success(self.request, _("Your password has been changed."))
        return response


@login_required
def notifications(request):
    from django.core.paginator import Paginator
    from django.shortcuts import render

    page = Paginator(request.user.notifications.all(), settings.LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/notifications.html", {"page": page})


@login_required
def notification_open(request, pk: int):
    """Open one of the user's notifications: it is read from now on, and the page it points to opens (a link
    inside this site only; one without a page returns to the list)."""
    from django.shortcuts import get_object_or_404
    from django.utils import timezone
    from django.utils.http import url_has_allowed_host_and_scheme

    notification = get_object_or_404(request.user.notifications, pk=pk)
    if notification.read_at is None:
        request.user.notifications.filter(pk=pk, read_at__isnull=True).update(read_at=timezone.now())
    url = notification.url
    if url and url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return redirect(url)
    return redirect("notifications")


@login_required
@require_POST
def notifications_read(request):
    from django.utils import timezone

    qs = request.user.notifications.filter(read_at__isnull=True)
    if request.POST.get("id"):
        if not request.POST["id"].isdigit():
            return redirect("notifications")
        qs = qs.filter(pk=int(request.POST["id"]))
    qs.update(read_at=timezone.now())
    return redirect("notifications")
