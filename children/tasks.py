"""Celery tasks of the children app: thin, take only plain values."""

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_job(job_id: int) -> None:
    from .jobs import run_job as run

    run(job_id)
