"""Leaner indexes on children_child and its history, for the roster import's bulk inserts (issue 6).

Dropped: the plain single-column indexes on children_child.id_number, village_id and created_by_id (the partial
unique index, child_scope_idx and the pattern indexes cover every query), the history table's id_number, village_id
and created_by_id indexes (history is read by object id), and the history-user foreign-key constraints of the three
history tables the import fills (one check per row at commit). The `varchar_pattern_ops` indexes Django made beside
id_number and village_id are kept, renamed, so that prefix matches need no particular collation.

The schema change is written out below rather than generated: for this AlterField Django's PostgreSQL schema editor
also drops the partial unique index child_unique_open_id_number (it sits on the same column), and it would drop and
re-validate the foreign keys of a million-row table for nothing.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

CHILD_INDEXES = [
    "children_child_id_number_e4c084f2",
    "children_child_village_id_50303f2a",
    "children_child_created_by_id_34d680c5",
    "children_historicalchild_created_by_id_917e4b79",
    "children_historicalchild_id_number_9f4c279e",
    "children_historicalchild_id_number_9f4c279e_like",
    "children_historicalchild_village_id_525f01f1",
    "children_historicalchild_village_id_525f01f1_like",
]
HISTORY_USER_FKS = {
    "children_historicalchild": "children_historicalc_history_user_id_2a089a44_fk_accounts_",
    "children_historicalchildcategory": "children_historicalc_history_user_id_431686b1_fk_accounts_",
    "children_historicalfamilymember": "children_historicalf_history_user_id_72da1a67_fk_accounts_",
}
PATTERN = {
    "child_village_pattern_idx": ("children_child_village_id_50303f2a_like", "village_id"),
    "child_id_number_pattern_idx": ("children_child_id_number_e4c084f2_like", "id_number"),
}


def forwards(apps, schema_editor):
    run = schema_editor.execute
    postgres = schema_editor.connection.vendor == "postgresql"
    for name in CHILD_INDEXES:
        run(f'DROP INDEX IF EXISTS "{name}"')
    for new, (old, column) in PATTERN.items():
        if postgres:
            run(f'ALTER INDEX IF EXISTS "{old}" RENAME TO "{new}"')  # the same definition: no rebuild
            run(f'CREATE INDEX IF NOT EXISTS "{new}" ON "children_child" ("{column}" varchar_pattern_ops)')
        else:
            run(f'CREATE INDEX IF NOT EXISTS "{new}" ON "children_child" ("{column}")')
    if postgres:
        for table, constraint in HISTORY_USER_FKS.items():
            run(f'ALTER TABLE "{table}" DROP CONSTRAINT IF EXISTS "{constraint}"')


def backwards(apps, schema_editor):
    run = schema_editor.execute
    postgres = schema_editor.connection.vendor == "postgresql"
    for new, (old, column) in PATTERN.items():
        run(f'DROP INDEX IF EXISTS "{new}"')
        if postgres:
            run(f'CREATE INDEX "{old}" ON "children_child" ("{column}" varchar_pattern_ops)')
    for name in CHILD_INDEXES:
        if name.endswith("_like"):
            if not postgres:
                continue
            column = "id_number" if "id_number" in name else "village_id"
            run(f'CREATE INDEX "{name}" ON "children_historicalchild" ("{column}" varchar_pattern_ops)')
            continue
        table = "children_historicalchild" if "historical" in name else "children_child"
        column = next(c for c in ("id_number", "village_id", "created_by_id") if c.split("_id")[0] in name)
        run(f'CREATE INDEX "{name}" ON "{table}" ("{column}")')
    if postgres:
        for table, constraint in HISTORY_USER_FKS.items():
            run(
                f'ALTER TABLE "{table}" ADD CONSTRAINT "{constraint}" FOREIGN KEY ("history_user_id") '
                'REFERENCES "accounts_user" ("id") DEFERRABLE INITIALLY DEFERRED'
            )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_must_change_password_sessions"),
        ("children", "0003_job"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, backwards)],
            state_operations=[
                migrations.AlterField(
                    model_name="child",
                    name="created_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="registered by",
                    ),
                ),
                migrations.AlterField(
                    model_name="child",
                    name="id_number",
                    field=models.CharField(max_length=18, verbose_name="ID number"),
                ),
                migrations.AlterField(
                    model_name="child",
                    name="village",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.area",
                        verbose_name="village",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalchild",
                    name="created_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="registered by",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalchild",
                    name="history_user",
                    field=models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalchild",
                    name="id_number",
                    field=models.CharField(max_length=18, verbose_name="ID number"),
                ),
                migrations.AlterField(
                    model_name="historicalchild",
                    name="village",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="accounts.area",
                        verbose_name="village",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalchildcategory",
                    name="history_user",
                    field=models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalfamilymember",
                    name="history_user",
                    field=models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AddIndex(
                    model_name="child",
                    index=models.Index(
                        fields=["village"], name="child_village_pattern_idx", opclasses=["varchar_pattern_ops"]
                    ),
                ),
                migrations.AddIndex(
                    model_name="child",
                    index=models.Index(
                        fields=["id_number"], name="child_id_number_pattern_idx", opclasses=["varchar_pattern_ops"]
                    ),
                ),
            ],
        ),
    ]
