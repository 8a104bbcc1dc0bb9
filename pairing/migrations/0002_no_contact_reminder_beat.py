"""The daily reminder of pairings without contact in the beat schedule (pairing.tasks.daily_no_contact)."""

from django.db import migrations

TASK = "pairing.tasks.daily_no_contact"


def ship(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    daily, _ = CrontabSchedule.objects.get_or_create(minute="50", hour="7", day_of_week="*", day_of_month="*",
                                                     month_of_year="*", timezone="Asia/Shanghai")
    PeriodicTask.objects.get_or_create(name="结对帮扶久未联系每日提醒 (pairings without contact)",
                                       defaults={"task": TASK, "crontab": daily})


def unship(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [("pairing", "0001_initial"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(ship, unship)]
