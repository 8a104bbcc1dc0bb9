"""Shared set-up for the bench scripts: Django on the database named by DATABASE_URL."""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

import django  # noqa: E402

django.setup()


def timed(fn, repeat: int = 5) -> tuple[float, object]:
    """Median wall time in ms over `repeat` runs (after one warm-up) and the last result."""
    result = fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), result


def page(client, url: str, repeat: int = 5) -> tuple[float, int]:
    """Median server time of a page (in-process, no network) and its query count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    ms, _ = timed(get, repeat)
    with CaptureQueriesContext(connection) as ctx:
        get()
    return ms, len(ctx.captured_queries)


# Benchmarks render pages without a collectstatic manifest.
from django.test.utils import override_settings  # noqa: E402

override_settings(
    STORAGES={
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
).enable()
