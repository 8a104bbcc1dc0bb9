"""Inserting many rows fast: PostgreSQL COPY with ids taken from the table's sequence; bulk_create elsewhere.

Used by the roster import (and the demo seeding's writer): one COPY per table instead of Django building an INSERT
with parameters for every field of every row. Rows are dicts keyed by attname; missing fields take the model
field's default, so a new column with a default never breaks the writer.
"""

from __future__ import annotations

import datetime
import io

from django.db import connection, models

_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def pg_text(value) -> str:
    """A value in PostgreSQL's COPY text format (exact: backslashes, tabs and newlines escaped)."""
    kind = type(value)
    if kind is str:
        return value.translate(_ESCAPES)
    if kind is int:
        return str(value)
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return str(value).translate(_ESCAPES)


def copy_rows(table: str, columns: list[str], rows) -> None:
    """COPY tuples into a table (PostgreSQL only)."""
    buf = io.StringIO()
    for row in rows:
        buf.write("\t".join(pg_text(v) for v in row))
        buf.write("\n")
    buf.seek(0)
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN", buf)


def insert(model: type[models.Model], records: list[dict]) -> list[int]:
    """Insert the records and return their new primary keys, in order."""
    if not records:
        return []
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    if connection.vendor != "postgresql":
        created = model.objects.bulk_create([model(**r) for r in records], batch_size=2000)
        return [obj.pk for obj in created]
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, model._meta.pk.column, len(records)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    defaults = {f.attname: f.get_default() for f in fields}
    names = [f.attname for f in fields]
    copy_rows(
        table,
        [model._meta.pk.column, *(f.column for f in fields)],
        ([pk, *(r.get(n, defaults[n]) for n in names)] for pk, r in zip(ids, records, strict=True)),
    )
    return ids
