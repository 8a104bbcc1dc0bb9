"""The check that a data migration puts a Celery task in the beat schedule, written once for the apps' tests."""

import importlib


def scheduled(migration: str, task_name: str):
    """Run the migration's `ship` twice (a transactional test elsewhere may have flushed the rows; twice creates
    nothing new), check the task is registered with the Celery app, and return its enabled PeriodicTask."""
    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    from config.celery import app

    module = importlib.import_module(migration)
    module.ship(apps, None)
    module.ship(apps, None)
    task = PeriodicTask.objects.get(task=task_name)
    assert task.enabled and str(task.crontab.timezone) == "Asia/Shanghai"
    app.loader.import_default_modules()
    assert task_name in app.tasks
    return task
