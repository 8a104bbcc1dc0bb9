"""A child's latest visits come from one index (child, visited_at DESC, id DESC), which also serves the foreign key,
so the plain child_id index goes. Only the index changes in the database: Django's AlterField would also drop and
re-add the foreign-key constraint, re-checking every visit."""

import django.db.models.deletion
from django.db import migrations, models

FK_INDEX = "visits_visit_child_id_608cad8d"


class Migration(migrations.Migration):
    dependencies = [
        ("children", "0004_leaner_child_indexes"),
        ("visits", "0005_visit_version"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="visit",
                    name="child",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="visits",
                        to="children.child",
                        verbose_name="child",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{FK_INDEX}"',
                    f'CREATE INDEX IF NOT EXISTS "{FK_INDEX}" ON "visits_visit" ("child_id")',
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(fields=["child", "-visited_at", "-id"], name="visit_child_latest_idx"),
        ),
    ]
