"""A visit that found harm keeps why no mandatory report is needed (with who and when); a visit records a caregiver
unable to care. Both new non-null columns have database defaults, so bulk INSERTs that do not name them still work."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0006_visit_child_latest_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalvisit",
            name="caregiver_unable",
            field=models.BooleanField(
                db_default=False,
                default=False,
                verbose_name="the caregiver cannot look after the child or neglects the duty",
            ),
        ),
        migrations.AddField(
            model_name="historicalvisit",
            name="no_report_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="recorded at"),
        ),
        migrations.AddField(
            model_name="historicalvisit",
            name="no_report_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="recorded by",
            ),
        ),
        migrations.AddField(
            model_name="historicalvisit",
            name="no_report_reason",
            field=models.TextField(blank=True, db_default="", verbose_name="why no mandatory report is needed"),
        ),
        migrations.AddField(
            model_name="visit",
            name="caregiver_unable",
            field=models.BooleanField(
                db_default=False,
                default=False,
                verbose_name="the caregiver cannot look after the child or neglects the duty",
            ),
        ),
        migrations.AddField(
            model_name="visit",
            name="no_report_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="recorded at"),
        ),
        migrations.AddField(
            model_name="visit",
            name="no_report_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="recorded by",
            ),
        ),
        migrations.AddField(
            model_name="visit",
            name="no_report_reason",
            field=models.TextField(blank=True, db_default="", verbose_name="why no mandatory report is needed"),
        ),
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(
                condition=models.Q(("harm_found", True), ("no_report_reason", "")),
                fields=["visit_date"],
                name="visit_harm_open_idx",
            ),
        ),
    ]
