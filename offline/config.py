"""What the phone's scripts are told by the server: the page script (static/pwa/offline.js) through a JSON element in
every page's head (templatetags/offline.py), the service worker (static/pwa/sw.js) through a line put before it
(views.service_worker). Paths come from the URL configuration, the visit form's required fields from their one home
(visits.rules), the limits from settings (OFFLINE_CACHE_DAYS, OFFLINE_PHOTO_MAX_BYTES) and visits.services."""

import re

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from visits import rules
from visits.services import MAX_PHOTOS

ICONS = [
    ("pwa/icons/icon-192.png", "192x192", "any"),
    ("pwa/icons/icon-512.png", "512x512", "any"),
    ("pwa/icons/icon-maskable-512.png", "512x512", "maskable"),
]
APPLE_TOUCH_ICON = "pwa/icons/apple-touch-icon.png"
PAGE_SCRIPT = "pwa/offline.js"
STYLESHEET = "css/app.css"
_PLACEHOLDER = 987654321


def id_pattern(name: str) -> str:
    """A regular expression (for JavaScript) matching the path of URL `name` for any id, the id captured."""
    head, tail = reverse(name, args=[_PLACEHOLDER]).split(str(_PLACEHOLDER))
    return "^" + re.escape(head) + r"(\d+)" + re.escape(tail) + "$"


def texts() -> dict[str, str]:
    """The page script's messages, in the page's language; the script fills in %(n)s and %(when)s."""
    return {
        "offline": _(
            "You are offline. Visits you record now are kept on this phone and sent when the connection returns."
        ),
        "saved": _("Saved on this phone. It will be sent when the connection returns."),
        "waiting": _("Visits waiting to be sent: %(n)s"),
        "refused": _("Visits the server refused: %(n)s. Open the outbox to see why."),
        "open_outbox": _("Open the outbox"),
        "logout_warn": _(
            "%(n)s visits on this phone have not been sent. Signing out deletes them from this phone. Sign out anyway?"
        ),
        "photo_too_large": _("A photo is too large to keep on the phone, even made smaller (at most %(mb)s MB).")
        % {"mb": f"{settings.OFFLINE_PHOTO_MAX_BYTES / (1024 * 1024):g}"},
        "photo_kind": _("Photos must be JPEG or PNG."),
        "too_many_photos": _("At most %(n)d photos per visit.") % {"n": MAX_PHOTOS},
        "harm": _("Harm or danger was found: file a mandatory report as soon as you are online."),
        "harm_sent": _("A visit that found harm or danger has been recorded: file the mandatory report now."),
        "file_report": _("File the mandatory report"),
        "not_saved": _("The visit could not be kept on this phone (its storage may be full)."),
        "status_waiting": _("Waiting to be sent"),
        "status_signin": _("Waiting: sign in again to send it"),
        "status_refused": _("Refused by the server"),
        "send_now": _("Send now"),
        "retry": _("Send again"),
        "discard": _("Discard"),
        "discard_confirm": _("Discard this visit from the phone? It has not been recorded on the server."),
        "empty": _("Nothing waits to be sent."),
        "kept_at": _("kept on the phone at %(when)s"),
        "photos": _("photos: %(n)s"),
        "household": _("also for %(n)s other children of the household"),
        "sent": _("Sent: %(n)s"),
        "not_found": _(
            "This child's archive is no longer within your area (moved to another area or removed): the visit cannot "
            "be recorded by you."
        ),
    }


def page_config(user) -> dict:
    signed_in = bool(user and user.is_authenticated)
    return {
        "user": user.pk if signed_in else None,
        "days": settings.OFFLINE_CACHE_DAYS,
        "photoMax": settings.OFFLINE_PHOTO_MAX_BYTES,
        "maxPhotos": MAX_PHOTOS,
        "sw": reverse("offline:service_worker"),
        "api": reverse("api:visits"),
        "outbox": reverse("offline:outbox"),
        "home": reverse("home"),
        "worklist": reverse("visits:worklist"),
        "reportNew": reverse("guardianship:report_new"),
        "logout": reverse("logout"),
        "patterns": {"child": id_pattern("children:detail"), "visit": id_pattern("visits:new")},
        "required": {kind: list(names) for kind, names in rules.REQUIRED_FIELDS.items()},
        "requiredText": {name: str(message) for name, message in rules.REQUIRED_MESSAGES.items()},
        "static": [static(STYLESHEET), static(PAGE_SCRIPT), static(APPLE_TOUCH_ICON)],
        "text": texts() if signed_in else {},
    }


def worker_config() -> dict:
    """The service worker's: how long a kept page may be shown, and its offline page in both languages."""
    pages = {}
    for code in ("zh-hans", "en"):
        with translation.override(code):
            pages[code] = {
                "title": _("Offline"),
                "body": _("You are offline and this page was not kept on this phone."),
                "link": _("Open the outbox"),
            }
    return {"days": settings.OFFLINE_CACHE_DAYS, "outbox": reverse("offline:outbox"), "pages": pages}
