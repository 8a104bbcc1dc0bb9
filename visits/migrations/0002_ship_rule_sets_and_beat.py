"""Ship the regional visit rule sets (fixtures/visit_rules.json) and the reminder schedule (django-celery-beat).

Both are data that administrators change later in the admin; this migration only creates what is missing.
"""

from django.db import migrations


def ship(apps, schema_editor):
    from visits.rule_sets import load_rule_sets

    load_rule_sets(apps.get_model("accounts", "Area"), apps.get_model("visits", "RuleSet"),
                   apps.get_model("visits", "VisitRule"))

    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    daily, _ = CrontabSchedule.objects.get_or_create(minute="0", hour="7", day_of_week="*", day_of_month="*",
                                                     month_of_year="*", timezone="Asia/Shanghai")
    weekly, _ = CrontabSchedule.objects.get_or_create(minute="30", hour="7", day_of_week="1", day_of_month="*",
                                                      month_of_year="*", timezone="Asia/Shanghai")
    PeriodicTask.objects.get_or_create(name="每日走访提醒 (daily visit sweep)",
                                       defaults={"task": "visits.tasks.visit_sweep", "crontab": daily})
    PeriodicTask.objects.get_or_create(name="督导员每周走访汇总 (weekly supervisor digest)",
                                       defaults={"task": "visits.tasks.supervisor_digest", "crontab": weekly})


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0001_initial"),
        ("accounts", "0002_notification"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
