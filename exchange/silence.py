"""The daily sweep of list submissions: scheduled sources fallen silent are flagged to the civil-affairs staff of
the department's region (once per lapse: the notification's key names the day the list was due), and confirmed
detentions whose child has had no home visit by the day set are reminded to the village's directors (once)."""

import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Notification, Role, User
from accounts.selectors import civil_affairs_of
from visits.models import Visit, VisitKind

from . import rules
from .models import ChangeKind, ChangeProposal, ChangeStatus, Source


def silent_sources(today: datetime.date) -> list[tuple[Source, datetime.date]]:
    """(source, the day its list was due) of the active scheduled sources silent on `today` (one query)."""
    out = []
    for source in Source.objects.filter(active=True, expected_every_days__isnull=False).select_related("department"):
        last = timezone.localdate(source.last_received_at) if source.last_received_at else None
        created = timezone.localdate(source.created_at)
        if rules.is_silent(today, last, created, source.expected_every_days):
            out.append((source, rules.silent_since(last, created, source.expected_every_days)))
    return out


def flag_silent(today: datetime.date) -> int:
    """Notify the civil-affairs staff of each silent source's region; returns the messages newly written."""
    written = 0
    url = reverse("exchange:sources")
    with translation.override(settings.LANGUAGE_CODE):
        for source, due in silent_sources(today):
            users = civil_affairs_of(source.department.area_id).values_list("pk", flat=True)
            key = f"exchange:silent:{source.pk}:{due.isoformat()}"
            title = _("No list from %(source)s since it was due on %(date)s") % {
                "source": source,
                "date": due.isoformat(),
            }
            told = set(Notification.objects.filter(key=key).values_list("user_id", flat=True))
            new = [Notification(user_id=pk, key=key, title=title[:200], url=url) for pk in users if pk not in told]
            Notification.objects.bulk_create(new, ignore_conflicts=True)
            written += len(new)
    return written


def remind_visits(today: datetime.date) -> int:
    """Confirmed detentions past their visit day with no home visit since the confirmation: tell the directors of
    the child's village once. Returns how many proposals were reminded."""
    visited = Visit.objects.filter(
        child=OuterRef("child_id"), kind=VisitKind.HOME, visit_date__gte=OuterRef("decided_at__date")
    )
    due = list(
        ChangeProposal.objects.filter(
            kind=ChangeKind.PARENT_DETAINED,
            status=ChangeStatus.CONFIRMED,
            visit_reminded=False,
            visit_due_on__lt=today,
        )
        .annotate(visited=Exists(visited))
        .values_list("pk", "child_id", "child__village_id", "visited", "visit_due_on")
    )
    late = [(pk, child_id, village, due_on) for pk, child_id, village, visited, due_on in due if not visited]
    villages = {v for _pk, _c, v, _d in late}
    directors: dict[str, list[int]] = {}
    for pk, village in User.objects.filter(role=Role.DIRECTOR, is_active=True, areas__code__in=villages).values_list(
        "pk", "areas__code"
    ):
        directors.setdefault(village, []).append(pk)
    notes = []
    with translation.override(settings.LANGUAGE_CODE):
        for pk, child_id, village, due_on in late:
            for user_id in directors.get(village, []):
                notes.append(
                    Notification(
                        user_id=user_id,
                        key=f"exchange:visit:{pk}",
                        title=_("A child whose parent was detained has not been visited since %(date)s")
                        % {"date": due_on.isoformat()},
                        url=reverse("children:detail", args=[child_id]),
                    )
                )
    Notification.objects.bulk_create(notes, ignore_conflicts=True)
    ChangeProposal.objects.filter(pk__in=[d[0] for d in due]).update(visit_reminded=True)
    return len(late)
