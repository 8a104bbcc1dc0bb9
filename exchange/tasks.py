"""Celery tasks: thin, idempotent, take only plain values; dates are local (Asia/Shanghai) dates."""

import datetime

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def daily_sweep(date: str | None = None) -> dict:
    """Flag silent sources and remind overdue visits after a detention (exchange.silence)."""
    from django.utils import timezone

    from . import silence

    today = datetime.date.fromisoformat(date) if date else timezone.localdate()
    return {"silent_flagged": silence.flag_silent(today), "visits_reminded": silence.remind_visits(today)}
