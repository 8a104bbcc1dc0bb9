"""Visits partitioned by year of `visit_date` on PostgreSQL (issue 19; config/partitions.py), as the access log is:
the primary key becomes (id, visit_date) in the database while Django keeps `id`. The five references to a visit lost
their foreign keys in the migrations before this one (a key into a partitioned table must hold its partition column);
constraint triggers keep them instead. Reversible: backwards, the triggers go and the table is plain again with its
rows, and the migrations before put the foreign keys back. On SQLite nothing happens."""

from django.db import migrations


def partition(apps, schema_editor):
    from config import partitions

    partitions.partition_by_year("visits_visit", "visit_date")
    partitions.keep_references("visits_visit")


def unpartition(apps, schema_editor):
    from config import partitions

    partitions.drop_references("visits_visit")
    partitions.unpartition("visits_visit")


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0015_visitphoto_visit_without_constraint"),
        ("guardianship", "0011_visit_without_constraint"),
        ("plans", "0004_need_visit_without_constraint"),
        ("api", "0002_posted_visits_without_constraint"),
        ("children", "0013_partition_access_log"),
    ]

    operations = [migrations.RunPython(partition, unpartition)]
