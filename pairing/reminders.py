"""The daily reminder of pairings without contact: the directors of the child's village are told of each current
pairing with no contact for more than settings.PAIRING_NO_CONTACT_DAYS days (pairing.selectors.quiet_q, the list's
own filter), once per pairing per lapse. The notification key names the pairing and the day its quiet began (the
latest contact, or the start while there is none), so running again the same day, or the next day, writes nothing;
a new contact followed by a new lapse is told again."""

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Notification, Role
from accounts.selectors import staff_by_area

from . import selectors
from .models import Pairing


def lapse_key(pairing: Pairing) -> str:
    """One lapse of one pairing: its quiet began on the latest contact (or the start)."""
    return f"pairing-quiet:{pairing.pk}:{(pairing.last_contact_on or pairing.from_on).isoformat()}"


def no_contact_notes(today: datetime.date, days: int) -> list[Notification]:
    """Two queries: the quiet pairings with their child and helper, the directors of their villages."""
    pairings = list(
        Pairing.objects.filter(selectors.quiet_q(today=today, days=days))
        .select_related("child", "helper")
        .order_by("pk")
    )
    if not pairings:
        return []
    directors = staff_by_area({p.child.village_id for p in pairings}, Role.DIRECTOR)
    notes = []
    for p in pairings:
        since = p.last_contact_on or p.from_on
        title = _("No contact for more than %(days)d days since %(date)s: %(child)s, paired with %(helper)s") % {
            "days": days,
            "date": since.isoformat(),
            "child": p.child.name,
            "helper": p.helper.name,
        }
        url = reverse("pairing:pairing", args=[p.pk])
        notes += [
            Notification(user_id=u, key=lapse_key(p), title=title[:200], url=url)
            for u in directors.get(p.child.village_id, [])
        ]
    return notes


def daily(*, today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE):
        notes = no_contact_notes(today, settings.PAIRING_NO_CONTACT_DAYS)
    with transaction.atomic():
        Notification.objects.bulk_create(notes, ignore_conflicts=True)
    return len(notes)
