"""Qingdao's "more often" rule for the child's own disability applies to any grade (issue 15): 000 #27 says
"儿童自身存在身体或智力残疾" with no grade; only the parents' disability is qualified as severe (严重). The shipped rule
asked for grade 1–2. Databases that have the rule as shipped get the fixture's wording and lose the grade condition;
a rule the administrators rewrote (another description or grade) is left alone. The daily sweep refreshes every
schedule, so the children it now covers are due by the new interval from the next morning."""

from django.db import migrations

QINGDAO_PREFIX = "3702"
OLD = "本人重度残疾的儿童增加走访频次"
NEW = "儿童本人有身体或智力残疾的增加走访频次（不限残疾等级）"


def any_grade(apps, schema_editor):
    VisitRule = apps.get_model("visits", "VisitRule")
    VisitRule.objects.filter(
        rule_set__prefix=QINGDAO_PREFIX, description=OLD, max_disability_grade=2, category_mask__gt=0
    ).update(description=NEW, max_disability_grade=None)


def severe_only(apps, schema_editor):
    VisitRule = apps.get_model("visits", "VisitRule")
    VisitRule.objects.filter(rule_set__prefix=QINGDAO_PREFIX, description=NEW, max_disability_grade=None).update(
        description=OLD, max_disability_grade=2
    )


class Migration(migrations.Migration):
    dependencies = [
        ("children", "0007_accesslog_client"),
        ("visits", "0009_rule_document_clause"),
    ]
    operations = [migrations.RunPython(any_grade, severe_only)]
