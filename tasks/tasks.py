import datetime

from celery import shared_task

from . import reminders


@shared_task(acks_late=True, reject_on_worker_lost=True)
def report_reminders(date: str | None = None) -> int:
    return reminders.report_reminders(today=datetime.date.fromisoformat(date) if date else None)
