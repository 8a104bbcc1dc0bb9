"""Temporary placements with their history; follow-ups that a visit opens as well as those of case conferences
(each follow-up names its child, filled in from its conference for the existing ones); indexes for the review
reminders.

Reversing deletes the follow-ups opened by visits (the earlier schema has no place for a follow-up without a
conference)."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


def child_from_conference(apps, schema_editor):
    FollowUp = apps.get_model("guardianship", "FollowUp")
    CaseConference = apps.get_model("guardianship", "CaseConference")
    FollowUp.objects.filter(child__isnull=True).update(
        child=models.Subquery(CaseConference.objects.filter(pk=models.OuterRef("conference_id")).values("child_id")[:1])
    )


def drop_visit_follow_ups(apps, schema_editor):
    apps.get_model("guardianship", "FollowUp").objects.filter(conference__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("guardianship", "0007_guardianship_daily_schedule"),
        ("visits", "0007_visit_harm_reason_caregiver"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalTemporaryPlacement",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("relatives", "With relatives"),
                            ("foster", "Foster family"),
                            ("protection_institution", "Minors' protection institution"),
                            ("welfare_institution", "Child welfare institution"),
                        ],
                        max_length=30,
                        verbose_name="placement",
                    ),
                ),
                (
                    "institution",
                    models.CharField(
                        help_text="The relatives, the foster family or the institution.",
                        max_length=100,
                        verbose_name="with whom",
                    ),
                ),
                ("address", models.CharField(blank=True, max_length=200, verbose_name="where")),
                ("from_on", models.DateField(verbose_name="since")),
                ("to_on", models.DateField(blank=True, null=True, verbose_name="until")),
                ("review_on", models.DateField(blank=True, null=True, verbose_name="review on")),
                ("notes", models.TextField(blank=True, verbose_name="notes")),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
            ],
            options={
                "verbose_name": "historical temporary placement",
                "verbose_name_plural": "historical temporary placements",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="TemporaryPlacement",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("relatives", "With relatives"),
                            ("foster", "Foster family"),
                            ("protection_institution", "Minors' protection institution"),
                            ("welfare_institution", "Child welfare institution"),
                        ],
                        max_length=30,
                        verbose_name="placement",
                    ),
                ),
                (
                    "institution",
                    models.CharField(
                        help_text="The relatives, the foster family or the institution.",
                        max_length=100,
                        verbose_name="with whom",
                    ),
                ),
                ("address", models.CharField(blank=True, max_length=200, verbose_name="where")),
                ("from_on", models.DateField(verbose_name="since")),
                ("to_on", models.DateField(blank=True, null=True, verbose_name="until")),
                ("review_on", models.DateField(blank=True, null=True, verbose_name="review on")),
                ("notes", models.TextField(blank=True, verbose_name="notes")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "verbose_name": "temporary placement",
                "verbose_name_plural": "temporary placements",
                "ordering": ["-from_on", "-id"],
            },
        ),
        migrations.AddField(
            model_name="followup",
            name="child",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="follow_ups", to="children.child"
            ),
        ),
        migrations.AddField(
            model_name="followup",
            name="visit",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="follow_ups",
                to="visits.visit",
            ),
        ),
        migrations.AlterField(
            model_name="followup",
            name="conference",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="follow_ups",
                to="guardianship.caseconference",
            ),
        ),
        migrations.RunPython(child_from_conference, drop_visit_follow_ups),
        migrations.AlterField(
            model_name="followup",
            name="child",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="follow_ups", to="children.child"
            ),
        ),
        migrations.AddIndex(
            model_name="intervention",
            index=models.Index(
                condition=models.Q(("active", True), ("review_on__isnull", False)),
                fields=["review_on"],
                name="intervention_review_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="followup",
            constraint=models.CheckConstraint(
                condition=models.Q(("conference__isnull", False), ("visit__isnull", False), _connector="OR"),
                name="followup_has_origin",
            ),
        ),
        migrations.AddConstraint(
            model_name="followup",
            constraint=models.UniqueConstraint(
                condition=models.Q(("visit__isnull", False)), fields=("visit",), name="followup_once_per_visit"
            ),
        ),
        migrations.AddField(
            model_name="historicaltemporaryplacement",
            name="child",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="children.child",
                verbose_name="child",
            ),
        ),
        migrations.AddField(
            model_name="historicaltemporaryplacement",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="historicaltemporaryplacement",
            name="history_user",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="historicaltemporaryplacement",
            name="intervention",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="guardianship.intervention",
                verbose_name="guardianship intervention",
            ),
        ),
        migrations.AddField(
            model_name="temporaryplacement",
            name="child",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="placements",
                to="children.child",
                verbose_name="child",
            ),
        ),
        migrations.AddField(
            model_name="temporaryplacement",
            name="created_by",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="temporaryplacement",
            name="intervention",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="placements",
                to="guardianship.intervention",
                verbose_name="guardianship intervention",
            ),
        ),
        migrations.AddIndex(
            model_name="temporaryplacement",
            index=models.Index(
                condition=models.Q(("review_on__isnull", False), ("to_on__isnull", True)),
                fields=["review_on"],
                name="placement_review_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="temporaryplacement",
            constraint=models.UniqueConstraint(
                condition=models.Q(("to_on__isnull", True)), fields=("child",), name="placement_one_open"
            ),
        ),
        migrations.AddConstraint(
            model_name="temporaryplacement",
            constraint=models.CheckConstraint(
                condition=models.Q(("to_on__isnull", True), ("to_on__gte", models.F("from_on")), _connector="OR"),
                name="placement_ends_after_start",
            ),
        ),
    ]
