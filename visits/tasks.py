"""Celery tasks: thin, idempotent, take only plain values; dates are local (Asia/Shanghai) dates."""

import datetime

from celery import shared_task

from . import reminders


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


@shared_task(acks_late=True, reject_on_worker_lost=True)
def visit_sweep(date: str | None = None) -> dict:
    from . import schedule_jobs

    schedule_jobs.run_waiting()  # a rule set's recomputation whose message the broker never took
    result = reminders.daily_sweep(today=_date(date))
    result.pop("notifications", None)
    return result


@shared_task(acks_late=True, reject_on_worker_lost=True)
def check_schedules() -> dict:
    """Weekly (beat): the stored schedules against the visit history; differences are fixed and logged as errors."""
    from . import schedule_check

    result = schedule_check.check(fix=True)
    return {"differing": len(result.differing), "closed_with_row": len(result.closed_with_row)}


@shared_task(acks_late=True, reject_on_worker_lost=True)
def supervisor_digest(date: str | None = None) -> dict:
    return reminders.weekly_digest(today=_date(date))


@shared_task(acks_late=True, reject_on_worker_lost=True)
def screening_sweep(date: str | None = None) -> dict:
    """Screening deadline reminders and lapsed counties (visits.screening.sweep)."""
    from django.utils import timezone

    from . import screening

    return screening.sweep(today=_date(date) or timezone.localdate())


@shared_task(acks_late=True, reject_on_worker_lost=True)
def screening_launched(campaign_id: int) -> dict:
    """Tell the directors of a new campaign's area (visits.screening.notify_launch; idempotent by its key)."""
    from . import screening
    from .models import ScreeningCampaign

    campaign = ScreeningCampaign.objects.select_related("area").filter(pk=campaign_id).first()
    return {"told": screening.notify_launch(campaign) if campaign else 0}
