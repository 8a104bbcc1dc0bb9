from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Area


class ComplianceSnapshot(models.Model):
    """Visit compliance of one village at the end of one month (the dashboards' "past year" series).

    Written set-based by `dashboards.services.snapshot_month` (a monthly beat task for the month just ended, and
    the `backfill_compliance` command for earlier months); never edited by hand. A dashboard sums the rows of the
    villages in its subtree, so a province's series is one indexed range read, not a recomputation.
    """

    month = models.DateField(_("month"), help_text=_("first day of the month; figures are as of its last day"))
    village = models.ForeignKey(Area, verbose_name=_("village"), on_delete=models.CASCADE, related_name="+")
    children = models.PositiveIntegerField(_("open archives"), default=0)
    with_rule = models.PositiveIntegerField(_("children with a visit rule"), default=0)
    home_ok = models.PositiveIntegerField(_("last home visit within the interval"), default=0)
    contact_ok = models.PositiveIntegerField(_("last contact within the interval"), default=0)
    compliant = models.PositiveIntegerField(_("both within the interval"), default=0)
    taken_at = models.DateTimeField(_("taken at"), auto_now=True)

    class Meta:
        verbose_name = _("monthly compliance snapshot")
        verbose_name_plural = _("monthly compliance snapshots")
        ordering = ["month", "village_id"]
        constraints = [
            models.UniqueConstraint(fields=["month", "village"], name="compliance_snapshot_unique_month_village")
        ]
        indexes = [
            # A dashboard's series: villages of a subtree (code LIKE 'prefix%') over a range of months.
            models.Index(
                fields=["village", "month"],
                name="compliance_snapshot_area_idx",
                opclasses=["varchar_pattern_ops", "date_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village_id} {self.month:%Y-%m}"
