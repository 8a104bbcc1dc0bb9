"""Background jobs a user starts (imports, PDF batches): created here, run inline or on a Celery worker. The visit
schedules a changed rule set affects are recomputed by a job of this kind too (`visits.schedule_jobs`).

Small uploads are handled in the request; larger ones and PDF batches go to the worker, and the job page refreshes
until done, so the user can leave and come back. Progress is kept in the cache (Redis in production, a file cache
shared by the processes of the embedded set-up), because the import itself runs in one transaction whose writes
nobody sees before it commits. A job whose worker dies is delivered again (acks_late) and runs again from the
start: the import's single transaction means the dead run wrote nothing.
"""

from __future__ import annotations

import logging
import traceback
from contextlib import nullcontext

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from config.replicas import replica_reads

from .models import Job, JobKind, JobState, job_file_path

log = logging.getLogger(__name__)
PROGRESS_TTL = 6 * 3600
SUMMARY_ROWS = 500  # rows of each kind kept for the preview page; the rest are counted


def can_import(user: User) -> bool:
    return user.is_administrator or user.role == Role.CIVIL_AFFAIRS


def _progress_key(pk: int) -> str:
    return f"job-progress:{pk}"


def report_progress(pk: int, phase: str, done: int, total: int) -> None:
    try:
        cache.set(_progress_key(pk), {"phase": phase, "done": done, "total": total}, PROGRESS_TTL)
    except Exception:  # noqa: BLE001 - progress is a courtesy; a cache outage must not fail the job
        log.warning("job %s: progress not recorded (cache unavailable)", pk)


def progress_of(job: Job) -> dict:
    """Phase, done and total of a running job (from the cache), else from the row."""
    if not job.finished:
        try:
            value = cache.get(_progress_key(job.pk))
        except Exception:  # noqa: BLE001
            value = None
        if value:
            return value
    return {"phase": job.phase, "done": job.done, "total": job.total}


# --- Starting jobs ------------------------------------------------------------------------------------------


def start_import_check(*, user: User, upload) -> Job:
    """Store the upload and check it (dry run). Large files are checked on the worker."""
    if not can_import(user):
        raise PermissionDenied
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            {
                "file": _("The file is larger than %(mb)s MB. Split it into smaller files.")
                % {"mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)}
            }
        )
    if upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    job = Job(kind=JobKind.IMPORT_PREVIEW, user=user, source_name=upload.name[-200:])
    job.source.save(upload.name, upload, save=False)
    job.save()
    dispatch(job, inline=upload.size <= settings.IMPORT_INLINE_MAX_BYTES)
    return job


def start_import(*, user: User, preview: Job, valid_only: bool) -> Job:
    """Import the file a finished check looked at (checked again: the archives may have changed since)."""
    if preview.user_id != user.pk or preview.kind != JobKind.IMPORT_PREVIEW or preview.state != JobState.DONE:
        raise ValidationError(_("Check the file first."))
    totals = preview.summary.get("totals", {})
    if totals.get("invalid") and not valid_only:
        raise ValidationError(_("Some rows are invalid: correct the file, or import the valid rows only."))
    with transaction.atomic():
        # The preview's row is written first: a second confirmation of the same check (another tab, a double
        # click) waits here until the first one's job exists, then sees it (PostgreSQL row lock; SQLite's
        # single writer).
        Job.objects.filter(pk=preview.pk).update(finished_at=F("finished_at"))
        earlier = Job.objects.filter(kind=JobKind.IMPORT, user=user, params__preview=preview.pk)
        if earlier.filter(state__in=[JobState.QUEUED, JobState.RUNNING]).exists():
            raise ValidationError(_("This file is already being imported: wait for that import to finish."))
        if any(
            summary.get("written") for summary in earlier.filter(state=JobState.DONE).values_list("summary", flat=True)
        ):
            raise ValidationError(_("This file has already been imported. To import it again, check it again."))
        job = Job.objects.create(
            kind=JobKind.IMPORT,
            user=user,
            source=preview.source.name,
            source_name=preview.source_name,
            params={"valid_only": valid_only, "preview": preview.pk},
        )
    dispatch(job, inline=preview.source.size <= settings.IMPORT_INLINE_MAX_BYTES)
    return job


def start_archives(*, user: User, area_code: str) -> Job:
    """All open archives of a village or township as PDFs in one zip, built on the worker."""
    from . import access

    if not access.visible_areas(user).filter(code=area_code).exists():
        raise ValidationError({"area": _("Choose an area within your own.")})
    job = Job.objects.create(kind=JobKind.ARCHIVES, user=user, params={"area": area_code})
    dispatch(job, inline=False)
    return job


def dispatch(job: Job, *, inline: bool) -> None:
    """Run now, or queue for the worker; if the broker cannot be reached, run now rather than lose the job."""
    if not inline:
        from config.queue import enqueue

        from .tasks import run_job as task

        if enqueue(task, job.pk):  # fails fast (and logs) when the broker is down
            return
        log.warning("job %s: broker unavailable, running in the web process", job.pk)
    run_job(job.pk)


# --- Running jobs -------------------------------------------------------------------------------------------


def run_job(pk: int) -> None:
    """Claim the job and run it; a finished job is left alone (a redelivered task does nothing)."""
    claimed = Job.objects.filter(pk=pk, state__in=[JobState.QUEUED, JobState.RUNNING]).update(
        state=JobState.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return
    job = Job.objects.get(pk=pk)
    runner = {
        JobKind.IMPORT_PREVIEW: _run_import,
        JobKind.IMPORT: _run_import,
        JobKind.ARCHIVES: _run_archives,
        JobKind.SCHEDULES: _run_schedules,
    }
    try:
        runner[job.kind](job)
    except ValidationError as exc:
        _finish(job, JobState.FAILED, message="；".join(exc.messages))
    except IntegrityError as exc:
        # The database refused a write (an archive registered or imported by someone else meanwhile with one of
        # the file's ID numbers): the whole import was rolled back. The error's text names the ID number: not logged.
        _log_failure(pk, exc)
        _finish(
            job,
            JobState.FAILED,
            message=_(
                "Nothing was imported: while this file was being imported, the archives changed (another import "
                "or registration of one of its children). Check the file again, then import it."
            ),
        )
    except Exception as exc:  # noqa: BLE001 - the user is told; nothing personal goes to the log (_log_failure)
        _log_failure(pk, exc)
        _finish(job, JobState.FAILED, message=_("The job failed unexpectedly; nothing was changed. Try again."))


def _log_failure(pk: int, exc: BaseException) -> None:
    """The failure's type and where it happened (the traceback's frames), never its message: a database error's text
    carries the values it refused (an ID number, a name). Not re-raised: the job page says what happened, and the web
    request or the Celery task around it would log the message again."""
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error("job %s failed: %s\n%s", pk, type(exc).__name__, frames)


def _finish(job: Job, state: str, **fields) -> None:
    fields.setdefault("finished_at", timezone.now())
    Job.objects.filter(pk=job.pk, state=JobState.RUNNING).update(state=state, **fields)


def _run_import(job: Job) -> None:
    from . import imports

    def progress(phase: str, done: int, total: int) -> None:
        report_progress(job.pk, phase, done, total)

    dry_run = job.kind == JobKind.IMPORT_PREVIEW
    cleaned = None if dry_run else _cleaned_by_preview(job)  # if found, the file is not read again

    def source():  # the file again, for the cells of rows only the database checks refused
        with job.source.open("rb") as upload:
            return imports.read_roster(upload)

    with nullcontext() if cleaned is not None else job.source.open("rb") as upload:
        outcome = imports.run_import(
            upload,
            user=job.user,
            dry_run=dry_run,
            valid_only=bool(job.params.get("valid_only")),
            progress=progress,
            keep_cleaned=dry_run,
            cleaned=cleaned,
            source=source,
        )
    if outcome.cleaned:
        name = default_storage.save(job_file_path(job, "rows.bin"), ContentFile(outcome.cleaned))
        Job.objects.filter(pk=job.pk).update(params={**job.params, "cleaned": name})
    summary = summarise(outcome)
    output, output_name = "", ""
    if outcome.invalid:
        name = f"invalid-rows-{job.pk}.xlsx"
        output = ContentFile(imports.invalid_rows_workbook(outcome), name=name)
        output_name = f"错误行-{job.source_name.rsplit('.', 1)[0]}.xlsx"
    if output:
        job.output.save(output.name, output, save=False)
    _finish(
        job,
        JobState.DONE,
        summary=summary,
        output=job.output.name if output else "",
        output_name=output_name,
        done=len(outcome.rows),
        total=len(outcome.rows),
        phase="",
    )


def _cleaned_by_preview(job: Job):
    """The rows the preview cleaned (sealed, same day), or None to read the file again."""
    from . import imports

    preview = Job.objects.filter(pk=job.params.get("preview"), user=job.user_id).first()
    name = preview.params.get("cleaned") if preview else None
    if not name:
        return None
    try:
        with default_storage.open(name, "rb") as sealed:
            return imports.unseal(sealed.read(), timezone.localdate())
    except OSError:
        return None


def summarise(outcome) -> dict:
    """What the job page shows: totals, and the first rows of each kind with their changes or errors."""
    rows: dict[str, list] = {"invalid": [], "update": [], "new": []}
    for row in outcome.rows:
        bucket = rows.get(row.kind)
        if bucket is None or len(bucket) >= SUMMARY_ROWS:
            continue
        if row.kind == "invalid":
            bucket.append([row.number, [[h, "；".join(m)] for h, m in row.errors.items()]])
        else:
            bucket.append([row.number, row.values.get("name", ""), row.values.get("village", ""), row.changed])
    written = outcome.written
    return {
        "totals": outcome.totals,
        "rows": rows,
        "dry_run": outcome.dry_run,
        "written": {"created": written.created, "updated": written.updated} if written else None,
    }


def _run_schedules(job: Job) -> None:
    from visits import schedule_jobs

    schedule_jobs.run(job)


@replica_reads()  # a PDF batch only reads (its job's own row is bookkeeping, read and written on the primary)
def _run_archives(job: Job) -> None:
    from . import pdf

    def progress(done: int, total: int) -> None:
        report_progress(job.pk, _("Printing archives"), done, total)

    content, count = pdf.archives_zip(user=job.user, area_code=job.params["area"], progress=progress)
    name = f"archives-{job.params['area']}-{job.pk}.zip"
    job.output.save(name, ContentFile(content), save=False)
    _finish(
        job,
        JobState.DONE,
        output=job.output.name,
        output_name=f"档案-{job.params['area']}.zip",
        summary={"archives": count},
        done=count,
        total=count,
    )
