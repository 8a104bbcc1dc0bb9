"""The installable app's files, served by the app itself: the service worker from the root (its scope is the whole
site), the web app manifest, and the outbox page (its list is filled in on the phone, from the phone's storage)."""

import functools
import hashlib
import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import config


@functools.cache
def _worker_source() -> str:
    return (settings.BASE_DIR / "static" / "pwa" / "sw.js").read_text(encoding="utf-8")


@require_GET
def service_worker(request):
    """/sw.js: static/pwa/sw.js with its settings put before it. Never cached by the browser's HTTP cache, so a
    new version is found at the next visit; the body changes with the code and the settings, which is what tells
    the browser to install the new worker."""
    settings_line = "const CONFIG = " + json.dumps(config.worker_config(), ensure_ascii=False, sort_keys=True) + ";\n"
    source = settings_line + _worker_source()
    version = hashlib.sha256(source.encode()).hexdigest()[:12]
    body = f"// version {version}\n{source}"
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request):
    """The web app manifest (Android's "add to home screen" and install prompt; iOS reads the tags in the head)."""
    icons = [
        {"src": static(path), "sizes": sizes, "type": "image/png", "purpose": purpose}
        for path, sizes, purpose in config.ICONS
    ]
    body = {
        "name": _("Child care services"),
        "short_name": _("Child care"),
        "lang": "zh-CN" if get_language().startswith("zh") else "en",
        "start_url": reverse("home"),  # by role: the worklist for a child director
        "scope": "/",
        "id": "/",
        "display": "standalone",
        "background_color": "#f5f7f9",
        "theme_color": "#b4232a",
        "icons": icons,
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@login_required
@require_GET
def outbox(request):
    """待发送: visits kept on this phone and not yet sent, and those the server refused, with the reasons."""
    return render(request, "visits/outbox.html", {"offline_days": settings.OFFLINE_CACHE_DAYS})
