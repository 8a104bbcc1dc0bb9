"""Ship the default help-plan rule set (fixtures/plan_rules.json: red or orange colour and high guardianship risk
are the system's choice; every dropout a return-to-school plan, 004 §10) and the daily reminder in the beat
schedule."""

from django.db import migrations


def ship(apps, schema_editor):
    from plans.rule_sets import load_rule_sets

    load_rule_sets(apps.get_model("accounts", "Area"), apps.get_model("plans", "PlanRuleSet"),
                   apps.get_model("plans", "PlanRequirement"))
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    daily, _ = CrontabSchedule.objects.get_or_create(minute="30", hour="7", day_of_week="*", day_of_month="*",
                                                     month_of_year="*", timezone="Asia/Shanghai")
    PeriodicTask.objects.get_or_create(name="帮扶方案每日提醒 (help-plan measures, reviews, missing plans)",
                                       defaults={"task": "plans.tasks.daily_reminders", "crontab": daily})


def unship(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task="plans.tasks.daily_reminders").delete()
    apps.get_model("plans", "PlanRuleSet").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_help_plans"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(ship, unship)]
