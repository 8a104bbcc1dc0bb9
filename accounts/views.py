from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST


@login_required
def home(request):
    from .models import Role

    if request.user.role == Role.DIRECTOR:
        return redirect("visits:worklist")
    if request.user.role == Role.LIAISON:
        return redirect("tasks:mine")
    return redirect("children:list")


@never_cache
def healthz(request):
    """200 when the database answers; 503 otherwise."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        checks["database"] = "down"
    status = 200 if checks["database"] == "ok" else 503
    return JsonResponse({"status": "ok" if status == 200 else "fail", "checks": checks}, status=status)


@login_required
def notifications(request):
    from django.conf import settings
    from django.core.paginator import Paginator
    from django.shortcuts import render

    page = Paginator(request.user.notifications.all(), settings.LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/notifications.html", {"page": page})


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
