"""The visit schedules a changed rule set affects, recomputed by a background job instead of in the request.

Saving (or deleting) a rule set in the admin changes the due dates of every child of its area: at 921,380
children 22.5 s, at national scale minutes, past any web request's timeout (issue 20). The admin therefore only
records a job (`children.Job`, kind "schedules", the areas' code prefixes in its parameters) in the save's own
transaction and queues it once that commits; the page links to the job, whose page shows its progress and result.
The changed rules apply from when the job finishes.

Jobs run one at a time: on PostgreSQL a transaction-level advisory lock, on SQLite (the demo, one worker) its single
writer. The job that holds the lock takes every schedule job still waiting or running (a running one seen under the
lock is either waiting for it or was left by a worker that died), refreshes the union of their areas with the rule
data committed by then, and finishes them all, in one transaction. So a save made while a job runs is not lost: its
job waits for the lock and then reads the newest rules. Nor is it doubled: jobs waiting together are done by one
refresh, and the others find themselves finished when their task comes. A worker that dies mid-refresh rolls back
everything, and its task is delivered again (acks_late). A job the broker could not take stays waiting until the
next job, or the daily sweep (`run_waiting`), runs it.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from children.jobs import report_progress
from children.models import Job, JobKind, JobState

from . import schedule

log = logging.getLogger(__name__)

# The advisory lock serialising schedule jobs (PostgreSQL); any number no other part of the app locks.
LOCK_KEY = 2020_0001
WAITING = [JobState.QUEUED, JobState.RUNNING]


def covering(prefixes: Iterable[str]) -> list[str]:
    """The fewest area prefixes whose subtrees hold all of `prefixes` ("" holds everyone)."""
    out: list[str] = []
    for prefix in sorted(set(prefixes), key=len):
        if not any(prefix.startswith(kept) for kept in out):
            out.append(prefix)
    return sorted(out)


def start_refresh(*, user: User, prefixes: Iterable[str]) -> Job:
    """Record a job recomputing the schedules under `prefixes` ("" = everyone); it is queued when the caller's
    transaction commits (the worker must see the rule data it was made for)."""
    job = Job.objects.create(kind=JobKind.SCHEDULES, user=user, params={"prefixes": covering(prefixes)})
    transaction.on_commit(functools.partial(_queue, job.pk))
    return job


def _queue(pk: int) -> None:
    from children.tasks import run_job
    from config.queue import enqueue

    if not enqueue(run_job, pk):  # left waiting: the next schedule job or the daily sweep runs it
        log.warning("schedule job %s: broker unavailable, left waiting", pk)


def _serialise(pk: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    else:  # SQLite: the transaction's first write takes the database's one write lock until it commits
        Job.objects.filter(pk=pk).update(phase="")


def run(job: Job) -> None:
    """Run a claimed schedule job (children.jobs.run_job's runner), with every other one still waiting."""
    from dashboards import figures as dashboard_figures

    report_progress(job.pk, _("Waiting for the recomputation before this one to finish"), 0, 0)
    with transaction.atomic():
        _serialise(job.pk)
        batch = dict(
            Job.objects.filter(kind=JobKind.SCHEDULES, state__in=WAITING).order_by("pk").values_list("pk", "params")
        )
        if job.pk not in batch:
            return  # finished meanwhile by the job that held the lock
        areas = covering(p for params in batch.values() for p in params.get("prefixes", []))
        written: int | None = 0
        for done, prefix in enumerate(areas):
            for pk in batch:
                report_progress(pk, _("Recomputing visit schedules"), done, len(areas))
            rows = schedule.refresh(area_prefix=prefix or None)
            dashboard_figures.mark_area_stale(prefix)  # the visit figures of the area's villages follow
            # SQLite's driver does not count the rows of a statement that starts with WITH (-1): not known.
            written = None if written is None or rows < 0 else written + rows
        now = timezone.now()
        finished = {
            "state": JobState.DONE,
            "finished_at": now,
            "started_at": Coalesce("started_at", now),
            "phase": "",
            "done": len(areas),
            "total": len(areas),
        }
        summary = {"written": written, "areas": areas, "jobs": sorted(batch)}
        Job.objects.filter(pk=job.pk).update(summary=summary, **finished)
        Job.objects.filter(pk__in=[pk for pk in batch if pk != job.pk]).update(
            summary={**summary, "by": job.pk}, **finished
        )


def latest_for(prefix: str, *, look_back: int = 50) -> Job | None:
    """The latest of the recent schedule jobs whose areas hold the area of `prefix` (the admin's rule-set page)."""
    recent = Job.objects.filter(kind=JobKind.SCHEDULES).order_by("-pk")[:look_back]
    return next((job for job in recent if any(prefix.startswith(p) for p in job.params.get("prefixes", []))), None)


def run_waiting() -> int | None:
    """Run the oldest schedule job still waiting (it takes the others along); its id, or None if there is none.
    Called by the daily sweep so that a job whose message the broker never took does not wait for ever."""
    from children.jobs import run_job

    pk = Job.objects.filter(kind=JobKind.SCHEDULES, state=JobState.QUEUED).order_by("pk").values_list("pk", flat=True)
    pk = pk.first()
    if pk is not None:
        run_job(pk)
    return pk
