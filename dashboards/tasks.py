"""Celery tasks: thin, idempotent, plain values; dates are local (Asia/Shanghai) dates."""

import datetime

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def compliance_snapshot(month: str | None = None) -> dict:
    """Snapshot one month's visit compliance per village (default: the month just ended). Run on the 1st.

    `month`: "YYYY-MM" (or any date "YYYY-MM-DD" in the month)."""
    today = timezone.localdate()
    start = datetime.date.fromisoformat(month[:7] + "-01") if month else services.previous_month(today)
    villages = services.snapshot_month(month=start, today=today)
    return {"month": start.isoformat(), "villages": villages}


@shared_task(acks_late=True, reject_on_worker_lost=True)
def refresh_village_figures() -> dict:
    """Keep the stored per-village dashboard figures current (beat, every 2 minutes): every village after the date
    changed, else the villages writes marked stale. It writes, so it reads from the primary (not a replica)."""
    return {"villages": services.refresh_village_figures(today=timezone.localdate())}
