"""Inserting many rows fast: PostgreSQL COPY (CSV, written by the C csv module) with ids taken from the table's
sequence, and their django-simple-history rows by one INSERT … SELECT from the table; bulk_create elsewhere.

Used by the roster import (and the demo seeding's writer). Rows are dicts keyed by attname; missing fields take the
model field's default, so a new column with a default never breaks the writer.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from operator import itemgetter

from django.db import connection, models
from django.db.models import Q
from django.db.models.expressions import RawSQL
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


class _CsvStream:
    """A file-like object that writes CSV lines as COPY reads them, so PostgreSQL parses and indexes one chunk while
    Python formats the next (formatting everything first would leave the server idle meanwhile, and then Python)."""

    def __init__(self, rows: Iterable[Iterable]):
        self._rows = iter(rows)
        self._buf = io.StringIO()
        # "\r\n" ends lines so that the csv module quotes a field holding either character (PostgreSQL refuses a bare
        # carriage return; with "\n" alone the csv module leaves one unquoted).
        self._writer = csv.writer(self._buf, lineterminator="\r\n")
        self._pending = ""

    def read(self, size: int = -1) -> str:
        while size < 0 or len(self._pending) < size:
            batch = list(islice(self._rows, 2000))
            if not batch:
                break
            self._writer.writerows(batch)
            self._pending += self._buf.getvalue()
            self._buf.seek(0)
            self._buf.truncate()
        if size < 0:
            size = len(self._pending)
        out, self._pending = self._pending[:size], self._pending[size:]
        return out


def copy_csv(table: str, fields: list[models.Field], rows: Iterable[Iterable], extra: list[str] = ()) -> None:
    """COPY rows in CSV format, streamed. None is written as an empty unquoted value, which is NULL for nullable
    columns; NOT NULL text columns are listed in FORCE_NOT_NULL so that an empty value there is the empty string."""
    qn = connection.ops.quote_name
    not_null = [qn(f.column) for f in fields if not f.null]
    options = f"FORMAT csv, FORCE_NOT_NULL ({', '.join(not_null)})" if not_null else "FORMAT csv"
    columns = ", ".join([*(qn(f.column) for f in fields), *(qn(c) for c in extra)])
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {qn(table)} ({columns}) FROM STDIN WITH ({options})", _CsvStream(rows), size=1 << 18
        )


@dataclass(frozen=True)
class History:
    """What the django-simple-history rows of an insert say: who, why, which kind of change."""

    user_id: int | None
    reason: str
    kind: str = "+"


def insert(model: type[models.Model], records: list[dict], *, history: History | None = None) -> list[int]:
    """Insert the records (and, if asked, their history rows) and return their new primary keys, in order.

    Every record has the same keys (attnames); the model's other fields take their default."""
    if not records:
        return []
    keys = list(records[0])
    if any(len(r) != len(keys) for r in records):
        raise ValueError("bulk.insert: every record must have the same fields")
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    if connection.vendor != "postgresql":  # instances made a batch at a time, not all at once
        ids = []
        for start in range(0, len(records), 2000):
            created = model.objects.bulk_create([model(**r) for r in records[start : start + 2000]])
            ids.extend(obj.pk for obj in created)
    else:
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, model._meta.pk.column, len(records)],
            )
            ids = [row[0] for row in cursor.fetchall()]
        by_name = {f.attname: f for f in fields}
        given = [by_name[k] for k in keys]
        missing = [f for f in fields if f.attname not in records[0]]
        constants = tuple(f.get_default() for f in missing)
        values = itemgetter(*keys) if len(keys) > 1 else (lambda r: (r[keys[0]],))
        copy_csv(
            table,
            [model._meta.pk, *given, *missing],
            ((pk, *values(r), *constants) for pk, r in zip(ids, records, strict=True)),
        )
    if history:
        insert_history(model, ids, history)
    check_deferred()
    return ids


def in_list(field: str, values: list) -> Q:
    """`field IN values` for long lists: on PostgreSQL one array parameter (`= ANY(%s)`), which is built in
    microseconds where Django compiles thousands of placeholders; elsewhere the usual IN."""
    if connection.vendor == "postgresql" and values:  # an empty list would be an untyped '{}'
        return Q(**{f"{field}__in": RawSQL("SELECT unnest(%s)", [list(values)])})
    return Q(**{f"{field}__in": values})


def check_deferred() -> None:
    """Run the foreign-key checks queued so far now rather than at commit: right after a bulk insert the rows they
    look up are still in memory (measured: about half the cost of checking them all at the end)."""
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def insert_history(model, ids: list[int], history: History) -> None:
    """django-simple-history rows for objects as they are now in the table: INSERT … SELECT (on PostgreSQL one
    statement with the ids as an array; elsewhere per chunk of ids)."""
    if not ids:
        return
    hist = model.history.model
    columns = [f.column for f in hist._meta.concrete_fields if not f.name.startswith("history_")]
    extra = ["history_date", "history_type", "history_user_id", "history_change_reason"]
    qn = connection.ops.quote_name
    head = (
        f"INSERT INTO {qn(hist._meta.db_table)} ({', '.join(qn(c) for c in columns + extra)}) "
        f"SELECT {', '.join(qn(c) for c in columns)}, %s, %s, %s, %s FROM {qn(model._meta.db_table)} "
    )
    tail = [timezone.now(), history.kind, history.user_id, history.reason[:100]]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(head + "WHERE id = ANY(%s::bigint[]) ORDER BY id", [*tail, ids])
            return
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            cursor.execute(head + f"WHERE id IN ({', '.join(['%s'] * len(chunk))})", [*tail, *chunk])
