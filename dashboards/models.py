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


class VillageFigures(models.Model):
    """The dashboards' per-child figures of one village (open archives by category, colour, completeness, welfare,
    agreements, visit compliance), stored so that a dashboard of any level sums village rows instead of
    aggregating every archive of its area (issue 14: a province under a second with an empty cache).

    Maintained set-based by `dashboards.figures`: every village each night (visit compliance depends on the date),
    and the villages a write has marked stale (`StaleVillage`) every few minutes and before a dashboard shows them.
    Only non-zero figures are kept; a village without open archives has no row."""

    village = models.CharField(_("village code"), primary_key=True, max_length=12)
    figures = models.JSONField(_("figures"), default=dict)
    as_of = models.DateField(_("visit figures as of"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("village figures")
        verbose_name_plural = _("village figures")
        indexes = [
            # A dashboard's villages: code LIKE 'prefix%'.
            models.Index(fields=["village"], name="village_figures_prefix_idx", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return f"{self.village} {self.as_of}"


class StaleVillage(models.Model):
    """A village whose stored figures a write has made stale (written in the writer's transaction)."""

    village = models.CharField(_("village code"), primary_key=True, max_length=12)
    marked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("stale village figures")
        verbose_name_plural = _("stale village figures")
        indexes = [
            models.Index(fields=["village"], name="stale_village_prefix_idx", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.village
