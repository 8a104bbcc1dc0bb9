"""Celery tasks of the children app: thin, take only plain values."""

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_job(job_id: int) -> None:
    from .jobs import run_job as run

    run(job_id)


@shared_task
def partitions_ahead() -> list[str]:
    """Monthly: next year's partitions of the tables partitioned by year (config/partitions.py)."""
    from config import partitions

    return partitions.ensure_years()
