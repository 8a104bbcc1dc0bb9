"""Written-out SQL that runs on (nearly) every page, planned once per PostgreSQL connection.

PostgreSQL plans each statement it receives; for the short queries every page runs (the user's areas, the unread
count, which archive lists have rows, the change history) planning costs more than running. `execute` prepares such
a statement once per database connection (PREPARE, not transactional, so it survives rollbacks) and then runs it by
name (EXECUTE). A direct-PostgreSQL optimization, switched by settings.DATABASE_PREPARED: off (SQLite, or
DATABASE_PREPARED=false), it is a plain execute through Django's cursor, seen by the query log like any other query.
A connection pooler in transaction mode (PgBouncer) does not keep a prepared statement between transactions, so
behind one (DATABASE_POOLER=transaction) it is always off.
"""

import hashlib
import re
import weakref
from collections.abc import Sequence

from django.conf import settings
from django.db import connection

# Names prepared on each raw connection (a new connection starts with none; a dropped one is forgotten).
_prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_PLACEHOLDER = re.compile(r"%%|%s")


def _numbered(sql: str) -> str:
    """A psycopg2-style statement (%s placeholders, %% for %) with PostgreSQL's $1, $2 … placeholders."""
    count = 0

    def number(match: re.Match) -> str:
        nonlocal count
        if match.group(0) == "%%":
            return "%"
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(number, sql)


def enabled() -> bool:
    """Whether statements are prepared: PostgreSQL, DATABASE_PREPARED, and never behind a transaction-mode pooler."""
    return (
        connection.vendor == "postgresql" and settings.DATABASE_PREPARED and settings.DATABASE_POOLER != "transaction"
    )


def execute(cursor, sql: str, params: Sequence = ()) -> None:
    """`cursor.execute(sql, params)`, as a prepared statement when `enabled()`. Only for statements whose text is
    the same on every call (the values go in `params`)."""
    if not enabled():
        cursor.execute(sql, params)
        return
    raw = connection.connection
    names = _prepared.setdefault(raw, set())
    name = "care_" + hashlib.sha1(sql.encode()).hexdigest()[:20]
    if name not in names:
        with raw.cursor() as own:  # below Django's cursor: query logs and counts see only the EXECUTE
            own.execute(f"PREPARE {name} AS {_numbered(sql)}")
        names.add(name)
    cursor.execute(f"EXECUTE {name}({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {name}", params)
