import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from accounts.models import Area
from children.models import Child, upload_to_random

from . import rules

User = settings.AUTH_USER_MODEL


class VisitKind(models.TextChoices):
    HOME = "home", _("Home visit")
    CONTACT = "contact", _("Phone or WeChat contact")
    SCHOOL = "school", _("School visit")
    OTHER = "other", _("Other")


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("Phone call")
    WECHAT = "wechat", _("WeChat (voice, video or messages)")
    OTHER = "other", _("Other")


class OnlineConcern(models.TextChoices):
    """Online risks a visit observes (000 #42–43, 001 §18, 003 §15, 004 §15): the same values as the kinds of harm of a
    mandatory report (guardianship.models.HarmType), so that a report filed from the visit starts with its kind."""

    ONLINE_HARM = "online_harm", _("Online harm (bullying, fraud, harmful content, privacy)")
    INTERNET_ADDICTION = "internet_addiction", _("Internet addiction")


class Rating(models.TextChoices):
    GOOD = "good", _("Good")
    FAIR = "fair", _("Fair")
    POOR = "poor", _("Poor")


# What a person records about a visit: the form and the API take exactly these (one list for both).
RECORDED_FIELDS = [
    "kind",
    "visited_at",
    "met_whom",
    "channel",
    "living_conditions",
    "safety_hazards",
    "caregiver_status",
    "caregiver_unable",
    "mood",
    "study",
    "health",
    "parents_contacted",
    "observations",
    "problems_found",
    "help_given",
    "follow_up_needed",
    "follow_up",
    "harm_found",
    "online_concern",
]


class Visit(models.Model):
    """One visit or contact with one child. A household visit makes one row per child, sharing `household_key`."""

    # Indexed by visit_child_latest_idx below, whose first column is the child.
    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="visits", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=10, choices=VisitKind.choices, default=VisitKind.HOME)
    visited_at = models.DateTimeField(_("date and time"))
    # The local date of `visited_at`, which the visit rules count in (indexed for the schedule).
    visit_date = models.DateField(_("date"), editable=False)
    met_whom = models.CharField(_("met whom"), max_length=100, blank=True)
    # How a contact was made (a home visit leaves it blank). What each kind must fill: visits.rules.REQUIRED_FIELDS.
    channel = models.CharField(
        _("means of contact"), max_length=10, choices=ContactChannel.choices, blank=True, default="", db_default=""
    )
    living_conditions = models.CharField(_("living conditions"), max_length=10, choices=Rating.choices, blank=True)
    safety_hazards = models.CharField(_("safety hazards"), max_length=200, blank=True)
    caregiver_status = models.CharField(
        _("how the guardian or caregiver is doing"), max_length=10, choices=Rating.choices, blank=True
    )
    # The entrusted caregiver lacks the capacity to care or neglects the duty (000 #17, 003 §5, 004 §5): the parents
    # must be told and another caregiver chosen, a follow-up the visit opens (guardianship.casework).
    caregiver_unable = models.BooleanField(
        _("the caregiver cannot look after the child or neglects the duty"), default=False, db_default=False
    )
    mood = models.CharField(_("mood and behaviour"), max_length=10, choices=Rating.choices, blank=True)
    study = models.CharField(_("study"), max_length=10, choices=Rating.choices, blank=True)
    health = models.CharField(_("health"), max_length=10, choices=Rating.choices, blank=True)
    parents_contacted = models.BooleanField(_("parents contacted the child in the past week"), null=True, blank=True)
    observations = models.TextField(_("other observations"), blank=True)
    problems_found = models.TextField(_("problems found"), blank=True)
    help_given = models.TextField(_("help given"), blank=True)
    follow_up_needed = models.BooleanField(_("follow-up needed"), default=False)
    follow_up = models.CharField(_("follow-up"), max_length=200, blank=True)
    # Harm, suspected harm or danger found: a mandatory report (强制报告) must be raised (guardianship/).
    harm_found = models.BooleanField(_("harm, suspected harm or danger found"), default=False)
    online_concern = models.CharField(
        _("online risk observed"), max_length=20, choices=OnlineConcern.choices, blank=True, default="", db_default=""
    )
    # Harm found and no mandatory report: why none is needed, recorded by the director (visits.services), kept here
    # with who and when. Until a report or this reason exists the visit is listed and reminded daily.
    no_report_reason = models.TextField(_("why no mandatory report is needed"), blank=True, db_default="")
    no_report_by = models.ForeignKey(
        User, verbose_name=_("recorded by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    no_report_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    household_key = models.CharField(max_length=32, blank=True, editable=False)
    created_by = models.ForeignKey(
        User, verbose_name=_("visited by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    # Optimistic locking of edits (visits.services.visit_update); bulk inserts get 1 from the database.
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["visit_date", "version"])

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_at", "-id"]
        indexes = [
            # Last home visit / last contact per child (schedule refresh, archive page).
            models.Index(fields=["child", "kind", "visit_date"], name="visit_child_kind_date_idx"),
            # A child's latest visits (archive page, visit list), newest first as Meta.ordering lists them.
            models.Index(fields=["child", "-visited_at", "-id"], name="visit_child_latest_idx"),
            # Visits of a period (compliance views).
            models.Index(fields=["visit_date"], name="visit_date_idx"),
            # Harm found and no reason recorded for not reporting (the unreported-harm list and its daily reminder):
            # a handful of rows however many visits there are.
            models.Index(
                fields=["visit_date"], condition=Q(harm_found=True, no_report_reason=""), name="visit_harm_open_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.visit_date}"

    @property
    def is_back_dated(self) -> bool:
        from django.utils import timezone

        return (timezone.localdate(self.created_at) - self.visit_date).days > 1 if self.created_at else False


class VisitPhoto(models.Model):
    # No database constraint: visits are partitioned by year on PostgreSQL, and a key into a partitioned table must
    # hold its partition column. config/partitions.py keeps the reference with a constraint trigger instead.
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="photos", db_constraint=False)
    image = models.FileField(_("photo"), upload_to=upload_to_random)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")

    def __str__(self) -> str:
        return self.image.name


class RuleSet(models.Model):
    """Visit rules of a region. Applies to the subtree of its area; the nearest one wins. No area = the default."""

    name = models.CharField(_("name"), max_length=100)
    area = models.OneToOneField(
        Area, verbose_name=_("area"), null=True, blank=True, on_delete=models.PROTECT, related_name="visit_rule_set"
    )
    # The area's code prefix (empty for the default set), so matching is a LIKE on the child's village code.
    prefix = models.CharField(max_length=12, blank=True, editable=False)
    source = models.CharField(_("source"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    # Full screenings (全面摸底排查) the region asks for each year, e.g. Jiangsu's 一年两排 (002). Empty: this set says
    # nothing and the next set above decides (visits.screening.screening_rule_for); 0: none asked. The daily screening
    # sweep tells the county's civil affairs when a county goes 12 / n months without one.
    screenings_per_year = models.PositiveSmallIntegerField(_("full screenings a year"), null=True, blank=True)
    screenings_source = models.CharField(_("source of the screening rule"), max_length=100, blank=True, default="")
    screenings_clause = models.TextField(_("the screening rule's words"), blank=True, default="")

    class Meta:
        verbose_name = _("visit rule set")
        verbose_name_plural = _("visit rule sets")
        constraints = [
            models.UniqueConstraint(fields=["prefix"], condition=Q(active=True), name="ruleset_one_active_per_area")
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.prefix = self.area.prefix if self.area_id else ""
        super().save(*args, **kwargs)


class VisitRule(models.Model):
    """A child matches when every condition given holds (each condition: any of the values listed).

    For one child the strictest matching rule wins, separately for home visits and for contacts.
    """

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="rules")
    description = models.CharField(_("description (shown on the child's page)"), max_length=200)
    source = models.CharField(_("source"), max_length=100, help_text=_("e.g. 000 #27"))
    # What the archive page quotes as the rule's basis: the source document's title and the clause's own words. A rule
    # with neither is the region's own choice (or the project's default), and the page says so.
    document = models.CharField(_("source document (title)"), max_length=200, blank=True, default="")
    clause = models.TextField(_("the clause's words"), blank=True, default="")
    # Conditions. Masks are bitmasks over children/categories.py; lists are comma-separated codes.
    category_mask = models.BigIntegerField(_("any of these categories"), default=0)
    parent_mask = models.BigIntegerField(_("a parent in any of these situations"), default=0)
    risk_grades = models.CharField(_("guardianship risk grades"), max_length=50, blank=True)
    colours = models.CharField(_("colour grades"), max_length=50, blank=True)
    max_disability_grade = models.PositiveSmallIntegerField(
        _("child's disability grade at most"), null=True, blank=True
    )
    # Results.
    home_visit_days = models.PositiveSmallIntegerField(
        _("longest gap between home visits (days)"), null=True, blank=True
    )
    contact_days = models.PositiveSmallIntegerField(_("longest gap between contacts (days)"), null=True, blank=True)
    unspecified_in_source = models.BooleanField(
        _("the source says only 'more often'"),
        default=False,
        help_text=_("The number of days is the default for 'more often'; set your region's own."),
    )

    class Meta:
        verbose_name = _("visit rule")
        verbose_name_plural = _("visit rules")
        ordering = ["rule_set", "id"]

    def __str__(self) -> str:
        return self.description

    @property
    def is_local_choice(self) -> bool:
        """Not the words of a source document: the region's (or the default set's) own choice."""
        return not (self.document and self.clause)


def due_q(due: rules.DueRange, field: str = "due_on") -> Q:
    """A range of due dates (visits.rules: overdue, due soon …) as a filter on a date field."""
    q = Q()
    if due.first is not None:
        q &= Q(**{f"{field}__gte": due.first})
    if due.last is not None:
        q &= Q(**{f"{field}__lte": due.last})
    return q if q else Q(**{f"{field}__isnull": False})


def due_sql(due: rules.DueRange, column: str) -> str:
    """The same range as a condition for raw SQL over `column` (a date column or expression, e.g. `s.due_on`), the
    dates written in as ISO literals (digits and dashes only), so it fits any statement's parameters. Reminders and
    dashboards use it where their aggregates stay in SQL; tests/visits/test_due.py holds it to `due_q`."""
    parts = []
    if due.first is not None:
        parts.append(f"{column} >= '{due.first.isoformat()}'")
    if due.last is not None:
        parts.append(f"{column} <= '{due.last.isoformat()}'")
    return "(" + (" AND ".join(parts) or f"{column} IS NOT NULL") + ")"


class VisitScheduleQuerySet(models.QuerySet):
    """"Overdue" and "due soon", defined once (visits.rules) for worklists, reminders, escalations and dashboards."""

    def due_in(self, due: rules.DueRange) -> "VisitScheduleQuerySet":
        return self.filter(due_q(due))

    def overdue(self, today: datetime.date, min_days: int = 1) -> "VisitScheduleQuerySet":
        """Overdue by at least `min_days` days (due today is not overdue)."""
        return self.due_in(rules.overdue(today, min_days))

    def due_soon(self, today: datetime.date) -> "VisitScheduleQuerySet":
        """Due within the coming week and not overdue."""
        return self.due_in(rules.due_soon(today))

    def to_visit(self, today: datetime.date) -> "VisitScheduleQuerySet":
        """本周待访: overdue or due soon."""
        return self.due_in(rules.to_visit(today))

    def escalated(self, today: datetime.date) -> "VisitScheduleQuerySet":
        """Overdue long enough to go to the county's civil affairs."""
        return self.due_in(rules.escalated(today))

    def not_overdue(self, today: datetime.date) -> "VisitScheduleQuerySet":
        """Not overdue, including children no rule applies to."""
        return self.exclude(due_q(rules.overdue(today)))


class VisitSchedule(models.Model):
    """Each open child's current visit requirement and due dates, stored and kept current set-based.

    Stored rather than computed per request because worklists and overdue lists must filter and sort a
    province by due date on an index; the due dates do not depend on "today", only the status does. Every
    service that changes what the dates depend on (visits, categories, parents, risk, colour, village, rules)
    refreshes the affected rows with one statement (visits/schedule.py), and the daily sweep refreshes all.
    """

    child = models.OneToOneField(Child, primary_key=True, on_delete=models.CASCADE, related_name="schedule")
    village = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+", db_index=False)
    home_days = models.PositiveSmallIntegerField(null=True)
    contact_days = models.PositiveSmallIntegerField(null=True)
    last_home_on = models.DateField(null=True)
    last_contact_on = models.DateField(null=True)
    home_due_on = models.DateField(null=True)
    contact_due_on = models.DateField(null=True)
    # The earlier of the two due dates: worklists sort and filter on it.
    due_on = models.DateField(null=True)
    rule_ids = models.TextField(blank=True)
    # A stricter interval in force since a change (a transfer, a category, a risk grade, a colour, a rule) counts
    # from the day of the change, never later than the due date before it (the cap): visits.rules.obligation_after.
    home_since = models.DateField(null=True)
    home_cap = models.DateField(null=True)
    contact_since = models.DateField(null=True)
    contact_cap = models.DateField(null=True)
    refreshed_at = models.DateTimeField(null=True)

    objects = VisitScheduleQuerySet.as_manager()

    class Meta:
        indexes = [
            # Worklists and overdue lists: children of an area (village code LIKE 'prefix%') by due date. The
            # pattern operator class lets PostgreSQL use it for LIKE under any collation (ignored elsewhere).
            models.Index(
                fields=["village", "due_on"],
                name="schedule_village_due_idx",
                opclasses=["varchar_pattern_ops", "date_ops"],
            ),
            # The sweep and county escalation: everything due by a date.
            models.Index(fields=["due_on"], name="schedule_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} {self.due_on}"


class ScreeningCampaign(models.Model):
    """A full screening (Jiangsu's 一年两排): every open archive of the area confirmed by its director."""

    name = models.CharField(_("name"), max_length=100)
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField(_("starts on"))
    deadline = models.DateField(_("deadline"))
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("screening campaign")
        verbose_name_plural = _("screening campaigns")
        ordering = ["-deadline"]

    def __str__(self) -> str:
        return self.name


class ScreeningConfirmation(models.Model):
    campaign = models.ForeignKey(ScreeningCampaign, on_delete=models.PROTECT, related_name="confirmations")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    still_eligible = models.BooleanField(_("still eligible"), default=True)
    data_current = models.BooleanField(_("archive data checked and current"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    confirmed_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("screening confirmation")
        verbose_name_plural = _("screening confirmations")
        constraints = [models.UniqueConstraint(fields=["campaign", "child"], name="screening_once_per_child")]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.child_id}"


class ProposalStatus(models.TextChoices):
    """A proposal to end a child's categories after a screening found the child no longer eligible."""

    OPEN = "open", pgettext_lazy("category-end proposal status", "Awaiting the director")
    CONFIRMED = "confirmed", pgettext_lazy("category-end proposal status", "Categories ended")
    DISMISSED = "dismissed", pgettext_lazy("category-end proposal status", "Dismissed with a reason")


class CategoryEndProposal(models.Model):
    """A screening confirmed a child as no longer eligible: end the categories listed? Nothing changes the archive
    until the child's director confirms (visits.services.proposal_confirm: a change of categories, through approval
    where the region asks for it; approved, visits.services.proposal_apply ends them through
    children.services.category_end) or dismisses it with a reason (proposal_dismiss)."""

    confirmation = models.OneToOneField(
        ScreeningConfirmation,
        on_delete=models.PROTECT,
        related_name="proposal",
        verbose_name=_("screening confirmation"),
    )
    # Indexed by proposal_child_status_idx below, whose first column is the child.
    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # The child's current categories when the proposal was made (comma-separated codes), ended on confirmation.
    categories = models.CharField(_("categories to end"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.OPEN)
    decided_by = models.ForeignKey(
        User, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("why the categories stay"), blank=True, default="")
    created_at = models.DateTimeField(_("proposal made at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("proposal to end categories")
        verbose_name_plural = _("proposals to end categories")
        ordering = ["-created_at", "-id"]
        indexes = [
            # A director's (an area's) open proposals: by child, open first.
            models.Index(fields=["child", "status"], name="proposal_child_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.child_id}: {self.categories}"

    @property
    def category_codes(self) -> list[str]:
        return [c for c in self.categories.split(",") if c]
