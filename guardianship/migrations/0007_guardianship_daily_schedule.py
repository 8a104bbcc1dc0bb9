from django.db import migrations


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    daily, _ = CrontabSchedule.objects.get_or_create(minute="20", hour="7", day_of_week="*", day_of_month="*",
                                                     month_of_year="*", timezone="Asia/Shanghai")
    PeriodicTask.objects.get_or_create(name="监护个案每日提醒 (referrals, follow-ups, reassessments)",
                                       defaults={"task": "guardianship.tasks.daily_sweep", "crontab": daily})


class Migration(migrations.Migration):
    dependencies = [("guardianship", "0006_interventions_conferences"),
                    ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(schedule, migrations.RunPython.noop)]
