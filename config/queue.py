"""Putting Celery tasks on the queue without making a page wait on, or fail with, a broker that is down.

Everything the app queues can be done again later (the daily sweeps derive their work from the database, jobs
are rows in the database), so when the broker cannot be reached after one quick retry, `enqueue` logs the error
and returns False; the caller decides whether to run the work in-process instead."""

import logging

log = logging.getLogger(__name__)

# One retry after 0.2 s: a page waits at most about a second for a broker that is down, never the default
# retry policy's several seconds per attempt.
RETRY_POLICY = {"max_retries": 1, "interval_start": 0.2, "interval_step": 0.2, "interval_max": 0.2}


def enqueue(task, *args, **kwargs) -> bool:
    """Queue `task(*args, **kwargs)`; False (and an error in the log) when the broker cannot take it."""
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=True, retry_policy=RETRY_POLICY)
    except Exception:  # noqa: BLE001 - any broker failure: the work is not lost, the caller is told
        log.error("could not queue %s: the message broker is unavailable", task.name, exc_info=True)
        return False
    return True
