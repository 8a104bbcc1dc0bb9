"""Ship the monthly compliance snapshot in the beat schedule (django-celery-beat), like visits/0002: the 1st of
each month at 02:30 Beijing time, for the month just ended. Administrators change the time in the admin; this
migration only creates what is missing."""

from django.db import migrations

TASK_NAME = "每月走访合规快照 (monthly visit-compliance snapshot)"


def ship(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    monthly, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="2", day_of_week="*", day_of_month="1", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME, defaults={"task": "dashboards.tasks.compliance_snapshot", "crontab": monthly}
    )


def unship(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(ship, unship)]
