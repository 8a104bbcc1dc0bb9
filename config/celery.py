import logging
import os
import time

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("careservices")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Keep Django's LOGGING (JSON lines) in the worker instead of Celery's own handlers.
app.conf.worker_hijack_root_logger = False


# One structured log line per task run (config/logging.py formats it as JSON): the task's name and id, its
# outcome and duration. Arguments are never logged (they are ids today, but a name could slip in tomorrow).
_task_log = logging.getLogger("care.task")
_started: dict[str, float] = {}


@signals.task_prerun.connect(dispatch_uid="care_task_prerun")
def _task_started(task_id=None, task=None, **kwargs):
    _started[task_id] = time.perf_counter()


@signals.task_postrun.connect(dispatch_uid="care_task_postrun")
def _task_finished(task_id=None, task=None, state=None, **kwargs):
    started = _started.pop(task_id, None)
    _task_log.info(
        "task",
        extra={
            "data": {
                "task": getattr(task, "name", None),
                "task_id": task_id,
                "state": state,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started is not None else None,
                "retries": getattr(getattr(task, "request", None), "retries", None),
            }
        },
    )
