"""The posted keys' visits through a model of their own (the same table Django made for the many-to-many), so that its
visit column can go without a foreign key: visits are partitioned by year on PostgreSQL (issue 19), and a key into a
partitioned table must hold its partition column. A constraint trigger keeps the reference (config/partitions.py,
made by visits' 0016). Reversible."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
        ("visits", "0015_visitphoto_visit_without_constraint"),
    ]

    operations = [
        # The table exists already: only Django's picture of it changes.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PostedVisitVisit",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "postedvisit",
                            models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="api.postedvisit"),
                        ),
                        (
                            "visit",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="visits.visit"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "api_postedvisit_visits",
                        "unique_together": {("postedvisit", "visit")},
                    },
                ),
                migrations.AlterField(
                    model_name="postedvisit",
                    name="visits",
                    field=models.ManyToManyField(related_name="+", through="api.PostedVisitVisit", to="visits.visit"),
                ),
            ]
        ),
        migrations.AlterField(
            model_name="postedvisitvisit",
            name="visit",
            field=models.ForeignKey(
                db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="visits.visit"
            ),
        ),
    ]
