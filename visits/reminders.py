"""The daily sweep and the weekly digest: derive all work from the database, write idempotently.

Each notification has a key (e.g. ``visits-due:2026-11-23``) unique per user, so running a sweep twice, or
again after a worker died half-way, writes each notification once. Work is committed in chunks; the next run
completes whatever a killed run left. Emails go out for notifications not yet marked as emailed.
"""

import datetime
import logging
import os
import time

from django.conf import settings
from django.core.mail import get_connection, send_mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import PREFIX_LENGTH, AreaLevel, Notification, Role, User
from children import sweep as children_sweep
from children.models import Child

from . import rules
from .models import VisitSchedule, due_sql

log = logging.getLogger(__name__)
CHUNK = int(os.environ.get("VISIT_SWEEP_CHUNK", "2000"))
# Tests of a worker killed mid-sweep slow the sweep down between chunks (never set in production).
PAUSE = float(os.environ.get("VISIT_SWEEP_TEST_PAUSE", "0"))

# Names in due order. SQLite (before 3.44) has no ORDER BY inside group_concat: it concatenates in the order of
# the ordered subquery it reads from, which the queries below provide.
_AGG = {
    "postgresql": "string_agg(x.label, '、' ORDER BY x.due_on, x.child_id)",
    "sqlite": "group_concat(x.label, '、')",
}
_LABEL = {
    "postgresql": "c.name || '（' || to_char(s.due_on, 'MM-DD') || '）'",
    "sqlite": "c.name || '（' || strftime('%%m-%%d', s.due_on) || '）'",
}


# The tables the reminder statements read, by their models.
_SCHEDULE = VisitSchedule._meta.db_table
_CHILD = Child._meta.db_table
_USER = User._meta.db_table
_USER_AREAS = User.areas.through._meta.db_table


def _names_agg() -> str:
    return _AGG[connection.vendor]


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _director_rows(today: datetime.date) -> list[tuple]:
    """One row per director with children due within 7 days or overdue: counts and the names, most overdue first."""
    return _rows(
        f"""
        SELECT x.user_id, SUM(CASE WHEN {due_sql(rules.overdue(today), "x.due_on")} THEN 1 ELSE 0 END),
               SUM(CASE WHEN {due_sql(rules.due_soon(today), "x.due_on")} THEN 1 ELSE 0 END), {_names_agg()}
          FROM (SELECT ua.user_id, s.due_on, s.child_id, {_LABEL[connection.vendor]} AS label
                  FROM {_SCHEDULE} s
                  JOIN {_CHILD} c ON c.id = s.child_id
                  JOIN {_USER_AREAS} ua ON ua.area_id = s.village_id
                  JOIN {_USER} u ON u.id = ua.user_id AND u.is_active AND u.role = %s
                 WHERE {due_sql(rules.to_visit(today), "s.due_on")}
                 ORDER BY ua.user_id, s.due_on, s.child_id) x
         GROUP BY x.user_id
         ORDER BY x.user_id
        """,
        [Role.DIRECTOR],
    )


def _escalation_rows(today: datetime.date) -> list[tuple]:
    """One row per county civil-affairs user with children overdue by more than 30 days in their county
    (rules.escalated)."""
    return _rows(
        f"""
        SELECT x.user_id, COUNT(*), {_names_agg()}
          FROM (SELECT ua.user_id, s.due_on, s.child_id, {_LABEL[connection.vendor]} AS label
                  FROM {_SCHEDULE} s
                  JOIN {_CHILD} c ON c.id = s.child_id
                  JOIN {_USER_AREAS} ua ON ua.area_id = substr(s.village_id, 1, {PREFIX_LENGTH[AreaLevel.COUNTY]})
                  JOIN {_USER} u ON u.id = ua.user_id AND u.is_active AND u.role = %s
                 WHERE {due_sql(rules.escalated(today), "s.due_on")}
                 ORDER BY ua.user_id, s.due_on, s.child_id) x
         GROUP BY x.user_id
         ORDER BY x.user_id
        """,
        [Role.CIVIL_AFFAIRS],
    )


def _supervisor_rows(today: datetime.date) -> list[tuple]:
    overdue = due_sql(rules.overdue(today), "s.due_on")
    return _rows(
        f"""
        SELECT ua.user_id,
               SUM(CASE WHEN {overdue} THEN 1 ELSE 0 END) AS overdue,
               SUM(CASE WHEN {due_sql(rules.due_soon(today), "s.due_on")} THEN 1 ELSE 0 END) AS due_soon,
               COUNT(DISTINCT CASE WHEN {overdue} THEN s.village_id END) AS villages
          FROM {_SCHEDULE} s
          JOIN {_USER_AREAS} ua ON ua.area_id = substr(s.village_id, 1, {PREFIX_LENGTH[AreaLevel.TOWNSHIP]})
          JOIN {_USER} u ON u.id = ua.user_id AND u.is_active AND u.role = %s
         WHERE {due_sql(rules.to_visit(today), "s.due_on")}
         GROUP BY ua.user_id
         ORDER BY ua.user_id
        """,
        [Role.SUPERVISOR],
    )


def _trim(names: str, limit: int = 60) -> str:
    parts = (names or "").split("、")
    if len(parts) <= limit:
        return "、".join(parts)
    return "、".join(parts[:limit]) + _("… and %(n)d more") % {"n": len(parts) - limit}


def write_notifications(notifications: list[Notification]) -> int:
    """Insert in chunks, each committed; an existing (user, key) is left alone."""
    written = 0
    for start in range(0, len(notifications), CHUNK):
        chunk = notifications[start : start + CHUNK]
        with transaction.atomic():
            Notification.objects.bulk_create(chunk, ignore_conflicts=True)
        written += len(chunk)
        if PAUSE:
            time.sleep(PAUSE)
    return written


def daily_sweep(*, today: datetime.date | None = None, dry_run: bool = False) -> dict:
    """Notify directors (due within 7 days or overdue) and escalate to counties, from the stored schedules (an index
    walk on the due date). The schedules are not recomputed here: every write refreshes its child's row, and
    `visits.schedule_check` holds the stored rows to the visit history each week."""
    today = today or timezone.localdate()
    started = time.monotonic()
    with translation.override(settings.LANGUAGE_CODE):
        # Archives first (closing at 18, left-behind categories ending at the region's age, category proposals;
        # each refreshes the schedules of the children it changed): the reminders then leave out whom they closed.
        archives = children_sweep.daily(today) if not dry_run else {}
        worklist = reverse("visits:worklist")
        director = [
            Notification(
                user_id=user_id,
                key=f"visits-due:{today}",
                url=worklist,
                title=_("Visits this week: %(overdue)d overdue, %(soon)d due within 7 days")
                % {"overdue": overdue, "soon": soon},
                body=_trim(names),
            )
            for user_id, overdue, soon, names in _director_rows(today)
        ]
        county = [
            Notification(
                user_id=user_id,
                key=f"visits-escalated:{today}",
                url=reverse("visits:overdue") + f"?min_days={rules.ESCALATE_MIN_DAYS}",
                title=_("%(n)d children more than %(days)d days overdue for a visit")
                % {"n": n, "days": rules.ESCALATE_AFTER_DAYS},
                body=_trim(names),
            )
            for user_id, n, names in _escalation_rows(today)
        ]
        if dry_run:
            return {
                "director": len(director),
                "county": len(county),
                "emailed": 0,
                "notifications": director + county,
            }
        written = write_notifications(director + county)
        emailed = send_pending_emails()
    result = {
        "archives": archives,
        "director": len(director),
        "county": len(county),
        "written": written,
        "emailed": emailed,
        "seconds": round(time.monotonic() - started, 2),
    }
    log.info("visit sweep %s: %s", today, result)
    return result


def weekly_digest(*, today: datetime.date | None = None) -> dict:
    """Township supervisors: overdue and due-soon counts for the week."""
    today = today or timezone.localdate()
    year, week, _day = today.isocalendar()
    with translation.override(settings.LANGUAGE_CODE):
        rows = _supervisor_rows(today)
        notes = [
            Notification(
                user_id=user_id,
                key=f"visits-weekly:{year}-W{week:02d}",
                url=reverse("visits:overdue"),
                title=_(
                    "Weekly visit digest: %(overdue)d children overdue in %(villages)d villages, %(soon)d due "
                    "within 7 days"
                )
                % {"overdue": overdue, "villages": villages, "soon": soon},
            )
            for user_id, overdue, soon, villages in rows
        ]
        write_notifications(notes)
        emailed = send_pending_emails()
    return {"supervisors": len(notes), "emailed": emailed}


def send_pending_emails(*, keys: list[str] | None = None, days: int = 3) -> int:
    """Email notifications not yet emailed (of the last few days, so a failed day is retried) to users with an
    address. Each row is claimed with a conditional UPDATE before sending, so two sweeps never send one twice;
    a failed send releases the claim for the next run."""
    since = timezone.now() - datetime.timedelta(days=days)
    pending = (
        Notification.objects.filter(created_at__gte=since, emailed_at__isnull=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("pk")
    )
    if keys:
        pending = pending.filter(key__in=keys)
    sent = 0
    mail = get_connection()
    for note in pending.iterator(chunk_size=500):
        if not Notification.objects.filter(pk=note.pk, emailed_at__isnull=True).update(emailed_at=timezone.now()):
            continue  # another sweep took it
        try:
            send_mail(note.title, f"{note.body}\n\n{note.url}", None, [note.user.email], connection=mail)
        except Exception:  # noqa: BLE001 - one bad address or a mail-server hiccup must not stop the rest
            log.exception("reminder email to user %s failed; it will be retried", note.user_id)
            Notification.objects.filter(pk=note.pk).update(emailed_at=None)
            continue
        sent += 1
    return sent
