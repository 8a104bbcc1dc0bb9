"""Tables partitioned by year with PostgreSQL's declarative partitioning (issue 19): the access log by `at`, which
grows with every page a user opens, and the visits by `visit_date`.

On PostgreSQL, `partition_by_year` turns an existing table into one partitioned by the year of a column, keeping its
columns, identity, foreign keys, index names and rows; `unpartition` turns it back (the migration's reverse). The
primary key becomes (id, column), since a unique key of a partitioned table must hold the partition key; `id` stays
an identity column, so Django reads and writes the table as before. Each year is its own partition (bounds at
midnight in China's time zone for a timestamp column), and a default partition takes any row outside them, so no
write ever fails for want of a partition. `ensure_years` (the monthly beat task `partitions_ahead`) creates next
year's partition before it starts, moving any rows the default partition already holds for it.

A foreign key into a partitioned table must name a unique key holding the partition column, so the tables that point
at a visit (REFERENCES) have no foreign key in the database (`db_constraint=False`; Django's relations and PROTECT
stay). `keep_references` puts constraint triggers in its place, checked at commit like Django's deferred foreign
keys: a row pointing at a visit that does not exist is refused (SQLSTATE 23503, Django's IntegrityError), and so is
deleting a visit something points at. A visit moving between years (its date edited) is a delete and an insert to
PostgreSQL; the check asks whether the id is still there, so the move passes.

On SQLite (the demo) these do nothing: the tables stay plain (and the five references there have no constraint).
"""

import datetime
import logging

from django.db import connection

log = logging.getLogger("care.partitions")

# The partitioned tables and the column of each that decides the year.
PARTITIONED = {"children_accesslog": "at", "visits_visit": "visit_date"}
# Columns pointing at a partitioned table's `id`, kept by triggers rather than foreign keys.
REFERENCES = {
    "visits_visit": [
        ("visits_visitphoto", "visit_id"),
        ("guardianship_report", "visit_id"),
        ("guardianship_followup", "visit_id"),
        ("plans_need", "visit_id"),
        ("api_postedvisit_visits", "visit_id"),
    ]
}
FIRST_YEAR = 2024  # the seeds' work starts in 2024; older rows go to the default partition
YEARS_AHEAD = 1  # partitions exist up to next year


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _bound(year: int, column_type: str) -> str:
    if column_type == "date":
        return f"'{year}-01-01'"
    return f"'{year}-01-01 00:00:00+08'"  # the year as China counts it


def _column_type(cursor, table: str, column: str) -> str:
    cursor.execute(
        "SELECT data_type FROM information_schema.columns WHERE table_name = %s AND column_name = %s", [table, column]
    )
    return cursor.fetchone()[0]


def is_partitioned(cursor, table: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass", [table])
    return cursor.fetchone() is not None


def _year_partition(table: str, year: int) -> str:
    return f"{table}_y{year}"


def _create_year(cursor, table: str, year: int, column_type: str) -> None:
    cursor.execute(
        f"CREATE TABLE IF NOT EXISTS {_q(_year_partition(table, year))} PARTITION OF {_q(table)}"
        f" FOR VALUES FROM ({_bound(year, column_type)}) TO ({_bound(year + 1, column_type)})"
    )


def _indexes(cursor, table: str) -> list[tuple[str, str]]:
    """(name, definition) of the table's indexes other than its primary key."""
    cursor.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND i.indexname NOT IN"
        " (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p')",
        [table, table],
    )
    return [(name, definition.replace(" ON ONLY ", " ON ")) for name, definition in cursor.fetchall()]


def _foreign_keys(cursor, table: str) -> list[tuple[str, str]]:
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
        [table],
    )
    return cursor.fetchall()


def _rebuild(cursor, table: str, create_tail: str, primary_key: str) -> tuple[str, list, list]:
    """Copy `table` into a new one made LIKE it (columns, defaults, identity, checks) plus `create_tail`, with the same
    foreign keys and index names, and put it in its place."""
    new = f"{table}_new"
    indexes, keys = _indexes(cursor, table), _foreign_keys(cursor, table)
    cursor.execute(f"LOCK TABLE {_q(table)} IN ACCESS EXCLUSIVE MODE")
    # Checks deferred in this transaction run now, not later on a dropped table.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute(
        f"CREATE TABLE {_q(new)} (LIKE {_q(table)} INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS,"
        f" CONSTRAINT {_q(table + '_pkey_new')} PRIMARY KEY ({primary_key})) {create_tail}"
    )
    return new, indexes, keys


def _finish(cursor, table: str, new: str, indexes: list, keys: list, partitions) -> None:
    partitions(new)
    cursor.execute(f"INSERT INTO {_q(new)} OVERRIDING SYSTEM VALUE SELECT * FROM {_q(table)}")
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {_q(table)}")
    next_id = cursor.fetchone()[0]
    cursor.execute(f"DROP TABLE {_q(table)}")
    cursor.execute(f"ALTER TABLE {_q(new)} RENAME TO {_q(table)}")
    cursor.execute(f"ALTER TABLE {_q(table)} RENAME CONSTRAINT {_q(table + '_pkey_new')} TO {_q(table + '_pkey')}")
    cursor.execute(f"ALTER TABLE {_q(table)} ALTER COLUMN id RESTART WITH {int(next_id)}")
    for name, definition in keys:
        cursor.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} {definition}")
    for _name, definition in indexes:
        cursor.execute(definition)
    # The new table has no planner statistics until autovacuum comes round: every query of it would be planned as
    # for an empty table (bench/plan_stability.py, "no statistics"). Gather them with the rows.
    cursor.execute(f"ANALYZE {_q(table)}")


def partition_by_year(table: str, column: str) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if is_partitioned(cursor, table):
            return
        column_type = _column_type(cursor, table, column)
        new, indexes, keys = _rebuild(cursor, table, f"PARTITION BY RANGE ({_q(column)})", f"id, {_q(column)}")
        this_year = datetime.date.today().year

        def partitions(name: str) -> None:
            for year in range(FIRST_YEAR, this_year + YEARS_AHEAD + 1):
                cursor.execute(
                    f"CREATE TABLE {_q(_year_partition(table, year))} PARTITION OF {_q(name)}"
                    f" FOR VALUES FROM ({_bound(year, column_type)}) TO ({_bound(year + 1, column_type)})"
                )
            cursor.execute(f"CREATE TABLE {_q(table + '_default')} PARTITION OF {_q(name)} DEFAULT")

        _finish(cursor, table, new, indexes, keys, partitions)


def unpartition(table: str) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if not is_partitioned(cursor, table):
            return
        new, indexes, keys = _rebuild(cursor, table, "", "id")
        _finish(cursor, table, new, indexes, keys, lambda name: None)  # the partitions go with the old table


def ensure_years(today: datetime.date | None = None) -> list[str]:
    """Create each partitioned table's partitions up to next year; rows the default partition holds for a new year
    move into it. Returns the partitions created."""
    if connection.vendor != "postgresql":
        return []
    today = today or datetime.date.today()
    made = []
    with connection.cursor() as cursor:
        for table, column in PARTITIONED.items():
            if not is_partitioned(cursor, table):
                continue
            column_type = _column_type(cursor, table, column)
            for year in range(FIRST_YEAR, today.year + YEARS_AHEAD + 1):
                name = _year_partition(table, year)
                cursor.execute("SELECT to_regclass(%s)", [name])
                if cursor.fetchone()[0] is not None:
                    continue
                default = table + "_default"
                low, high = _bound(year, column_type), _bound(year + 1, column_type)
                # A new partition may not overlap rows of the default one: detach it, move them, attach it again.
                cursor.execute(f"ALTER TABLE {_q(table)} DETACH PARTITION {_q(default)}")
                _create_year(cursor, table, year, column_type)
                cursor.execute(
                    f"WITH moved AS (DELETE FROM {_q(default)} WHERE {_q(column)} >= {low} AND {_q(column)} < {high}"
                    f" RETURNING *) INSERT INTO {_q(table)} OVERRIDING SYSTEM VALUE SELECT * FROM moved"
                )
                cursor.execute(f"ALTER TABLE {_q(table)} ATTACH PARTITION {_q(default)} DEFAULT")
                made.append(name)
                log.info("partition created: %s", name)
    return made


# The referring row's target must exist (TG_ARGV: the referring column, the target table). Locks the target as a
# foreign key does (FOR KEY SHARE), so a concurrent delete waits for this transaction.
_REFERENCE_EXISTS = """
CREATE OR REPLACE FUNCTION care_reference_exists() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    target bigint := (to_jsonb(NEW) ->> TG_ARGV[0])::bigint;
    found boolean;
BEGIN
    IF target IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE id = $1 FOR KEY SHARE)', TG_ARGV[1]) INTO found USING target;
    IF NOT found THEN
        RAISE EXCEPTION 'insert or update on table "%" violates reference "%"', TG_TABLE_NAME, TG_NAME
            USING ERRCODE = 'foreign_key_violation', DETAIL = format('Key (%s)=(%s) is not present in table "%s".',
            TG_ARGV[0], target, TG_ARGV[1]);
    END IF;
    RETURN NULL;
END $$
"""

# A deleted (or renumbered) target must not be pointed at, unless its id is still there (a row moved to another
# year's partition). TG_ARGV: the target table, then pairs of referring table and column.
_REFERENCE_KEPT = """
CREATE OR REPLACE FUNCTION care_referenced_row_kept() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    found boolean;
    i integer := 1;
BEGIN
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE id = $1)', TG_ARGV[0]) INTO found USING OLD.id;
    IF found THEN
        RETURN NULL;
    END IF;
    WHILE i < TG_NARGS LOOP
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE %I = $1)', TG_ARGV[i], TG_ARGV[i + 1])
            INTO found USING OLD.id;
        IF found THEN
            RAISE EXCEPTION 'update or delete on table "%" violates reference from table "%"', TG_ARGV[0], TG_ARGV[i]
                USING ERRCODE = 'foreign_key_violation', DETAIL = format('Key (id)=(%s) is still referenced.', OLD.id);
        END IF;
        i := i + 2;
    END LOOP;
    RETURN NULL;
END $$
"""


def _reference_trigger(table: str, column: str) -> str:
    return f"{column}_in_{table}"


def keep_references(table: str) -> None:
    """Constraint triggers in place of the foreign keys into `table` (REFERENCES), deferred to commit as Django's
    foreign keys are."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(_REFERENCE_EXISTS)
        cursor.execute(_REFERENCE_KEPT)
        referrers = []
        for referring, column in REFERENCES[table]:
            referrers += [referring, column]
            cursor.execute(f"DROP TRIGGER IF EXISTS {_q(_reference_trigger(table, column))} ON {_q(referring)}")
            cursor.execute(
                f"CREATE CONSTRAINT TRIGGER {_q(_reference_trigger(table, column))}"
                f" AFTER INSERT OR UPDATE OF {_q(column)} ON {_q(referring)} DEFERRABLE INITIALLY DEFERRED"
                f" FOR EACH ROW EXECUTE FUNCTION care_reference_exists(%s, %s)",
                [column, table],
            )
        arguments = ", ".join(["%s"] * (1 + len(referrers)))
        cursor.execute(f"DROP TRIGGER IF EXISTS {_q(table + '_referenced')} ON {_q(table)}")
        cursor.execute(
            f"CREATE CONSTRAINT TRIGGER {_q(table + '_referenced')} AFTER DELETE OR UPDATE OF id ON {_q(table)}"
            f" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION care_referenced_row_kept({arguments})",
            [table, *referrers],
        )


def drop_references(table: str) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what is pending is checked before the triggers go
        cursor.execute(f"DROP TRIGGER IF EXISTS {_q(table + '_referenced')} ON {_q(table)}")
        for referring, column in REFERENCES[table]:
            cursor.execute(f"DROP TRIGGER IF EXISTS {_q(_reference_trigger(table, column))} ON {_q(referring)}")
        if list(REFERENCES) == [table]:  # the functions' one user
            cursor.execute("DROP FUNCTION IF EXISTS care_reference_exists(), care_referenced_row_kept()")
