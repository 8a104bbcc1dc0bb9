"""Django's database session engine, with the read every page makes written out and prepared.

Only `_get_session_from_db` differs: the session row is read by one statement prepared once per PostgreSQL
connection (config.prepared) instead of a query the ORM builds on every request. Writes, expiry and the session
table are Django's own. Settings choose it (SESSION_ENGINE = "accounts.sessions") only with DATABASE_PREPARED;
otherwise Django's engine itself."""

from django.contrib.sessions.backends import db
from django.db import connection
from django.utils import timezone

from config import prepared


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        table = connection.ops.quote_name(self.model._meta.db_table)
        with connection.cursor() as cursor:
            prepared.execute(
                cursor,
                f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s",
                [self.session_key, timezone.now()],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None  # as Django does for a missing or expired session
            return None
        return self.model(session_key=self.session_key, session_data=row[0])
