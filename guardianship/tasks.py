from celery import shared_task

from . import reports, sweep


@shared_task(acks_late=True, reject_on_worker_lost=True)
def escalate_reports() -> int:
    return reports.escalate_unacknowledged()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def daily_sweep() -> int:
    return sweep.daily()
