"""Reads of bulk runs: a run is its user's only (another user's run answers 404)."""

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import User
from children import access

from .models import BulkRun, ItemStatus

LIST_ROWS = 50
ITEM_ROWS = 1000


def runs_of(user: User) -> QuerySet[BulkRun]:
    return BulkRun.objects.filter(user=user).order_by("-id")[:LIST_ROWS]


def run_for(user: User, pk: int) -> BulkRun:
    try:
        return BulkRun.objects.get(pk=int(pk), user=user)
    except (BulkRun.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404(_("Not found.")) from None


def children_of(run: BulkRun) -> list[int]:
    """The children a run changed (for the access log)."""
    return sorted({pk for pk in run.items.filter(status=ItemStatus.DONE).values_list("child_ref", flat=True) if pk})


def record_labels() -> dict[str, str]:
    """What a reassignment's item handed over, by the prefix of its `record`."""
    return {
        "follow_up": _("follow-up action"),
        "measure": _("help-plan measure"),
        "plan": _("help plan (responsible person)"),
        "candidate": _("candidate of an outside list"),
    }


def run_rows(user: User, run: BulkRun) -> dict:
    """The run's items for its page, each with the child as the children list shows it to the user now (name, ID
    number masked by role) where the user may still read the archive, else by its archive number only: a child that
    was not found is not described. Three queries."""
    items = list(run.items.all()[:ITEM_ROWS])
    refs = {i.child_ref for i in items if i.child_ref}
    shown = {c.pk: c for c in access.visible_children(user).filter(pk__in=refs).select_related("village__parent")}
    labels = record_labels()
    for item in items:
        item.child = shown.get(item.child_ref)
        item.record_label = labels.get(item.record.split(":")[0], "")
    return {
        "refused_items": [i for i in items if i.status == ItemStatus.REFUSED],
        "requested_items": [i for i in items if i.status == ItemStatus.REQUESTED],
        "done_items": [i for i in items if i.status == ItemStatus.DONE],
    }
