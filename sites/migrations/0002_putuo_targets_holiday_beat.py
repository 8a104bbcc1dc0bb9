"""The operation-rate targets of the seed that gives them (003 §7, Putuo: 实体化运行率 90 % in 2024, 100 % in 2025)
and the daily holiday-safety reminder (07:50 Beijing time)."""

from django.db import migrations

CLAUSE = (
    "加强未成年人救助保护机构建设……推进实体化运行，2024 年实体化运行率达到 90%，2025 年达到 100%"
)
TARGETS = [("330903", 2024, 90, "003 §7"), ("330903", 2025, 100, "003 §7")]
TASK_NAME = "假期安全讲座每日提醒 (daily holiday-safety reminder)"


def ship(apps, schema_editor):
    from accounts.areas import ensure_region

    Area = apps.get_model("accounts", "Area")
    OperationTarget = apps.get_model("sites", "OperationTarget")
    for code, year, percent, source in TARGETS:
        OperationTarget.objects.get_or_create(
            area=ensure_region(Area, code), year=year, defaults={"percent": percent, "source": source, "clause": CLAUSE}
        )
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    daily, _ = CrontabSchedule.objects.get_or_create(
        minute="50", hour="7", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME, defaults={"task": "sites.tasks.holiday_safety_reminders", "crontab": daily}
    )


def unship(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()
    OperationTarget = apps.get_model("sites", "OperationTarget")
    for code, year, _percent, _source in TARGETS:
        OperationTarget.objects.filter(area_id=code, year=year).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("sites", "0001_sites"),
    ]

    operations = [migrations.RunPython(ship, unship)]
