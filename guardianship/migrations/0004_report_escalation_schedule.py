from django.db import migrations


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=15, period="minutes")
    PeriodicTask.objects.get_or_create(name="强制报告超时上报 (unacknowledged reports)",
                                       defaults={"task": "guardianship.tasks.escalate_reports", "interval": every})


class Migration(migrations.Migration):
    dependencies = [("guardianship", "0003_mandatory_reports"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(schedule, migrations.RunPython.noop)]
