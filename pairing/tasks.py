"""Celery tasks: thin, idempotent, plain values; dates are local dates."""

import datetime

from celery import shared_task

from . import reminders


@shared_task(acks_late=True, reject_on_worker_lost=True)
def daily_no_contact(date: str | None = None) -> int:
    return reminders.daily(today=datetime.date.fromisoformat(date) if date else None)
