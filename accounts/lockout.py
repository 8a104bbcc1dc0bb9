"""Sign-in lockout: django-axes with a second, higher threshold per address.

axes locks on username + address (AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]): AXES_FAILURE_LIMIT
wrong passwords for one username from one address lock that username from that address only, so a stranger cannot
keep a director out of her own office. axes compares every combination it counts with that one limit, so the
address throttle against password spraying (many usernames from one address) is this small handler:
AXES_ADDRESS_FAILURE_LIMIT failures from one address over all usernames within the cool-off refuse that address for
everyone (0 = off). It is much higher than the per-username limit because a township office signs in through one
public address. The count is a sum over axes' own AccessAttempt rows, so nothing else is stored, a successful
sign-in clears only that username's rows (an attacker holding one account cannot reset the address count), and
axes_reset_ip / axes_reset or deleting the rows in the admin lift it.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler, plus the address throttle (AXES_HANDLER)."""

    def address_failures(self, request) -> int:
        attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0

    def address_throttled(self, request) -> bool:
        limit = settings.AXES_ADDRESS_FAILURE_LIMIT
        throttled = bool(limit) and settings.AXES_LOCK_OUT_AT_FAILURE and self.address_failures(request) >= limit
        request.axes_address_throttled = throttled  # for the lockout page
        return throttled

    def is_locked(self, request, credentials=None) -> bool:
        """Checked before the password (AxesStandaloneBackend): the username here, or this address, is locked."""
        return super().is_locked(request, credentials) or self.address_throttled(request)

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        """After axes has recorded the failure: the failure that reaches the address limit shows the lockout page,
        as the one reaching the per-username limit does."""
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or request.axes_locked_out or self.is_whitelisted(request, credentials):
            return
        if self.address_throttled(request):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )


def lockout_response(request, original_response=None, credentials=None):
    """The lockout page (AXES_LOCKOUT_CALLABLE): says whether the username is locked here or the whole address."""
    address = getattr(request, "axes_address_throttled", False)
    context = {
        "address_throttled": address,
        "failure_limit": settings.AXES_ADDRESS_FAILURE_LIMIT if address else get_failure_limit(request, credentials),
        "cooloff_timedelta": get_cool_off(request),
    }
    return render(request, "accounts/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
