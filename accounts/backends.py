"""Django's ModelBackend, with the user read every page makes written out and prepared.

Only `get_user` differs: the signed-in user is read by one statement prepared once per PostgreSQL connection
(config.prepared) and built with Model.from_db after the database's converters, as the ORM would, instead of a query
the ORM builds on every request. Signing in, passwords and permissions are Django's own. Settings choose it only
with DATABASE_PREPARED; otherwise Django's ModelBackend itself."""

import functools

from django.contrib.auth import backends
from django.db import connection

from config import prepared

from .models import User


@functools.cache
def _user_sql(vendor: str) -> tuple[str, list[str], list]:
    """The statement, the attribute names in its column order, and per column its (converters, expression)."""
    quote = connection.ops.quote_name
    fields = User._meta.concrete_fields
    sql = (
        f"SELECT {', '.join(quote(f.column) for f in fields)} FROM {quote(User._meta.db_table)}"
        f" WHERE {quote(User._meta.pk.column)} = %s"
    )
    converters = []
    for field in fields:
        column = field.get_col(User._meta.db_table)
        converters.append((connection.ops.get_db_converters(column) + field.get_db_converters(connection), column))
    return sql, [f.attname for f in fields], converters


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id):
        sql, names, converters = _user_sql(connection.vendor)
        with connection.cursor() as cursor:
            prepared.execute(cursor, sql, [user_id])
            row = cursor.fetchone()
        if row is None:
            return None
        values = []
        for value, (funcs, column) in zip(row, converters, strict=True):
            for convert in funcs:
                value = convert(value, column, connection)
            values.append(value)
        user = User.from_db(connection.alias, names, values)
        return user if self.user_can_authenticate(user) else None
