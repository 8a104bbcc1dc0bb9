from django.db import connection

from config import prepared

from .models import Notification


def notifications(request) -> dict:
    """Unread count for the bell in the header: one indexed COUNT per page, written out (it runs on every page)."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    with connection.cursor() as cursor:
        prepared.execute(
            cursor,
            f"SELECT COUNT(*) FROM {connection.ops.quote_name(Notification._meta.db_table)}"
            " WHERE user_id = %s AND read_at IS NULL",
            [user.pk],
        )
        return {"unread_notifications": cursor.fetchone()[0]}
