"""gunicorn settings, from the environment: `gunicorn -c config/gunicorn.py config.wsgi`.

GUNICORN_WORKERS (or WEB_CONCURRENCY) sets the number of worker processes; the default is cores + 1, counting the
cores this process may run on. A request spends little time waiting: with PostgreSQL on the same machine the workers
and the database share the cores, and more workers only contend (bench/RESULTS.md: on 2 cores, 3 workers served
about 20 % more than 5). With the database on its own machine, 2 × cores + 1 is the usual start.
GUNICORN_BIND is where to listen (nginx proxies to it)."""

import os


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


workers = _int("GUNICORN_WORKERS", _int("WEB_CONCURRENCY", cores() + 1))
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so that a slow leak never grows without bound.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = 200
# Our middleware writes one JSON line per request; gunicorn's own access log would repeat it with the query string.
accesslog = None
errorlog = "-"
# Trust X-Forwarded-* only from nginx on this machine.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
