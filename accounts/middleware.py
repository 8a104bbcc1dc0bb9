import logging
import time

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject, empty
from django.utils.translation import check_for_language

request_log = logging.getLogger("care.request")


class ChineseFirstLocaleMiddleware:
    """Chinese unless the user chose otherwise: the language cookie (set by the switch in the header) decides,
    the browser's Accept-Language does not (an English browser on an intranet PC still gets Chinese)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen and check_for_language(chosen) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


def _user_id(request) -> int | None:
    """The signed-in user's id for the log line; None when there is none or it cannot be looked up (the database
    is down: the request log must not turn a clean 503 into a 500)."""
    user = getattr(request, "user", None)
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:
        return None  # the view never looked at the user: don't load the session just to log it
    try:
        return user.pk if user is not None and user.is_authenticated else None
    except Exception:  # noqa: BLE001
        return None


class RequestLogMiddleware:
    """One structured log line per request: time, method, path (never the query string, which may carry search
    terms such as names or ID numbers), status, duration and the user's id (never a name)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        request_log.info(
            "request",
            extra={
                "data": {
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": _user_id(request),
                }
            },
        )
        return response


class PasswordChangeRequiredMiddleware:
    """A user whose password was set by an administrator (`must_change_password`) is sent to the password-change
    page on every request until they have chosen their own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == reverse("healthz"):  # answers without a user, even while the database is down
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            allowed = {reverse("password_change"), reverse("logout"), reverse("set_language"), reverse("healthz")}
            if request.path not in allowed and not request.path.startswith(settings.STATIC_URL):
                return redirect("password_change")
        return self.get_response(request)


class IdleSessionMiddleware:
    """Sessions end after SESSION_COOKIE_AGE of inactivity, without a database write on every request.

    Django's SESSION_SAVE_EVERY_REQUEST would UPDATE and commit the session row on every page. Instead the session
    is saved (and its expiry pushed back) only when its last save is more than SESSION_REFRESH_SECONDS old: an idle
    user is signed out between SESSION_COOKIE_AGE − SESSION_REFRESH_SECONDS and SESSION_COOKIE_AGE after their last
    request. Sits after SessionMiddleware, so the session it marks is saved on the way out."""

    KEY = "_saved_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or response.status_code >= 500 or not (session.modified or session.session_key):
            return response  # no session (or the database may be down)
        now = int(time.time())
        if session.modified or now - session.get(self.KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
            # Saved anyway (sign-in, a message …), or due: SessionMiddleware saves it and resets the cookie.
            session[self.KEY] = now
        return response
