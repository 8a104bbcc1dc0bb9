"""Celery tasks: thin, idempotent, take only plain values; dates are local (Asia/Shanghai) dates."""

import datetime

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def holiday_safety_reminders(date: str | None = None) -> dict:
    """The daily reminder of the holiday safety lecture (sites.holidays.send_reminders); a notification is written
    once per user, holiday and stage, so running it twice a day changes nothing."""
    from django.utils import timezone

    from . import holidays

    today = datetime.date.fromisoformat(date) if date else timezone.localdate()
    return holidays.send_reminders(today=today)
