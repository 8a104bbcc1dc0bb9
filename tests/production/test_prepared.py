"""config.prepared: the per-page SQL is prepared once per PostgreSQL connection and then run by name."""

import pytest
from django.db import connection, transaction

from config import prepared

SQL = "SELECT %s + 1, 'a%%b' LIKE %s"


def test_placeholders_are_numbered_and_percent_signs_unescaped():
    assert prepared._numbered(SQL) == "SELECT $1 + 1, 'a%b' LIKE $2"


def test_elsewhere_it_is_a_plain_execute(db):
    with connection.cursor() as cursor:
        prepared.execute(cursor, SQL, [41, "a%"])
        assert cursor.fetchone() == (42, True)


def _statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE name LIKE 'care_%%'")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # the test closes the connection
def test_prepared_once_per_connection_and_kept_across_rollbacks(require_postgres):
    connection.close()  # a fresh connection: nothing prepared yet
    with connection.cursor() as cursor:
        prepared.execute(cursor, SQL, [1, "a%"])
        assert cursor.fetchone() == (2, True)
        prepared.execute(cursor, SQL, [2, "x%"])
        assert cursor.fetchone() == (3, False)
    assert [statement.split(" AS ", 1)[1] for statement in _statements()] == [prepared._numbered(SQL)]
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        with connection.cursor() as cursor:
            prepared.execute(cursor, SQL, [3, "a%"])
        raise ZeroDivisionError  # the transaction rolls back; the prepared statement stays
    with connection.cursor() as cursor:
        prepared.execute(cursor, SQL, [4, "a%"])
        assert cursor.fetchone() == (5, True)
    assert len(_statements()) == 1
    connection.close()  # a new connection prepares it again
    with connection.cursor() as cursor:
        prepared.execute(cursor, SQL, [5, "a%"])
        assert cursor.fetchone() == (6, True)
    assert len(_statements()) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_query_log_sees_only_the_execute(require_postgres):
    from django.test.utils import CaptureQueriesContext

    connection.close()
    with CaptureQueriesContext(connection) as queries, connection.cursor() as cursor:
        prepared.execute(cursor, SQL, [1, "a%"])
    assert [q["sql"].split("(")[0] for q in queries.captured_queries] == [
        "EXECUTE care_" + _statements()[0].split("care_")[1].split(" ")[0]
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("prepared_setting", "pooler"), [(False, ""), (True, "transaction")], ids=["switched-off", "transaction-pooler"]
)
def test_off_or_behind_a_transaction_pooler_it_is_a_plain_query_in_the_log(
    require_postgres, settings, prepared_setting, pooler
):
    """DATABASE_PREPARED off, or on but behind a transaction-mode pooler (where a prepared statement would be looked
    for on another server connection): the statement itself, through Django's cursor, and nothing prepared."""
    from django.test.utils import CaptureQueriesContext

    settings.DATABASE_PREPARED, settings.DATABASE_POOLER = prepared_setting, pooler
    connection.close()
    with CaptureQueriesContext(connection) as queries, connection.cursor() as cursor:
        prepared.execute(cursor, SQL, [41, "a%"])
        assert cursor.fetchone() == (42, True)
    assert [q["sql"] for q in queries.captured_queries] == ["SELECT 41 + 1, 'a%b' LIKE 'a%'"]
    assert _statements() == []
