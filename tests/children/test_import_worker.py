"""A large roster is checked and imported by a real Celery worker on Redis, with PostgreSQL."""

import pytest
from django.urls import reverse

from children.models import Child, Job
from tests.children.test_import import good, xlsx
from tests.visits.test_celery import Worker, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_a_large_file_runs_on_the_worker_and_the_page_follows_it(
    require_postgres, redis_url, client, users, tree, settings
):
    from config.celery import app

    queue = "test-import"
    default_queue, app.conf.task_default_queue = app.conf.task_default_queue, queue
    settings.IMPORT_INLINE_MAX_BYTES = 0  # every file counts as large
    worker = Worker(redis_url, queue, MEDIA_ROOT=settings.MEDIA_ROOT).start()
    try:
        client.force_login(users.county_staff)
        response = client.post(reverse("children:import"), {"file": xlsx([good(n) for n in range(1, 41)])})
        job = Job.objects.get()
        page = client.get(response.url)
        assert b'http-equiv="refresh"' in page.content or Job.objects.get().state == "done"
        assert wait_for(lambda: Job.objects.get(pk=job.pk).state == "done", timeout=60), worker.output()
        assert Job.objects.get(pk=job.pk).summary["totals"]["new"] == 40 and Child.objects.count() == 0
        client.post(reverse("children:job_confirm", args=[job.pk]))
        imported = Job.objects.latest("id")
        assert wait_for(lambda: Job.objects.get(pk=imported.pk).state == "done", timeout=60), worker.output()
        assert Child.objects.count() == 40
        page = client.get(reverse("children:job", args=[imported.pk])).content
        assert b'http-equiv="refresh"' not in page and b"40" in page
    finally:
        worker.kill()
        app.conf.task_default_queue = default_queue
