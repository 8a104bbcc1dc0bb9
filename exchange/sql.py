"""The PostgreSQL path of loading, matching and diffing a submission in one statement (exchange.matching uses it on
PostgreSQL; elsewhere it runs the same steps as ORM UPDATEs). Table and column names come from the models' _meta.

The rows are COPYed into a temporary table, then one INSERT … SELECT writes the submission's rows with
- the archive each names: by ID number (Child.id_number, indexed), or, without a number, by name and date of birth
  (child_name_birth_idx); an open archive first, then the newest (as oversight.discovery._best);
- the status the source's previous submission gave the same key (SubmissionRow (submission, key) index)."""

import io

from django.db import connection

from children.models import ArchiveStatus, Child

from .models import SubmissionRow

COLUMNS = ("row_number", "name", "id_number", "birth_date", "status", "relation", "parent_name", "key")


# COPY's text format: a backslash, tab, newline or carriage return in a value is escaped.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _line(r: dict) -> str:
    """One row in COPY's text format. Only the free text (names) can hold a character to escape: the ID number,
    codes and key are checked or built by exchange.profiles (the key holds the name when there is no number)."""
    birth = r["birth_date"].isoformat() if r["birth_date"] else "\\N"
    return "\t".join(
        (
            str(r["row_number"]),
            r["name"].translate(_COPY_ESCAPES),
            r["id_number"],
            birth,
            r["status"],
            r["relation"],
            r["parent_name"].translate(_COPY_ESCAPES),
            r["key"].translate(_COPY_ESCAPES),
        )
    )


def load_and_match(submission_id: int, previous_id: int | None, rows: list[dict], previous_rows: int = 0) -> None:
    """`previous_rows`: how many rows the previous submission holds. The planner needs to know the sizes for a hash
    join instead of a nested scan: the temporary table is analysed after the COPY (never done automatically), and
    the rows table when its statistics count fewer rows than the previous submission alone (a new table, or one
    autovacuum has not analysed since a first large list)."""
    child = Child._meta.db_table
    row_table = SubmissionRow._meta.db_table
    buf = io.StringIO("\n".join(map(_line, rows)) + "\n")
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE exchange_incoming (row_number integer, name varchar(50), id_number varchar(18), "
            "birth_date date, status varchar(20), relation varchar(10), parent_name varchar(50), key varchar(80)) "
            "ON COMMIT DROP"
        )
        cursor.cursor.copy_expert(f"COPY exchange_incoming ({', '.join(COLUMNS)}) FROM STDIN", buf)
        cursor.execute("ANALYZE exchange_incoming")
        if previous_rows:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [row_table])
            estimate = cursor.fetchone()[0]
            if estimate is None or estimate < previous_rows:
                cursor.execute(f"ANALYZE {row_table}")
        cursor.execute(
            f"""
            INSERT INTO {row_table} (submission_id, {", ".join(COLUMNS)}, child_id, matched_by, previous_status)
            SELECT %(submission)s, {", ".join("i." + c for c in COLUMNS)},
                   COALESCE(by_number.id, by_name.id),
                   CASE WHEN by_number.id IS NOT NULL THEN 'id_number'
                        WHEN by_name.id IS NOT NULL THEN 'name_birth' ELSE '' END,
                   p.status
              FROM exchange_incoming i
              LEFT JOIN LATERAL (
                   SELECT c.id FROM {child} c
                    WHERE i.id_number <> '' AND c.id_number = i.id_number
                    ORDER BY (c.status = %(open)s) DESC, c.id DESC LIMIT 1) by_number ON true
              LEFT JOIN LATERAL (
                   SELECT c.id FROM {child} c
                    WHERE i.id_number = '' AND c.name = i.name AND c.birth_date = i.birth_date
                    ORDER BY (c.status = %(open)s) DESC, c.id DESC LIMIT 1) by_name ON true
              LEFT JOIN {row_table} p ON p.submission_id = %(previous)s AND p.key = i.key
             ORDER BY i.row_number
            """,
            {"submission": submission_id, "previous": previous_id, "open": ArchiveStatus.OPEN.value},
        )
        cursor.execute("DROP TABLE exchange_incoming")
