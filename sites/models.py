"""Places of care (issue 18 D): the children's homes (儿童之家) of villages and the minors' protection workstations
(未成年人保护工作站) of townships, with their status, staff and opening records; the operation-rate targets of the
regions; and the holiday calendars of the holiday safety lecture.

Sources:
- workstations in every township, "设施完善、机制健全、服务规范、作用有效" by the end of the 14th five-year plan
  (000 #48, 001 §21); children's homes (儿童之家) as the place of village activities (003 §三, 004 §13);
- the operation rate (实体化运行率) target: 90 % in 2024, 100 % in 2025 (003 §7, Putuo). The seed says it of the
  minors' rescue and protection institutions; the system applies it to the sites of the region (a local reading,
  kept as data in `OperationTarget`);
- a safety lecture before the winter and summer holidays (000 #39, 001 §16, 003 §13, 004 §13). No seed gives
  holiday dates: the defaults in `sites.rules` are the system's choice, and a region sets its own in
  `HolidayCalendar`.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from accounts.models import Area


class SiteKind(models.TextChoices):
    CHILDREN_HOME = "children_home", _("Children's home")
    WORKSTATION = "workstation", _("Minors' protection workstation")


class SiteStatus(models.TextChoices):
    # Context-qualified: the words are not another model's statuses (tests/test_status_labels.py).
    PLANNED = "planned", pgettext_lazy("site status", "Planned")
    BUILT = "built", pgettext_lazy("site status", "Built, not yet in operation")
    OPERATING = "operating", pgettext_lazy("site status", "In operation")
    SUSPENDED = "suspended", pgettext_lazy("site status", "Suspended")


class Site(models.Model):
    """A children's home (in a village) or a workstation (in a township). One of each kind per area."""

    kind = models.CharField(_("kind"), max_length=20, choices=SiteKind.choices)
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=SiteStatus.choices, default=SiteStatus.PLANNED)
    built_on = models.DateField(_("built on"), null=True, blank=True)
    operating_since = models.DateField(_("in operation since"), null=True, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["area_id", "kind"]
        constraints = [
            # One children's home per village, one workstation per township; its index also serves the dashboard's
            # count of sites under an area (area_id LIKE 'prefix%').
            models.UniqueConstraint(fields=["area", "kind"], name="site_one_per_area_and_kind"),
            models.CheckConstraint(
                condition=~Q(status="operating") | Q(operating_since__isnull=False), name="site_operating_has_date"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StaffRole(models.TextChoices):
    HEAD = "head", _("Head of the site")
    DEPUTY_PROSECUTOR = "deputy_prosecutor", _("Deputy head (prosecutor)")
    DEPUTY_POLICE = "deputy_police", _("Deputy head (police officer)")
    DIRECTOR = "director", _("Child director")
    SUPERVISOR = "supervisor", _("Child supervisor")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    COUNSELLOR = "counsellor", _("Psychological counsellor")
    VOLUNTEER = "volunteer", _("Volunteer")


class SiteStaff(models.Model):
    """Someone who works at a site (a system user or not). Leaving is recorded (`until`), never deleted. Deputy
    heads from the procuratorate and the police: 000 #12 (检察官、警官兼任街镇未成年人保护工作站副站长)."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="staff")
    name = models.CharField(_("name"), max_length=50)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    role = models.CharField(_("role"), max_length=20, choices=StaffRole.choices)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("site staff member")
        verbose_name_plural = _("site staff")
        ordering = ["site_id", "until", "role", "name"]

    def __str__(self) -> str:
        return self.name


class SiteOpening(models.Model):
    """One day the site was open (开放记录): for how long, and how many children came."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="openings")
    date = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours open"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("24"))],
    )
    children_count = models.PositiveIntegerField(_("children who came"), default=0)
    note = models.CharField(_("what was done"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("opening record")
        verbose_name_plural = _("opening records")
        ordering = ["-date", "-id"]
        constraints = [
            # One record a day per site; its index serves "openings of a site in a period".
            models.UniqueConstraint(fields=["site", "date"], name="siteopening_one_per_day"),
            models.CheckConstraint(condition=Q(hours__gt=0) & Q(hours__lte=24), name="siteopening_hours_in_day"),
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.date}"


class OperationTarget(models.Model):
    """A region's target for the share of its sites in operation in a year (data; 003 §7 for Putuo). The nearest
    region above an area wins."""

    area = models.ForeignKey(Area, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    percent = models.PositiveSmallIntegerField(_("target (%)"), validators=[MaxValueValidator(100)])
    source = models.CharField(_("source"), max_length=100)
    clause = models.TextField(_("the clause's words"), blank=True)

    class Meta:
        verbose_name = _("operation-rate target")
        verbose_name_plural = _("operation-rate targets")
        ordering = ["area_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["area", "year"], name="operationtarget_one_per_year"),
            models.CheckConstraint(condition=Q(percent__lte=100), name="operationtarget_percent_max"),
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.year} {self.percent}%"


class HolidayCalendar(models.Model):
    """When a region's winter and summer holidays start, how long before the start a safety lecture counts, and
    when reminders begin. Regions without one use the system's defaults (`sites.rules.DEFAULT_CALENDAR`); the
    nearest region above a village wins."""

    area = models.OneToOneField(Area, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    winter_month = models.PositiveSmallIntegerField(_("winter holiday starts: month"))
    winter_day = models.PositiveSmallIntegerField(_("winter holiday starts: day"))
    summer_month = models.PositiveSmallIntegerField(_("summer holiday starts: month"))
    summer_day = models.PositiveSmallIntegerField(_("summer holiday starts: day"))
    window_days = models.PositiveSmallIntegerField(_("a lecture counts within this many days before the start"))
    remind_days = models.PositiveSmallIntegerField(_("reminders begin this many days before the start"))
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("holiday calendar")
        verbose_name_plural = _("holiday calendars")
        ordering = ["area_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(winter_month__gte=1, winter_month__lte=12, summer_month__gte=1, summer_month__lte=12)
                & Q(winter_day__gte=1, winter_day__lte=31, summer_day__gte=1, summer_day__lte=31),
                name="holidaycalendar_valid_dates",
            )
        ]

    def __str__(self) -> str:
        return str(self.area_id)
