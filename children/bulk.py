"""Inserting many rows fast: PostgreSQL COPY (CSV, written by the C csv module) with ids taken from the table's
sequence, and their django-simple-history rows in a second COPY; bulk_create and INSERT … SELECT elsewhere.

Used by the roster import (and the demo seeding's writer). Rows are dicts keyed by attname; missing fields take the
model field's default, so a new column with a default never breaks the writer.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, models
from django.utils import timezone

CHUNK = 5000
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
    """COPY tuples into a table in text format (PostgreSQL only)."""
    buf = io.StringIO()
    for row in rows:
        buf.write("\t".join(pg_text(v) for v in row))
        buf.write("\n")
    buf.seek(0)
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN", buf)


def copy_csv(table: str, fields: list[models.Field], rows: Iterable[Iterable], extra: list[str] = ()) -> None:
    """COPY rows in CSV format. None is written as an empty unquoted value, which is NULL for nullable columns;
    NOT NULL text columns are listed in FORCE_NOT_NULL so that an empty value there is the empty string."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    buf.seek(0)
    qn = connection.ops.quote_name
    not_null = [qn(f.column) for f in fields if not f.null]
    options = f"FORMAT csv, FORCE_NOT_NULL ({', '.join(not_null)})" if not_null else "FORMAT csv"
    columns = ", ".join([*(qn(f.column) for f in fields), *(qn(c) for c in extra)])
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {qn(table)} ({columns}) FROM STDIN WITH ({options})", buf)


@dataclass(frozen=True)
class History:
    """What the django-simple-history rows of an insert say: who, why, which kind of change."""

    user_id: int | None
    reason: str
    kind: str = "+"


def insert(model: type[models.Model], records: list[dict], *, history: History | None = None) -> list[int]:
    """Insert the records (and, if asked, their history rows) and return their new primary keys, in order."""
    if not records:
        return []
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    if connection.vendor != "postgresql":
        created = model.objects.bulk_create([model(**r) for r in records], batch_size=2000)
        ids = [obj.pk for obj in created]
        if history:
            insert_history(model, ids, history)
        return ids
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, model._meta.pk.column, len(records)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    defaults = {f.attname: f.get_default() for f in fields}
    names = [f.attname for f in fields]
    full = [{**defaults, **r} for r in records]
    copy_csv(table, [model._meta.pk, *fields], ([pk, *(r[n] for n in names)] for pk, r in zip(ids, full, strict=True)))
    if history:
        hist = model.history.model
        hist_fields = [f for f in hist._meta.concrete_fields if not f.name.startswith("history_")]
        now = timezone.now()
        tail = [now, history.kind, history.user_id, history.reason[:100]]
        pk_name = model._meta.pk.attname
        rows = (
            [pk if f.attname == pk_name else r[f.attname] for f in hist_fields] + tail
            for pk, r in zip(ids, full, strict=True)
        )
        # The history columns are nullable or always given, so FORCE_NOT_NULL covers the copied fields only.
        copy_csv(
            hist._meta.db_table,
            hist_fields,
            rows,
            extra=["history_date", "history_type", "history_user_id", "history_change_reason"],
        )
    return ids


def insert_history(model, ids: list[int], history: History) -> None:
    """django-simple-history rows for existing objects: one INSERT … SELECT per chunk of ids."""
    if not ids:
        return
    hist = model.history.model
    columns = [f.column for f in hist._meta.concrete_fields if not f.name.startswith("history_")]
    extra = ["history_date", "history_type", "history_user_id", "history_change_reason"]
    qn = connection.ops.quote_name
    now = timezone.now()
    with connection.cursor() as cursor:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            cursor.execute(
                f"INSERT INTO {qn(hist._meta.db_table)} ({', '.join(qn(c) for c in columns + extra)}) "
                f"SELECT {', '.join(qn(c) for c in columns)}, %s, %s, %s, %s FROM {qn(model._meta.db_table)} "
                f"WHERE id IN ({', '.join(['%s'] * len(chunk))})",
                [now, history.kind, history.user_id, history.reason[:100], *chunk],
            )
