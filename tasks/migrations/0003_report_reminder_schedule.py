from django.db import migrations


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    daily, _ = CrontabSchedule.objects.get_or_create(minute="10", hour="7", day_of_week="*", day_of_month="*",
                                                     month_of_year="*", timezone="Asia/Shanghai")
    PeriodicTask.objects.get_or_create(name="年度进展报送提醒 (yearly report reminders)",
                                       defaults={"task": "tasks.tasks.report_reminders", "crontab": daily})


class Migration(migrations.Migration):
    dependencies = [("tasks", "0002_yearly_report"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(schedule, migrations.RunPython.noop)]
