"""Approvals (审批): a change to a child's archive proposed by one user and applied only when an approver agrees.

A region decides (ApprovalSetting, longest area-code prefix wins) whether a kind of change needs approval and who
approves it: the township's child supervisor or the county's civil-affairs staff. The proposed change is kept as
JSON (`payload`) and applied by the kind's registered service when approved (approvals.services), so nothing
changes before approval. Requests are never deleted: returned and withdrawn ones stay, and simple-history keeps
every change of a request.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Area, AreaLevel


class ApproverLevel(models.TextChoices):
    """Who approves: the township (its child supervisor) or the county (its civil-affairs staff)."""

    TOWNSHIP = AreaLevel.TOWNSHIP.value, _("Township child supervisor")
    COUNTY = AreaLevel.COUNTY.value, _("County civil affairs")


class ApprovalSetting(models.Model):
    """One region's approval rule, for one kind of change or (kind left empty) for every kind. The nearest setting
    to the child's village applies: the longest prefix, and at the same prefix the one naming the kind. No area: the
    default everywhere (shipped by a data migration: approval required, by the township supervisor)."""

    name = models.CharField(_("name"), max_length=100)
    area = models.ForeignKey(
        Area,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approval_settings",
        help_text=_("Leave empty for the default that applies wherever no region has its own."),
    )
    # The area's code prefix (empty for the default), matched against the child's village code.
    prefix = models.CharField(max_length=12, blank=True, editable=False)
    kind = models.CharField(
        _("kind of change"), max_length=40, blank=True, help_text=_("Leave empty for every kind of change.")
    )
    required = models.BooleanField(
        _("approval required"),
        default=True,
        help_text=_("Unticked: child directors make these changes directly (some counties allow it)."),
    )
    approver_level = models.CharField(
        _("approved by"), max_length=10, choices=ApproverLevel.choices, default=ApproverLevel.TOWNSHIP
    )
    approvers_act_directly = models.BooleanField(
        _("approvers act directly"),
        default=True,
        help_text=_("Ticked: staff who may approve (and administrators) make these changes without a request."),
    )
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("approval setting")
        verbose_name_plural = _("approval settings")
        ordering = ["prefix", "kind"]
        constraints = [models.UniqueConstraint(fields=["prefix", "kind"], name="approvalsetting_unique_region_kind")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.prefix = self.area.prefix if self.area_id else ""
        super().save(*args, **kwargs)

    def clean(self) -> None:
        # The unique constraint is on `prefix`, which no form shows: say it in words instead of failing on save.
        prefix = self.area.prefix if self.area_id else ""
        same = ApprovalSetting.objects.filter(prefix=prefix, kind=self.kind).exclude(pk=self.pk)
        if same.exists():
            raise ValidationError(_("This region already has a setting for this kind of change: edit that one."))


class ApprovalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Approval(models.Model):
    """A proposed change to one child's archive. `kind` names the registered service that applies `payload`;
    `subject` names the record changed within the archive (e.g. "category:12"), so that one change waits once."""

    kind = models.CharField(_("kind of change"), max_length=40)
    child = models.ForeignKey(
        "children.Child", verbose_name=_("child"), on_delete=models.PROTECT, related_name="approvals"
    )
    subject = models.CharField(max_length=60, blank=True)
    payload = models.JSONField(_("proposed change"), default=dict)
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.PROPOSED
    )
    # Who approves, fixed when proposed: a later change of the region's setting does not move a waiting request.
    approver_level = models.CharField(_("approved by"), max_length=10, choices=ApproverLevel.choices)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="approvals_proposed",
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approvals_decided",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "kind", "subject"],
                condition=Q(status="proposed"),
                name="approval_one_waiting_per_change",
            )
        ]
        indexes = [
            # The approvers' worklist: waiting requests of one level, oldest first (then the area scope).
            models.Index(fields=["status", "approver_level", "proposed_at"], name="approval_worklist_idx"),
            # The archive page: the requests of one child.
            models.Index(fields=["child", "status"], name="approval_child_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def is_waiting(self) -> bool:
        return self.status == ApprovalStatus.PROPOSED
