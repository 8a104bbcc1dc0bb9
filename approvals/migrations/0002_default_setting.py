"""The default approval setting (issue 18): wherever no region has its own, closing an archive and changing a
child's categories wait for the township's child supervisor. A county that lets its directors act directly adds its
own setting (admin)."""

from django.db import migrations

DEFAULT_NAME = "默认：需经乡镇儿童督导员审批"


def add_default(apps, schema_editor):
    ApprovalSetting = apps.get_model("approvals", "ApprovalSetting")
    ApprovalSetting.objects.get_or_create(
        prefix="",
        kind="",
        defaults={
            "name": DEFAULT_NAME,
            "required": True,
            "approver_level": "township",
            "approvers_act_directly": True,
            "source": "Issue 18: 儿童主任提出，儿童督导员（或县级民政，按地区）审批",
        },
    )


def remove_default(apps, schema_editor):
    apps.get_model("approvals", "ApprovalSetting").objects.filter(prefix="", kind="", area__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("approvals", "0001_initial")]

    operations = [migrations.RunPython(add_default, remove_default)]
