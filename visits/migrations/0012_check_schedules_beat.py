"""Ship the weekly check of the stored visit schedules against the visit history (visits.schedule_check): Sundays
at 03:00, Beijing time. Only creates what is missing; administrators change it in the admin."""

from django.db import migrations

TASK_NAME = "每周走访计划核对 (weekly check of the visit schedules)"


def ship(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    weekly, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="3", day_of_week="0", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.get_or_create(name=TASK_NAME, defaults={"task": "visits.tasks.check_schedules", "crontab": weekly})


def unship(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0011_english_labels_without_chinese"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(ship, unship)]
