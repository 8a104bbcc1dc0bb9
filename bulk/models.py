"""A record of each bulk action (issue 18): who ran it, what kind, and per child or record what was done or refused
and why. The changes themselves are made by each single action's own service, with that action's history; a run
is what the result page shows, and for records without a history of their own (a conference follow-up) the run's
items are the record of who handed them over."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class BulkKind(models.TextChoices):
    REASSIGN = "reassign", _("Hand over a director's villages")
    SCREENING_CONFIRM = "screening_confirm", _("Confirm children in a screening")
    TRANSFER = "transfer", _("Transfer children to another village")
    EXPORT = "export", _("Export a selection")
    PRINT = "print", _("Print a selection")


class ItemStatus(models.TextChoices):
    DONE = "done", pgettext_lazy("bulk item status", "Done")
    REQUESTED = "requested", pgettext_lazy("bulk item status", "Sent for approval")
    REFUSED = "refused", pgettext_lazy("bulk item status", "Not done")


class BulkRun(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=BulkKind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("at"), auto_now_add=True)
    done = models.PositiveIntegerField(_("done"), default=0)
    requested = models.PositiveIntegerField(_("sent for approval"), default=0)
    refused = models.PositiveIntegerField(_("not done"), default=0)
    # What the run was about, without personal data: e.g. {"campaign": 3}, {"to_village": "370283001002"},
    # {"villages": [...], "from": 7, "to": 9}.
    summary = models.JSONField(_("summary"), default=dict, blank=True)

    class Meta:
        verbose_name = _("bulk action")
        verbose_name_plural = _("bulk actions")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"


class BulkItem(models.Model):
    """One child (or one record of a child) of a run. `child_ref` is the id as posted: a child not found for the
    user is kept by that number only (no foreign key: it may not exist)."""

    run = models.ForeignKey(BulkRun, on_delete=models.CASCADE, related_name="items")
    child_ref = models.PositiveBigIntegerField(_("archive number"))
    # The record handed over by a reassignment, e.g. "follow_up:12" (empty: the child itself).
    record = models.CharField(_("record"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ItemStatus.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("bulk action item")
        verbose_name_plural = _("bulk action items")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.child_ref}"
