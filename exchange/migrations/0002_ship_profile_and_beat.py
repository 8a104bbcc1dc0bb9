"""Ship the column-mapping profile of the project's own import template (exchange.profiles.SHIPPED) and the daily
sweep of list submissions (silent sources, visits after a detention) at 06:15 Beijing time. Only creates what is
missing; administrators change both in the admin."""

from django.db import migrations

TASK_NAME = "每日部门名单检查 (daily check of department lists)"


def ship(apps, schema_editor):
    from exchange.profiles import SHIPPED

    MappingProfile = apps.get_model("exchange", "MappingProfile")
    MappingProfile.objects.get_or_create(name=SHIPPED["name"], defaults={k: v for k, v in SHIPPED.items() if k != "name"})
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    daily, _ = CrontabSchedule.objects.get_or_create(
        minute="15", hour="6", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.get_or_create(name=TASK_NAME, defaults={"task": "exchange.tasks.daily_sweep", "crontab": daily})


def unship(apps, schema_editor):
    from exchange.profiles import SHIPPED_NAME

    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()
    apps.get_model("exchange", "MappingProfile").objects.filter(name=SHIPPED_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("exchange", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(ship, unship)]
