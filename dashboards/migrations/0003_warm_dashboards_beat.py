"""Ship the warming of the city and province dashboards' cached figures in the beat schedule: every 15 minutes.
Only creates what is missing; administrators change the interval in the admin."""

from django.db import migrations

TASK_NAME = "看板数据预计算 (warm city and province dashboards)"


def ship(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=15, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME, defaults={"task": "dashboards.tasks.warm_dashboards", "interval": every}
    )


def unship(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0002_monthly_snapshot_beat")]

    operations = [migrations.RunPython(ship, unship)]
