"""The access log, partitioned by year on PostgreSQL (issue 19; config/partitions.py), and the monthly beat task that
creates next year's partition before it starts. Reversible: backwards, the table is plain again with its rows."""

from django.db import migrations

TASK_NAME = "每月创建分区 (partitions for next year)"


def partition(apps, schema_editor):
    from config import partitions

    partitions.partition_by_year("children_accesslog", "at")


def unpartition(apps, schema_editor):
    from config import partitions

    partitions.unpartition("children_accesslog")


def ship(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    monthly, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="2", day_of_week="*", day_of_month="1", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME, defaults={"task": "children.tasks.partitions_ahead", "crontab": monthly}
    )


def unship(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("children", "0012_list_order_indexes"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(partition, unpartition), migrations.RunPython(ship, unship)]
