"""Celery tasks: thin, idempotent, take only plain values; dates are local (Asia/Shanghai) dates."""

import datetime

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def duty_reminders(date: str | None = None) -> dict:
    """The weekly reminder of the recorded-only duties (oversight.duties.send_reminders)."""
    from django.utils import timezone

    from . import duties

    today = datetime.date.fromisoformat(date) if date else timezone.localdate()
    return duties.send_reminders(today=today)
