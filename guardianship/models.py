"""Guardianship: the assessment instrument as data, and assessments made with it (DOMAIN.md §4).

Regions load their local standard (e.g. Qingdao's 《未成年人家庭监护能力评估工作规范》) as a new instrument; the
shipped default is a starting point, not a standard. An assessment keeps the instrument version it was made with.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from accounts.models import Area
from children.models import Child, RiskGrade, upload_to_random

User = settings.AUTH_USER_MODEL


class Instrument(models.Model):
    name = models.CharField(_("name"), max_length=100)
    version = models.CharField(_("version"), max_length=20)
    area = models.ForeignKey(
        Area,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: usable everywhere."),
    )
    active = models.BooleanField(_("active"), default=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    medium_from = models.PositiveSmallIntegerField(_("medium risk from a total of"))
    high_from = models.PositiveSmallIntegerField(_("high risk from a total of"))

    class Meta:
        verbose_name = _("assessment instrument")
        verbose_name_plural = _("assessment instruments")
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="instrument_unique_version")]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"

    @property
    def thresholds(self) -> dict[str, int]:
        return {"medium": self.medium_from, "high": self.high_from}


class Dimension(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="dimensions")
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["instrument", "order"]

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="items")
    text = models.CharField(_("question"), max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["dimension", "order"]

    def __str__(self) -> str:
        return self.text


class Option(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(_("answer"), max_length=100)
    score = models.PositiveSmallIntegerField(_("score"))
    critical = models.BooleanField(_("critical: the grade is high whatever the total"), default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["item", "order"]

    def __str__(self) -> str:
        return self.label


class Assessment(models.Model):
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="assessments")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="+")
    assessor = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    assessed_on = models.DateField(_("date"))
    score = models.PositiveSmallIntegerField(_("score"))
    grade = models.CharField(_("risk grade"), max_length=10, choices=RiskGrade.choices)
    narrative = models.TextField(_("assessment"), blank=True)
    measures = models.TextField(_("recommended measures"), blank=True)
    next_on = models.DateField(_("reassess by"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("guardianship assessment")
        verbose_name_plural = _("guardianship assessments")
        ordering = ["-assessed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.child_id} {self.assessed_on} {self.grade}"


class AssessmentAnswer(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    option = models.ForeignKey(Option, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "item"], name="answer_once_per_item")]

    def __str__(self) -> str:
        return f"{self.item_id}:{self.option_id}"


class ReportSource(models.TextChoices):
    VISIT = "visit", _("Found on a home visit")
    STAFF = "staff", _("Found by staff")
    SCHOOL = "school", _("School")
    HOSPITAL = "hospital", _("Hospital")
    POLICE = "police", _("Police: a detained or rescued adult's child without care")
    PROCURATORATE = "procuratorate", _("Procuratorate")
    COURT = "court", _("Court")
    EMERGENCY = "emergency", _("Emergency services")
    OTHER = "other", _("Other")


class HarmType(models.TextChoices):
    PHYSICAL = "physical", _("Physical abuse")
    SEXUAL = "sexual", _("Sexual abuse")
    NEGLECT = "neglect", _("Neglect")
    ABANDONMENT = "abandonment", _("Abandonment")
    NO_CARE = "no_care", _("Left without care")
    DANGER = "danger", _("Danger to life or health")
    # Online protection (000 #42–43, 001 §18, 003 §15, 004 §15): counted apart so that they reach the 网信 department.
    ONLINE_HARM = "online_harm", _("Online harm (bullying, fraud, harmful content, privacy)")
    INTERNET_ADDICTION = "internet_addiction", _("Internet addiction")
    OTHER = "other", _("Other")


class ReportedTo(models.TextChoices):
    POLICE = "police", _("Police")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs")
    EDUCATION = "education", _("Education")


class ReportStatus(models.TextChoices):
    # Context-qualified: a closed report (报告办结) is not a closed archive (已销档), tests/test_status_labels.py.
    FILED = "filed", pgettext_lazy("report status", "Filed")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("report status", "Acknowledged")
    HANDLING = "handling", pgettext_lazy("report status", "Being handled")
    CLOSED = "closed", pgettext_lazy("report status", "Closed")


class Report(models.Model):
    """A mandatory report (强制报告) of harm, suspected harm or danger to a child (000 #20, 004 §6)."""

    child = models.ForeignKey(
        Child, verbose_name=_("child"), null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    child_description = models.CharField(_("child (if not registered)"), max_length=200, blank=True)
    area = models.ForeignKey(Area, verbose_name=_("where"), on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("source"), max_length=20, choices=ReportSource.choices, default=ReportSource.STAFF)
    # Kept by a constraint trigger, not a foreign key (visits are partitioned: config/partitions.py).
    visit = models.ForeignKey(
        "visits.Visit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    reporter = models.ForeignKey(
        User, verbose_name=_("reported by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    found_at = models.DateTimeField(_("found at"))
    what_found = models.TextField(_("what was found"))
    harm_type = models.CharField(_("suspected harm"), max_length=20, choices=HarmType.choices)
    reported_to = models.CharField(_("reported to"), max_length=20, choices=ReportedTo.choices)
    reported_at = models.DateTimeField(_("reported at"))
    handling_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("handling department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handling_steps = models.TextField(_("handling steps"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    reporter_informed = models.BooleanField(_("reporter told the outcome"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.FILED)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("filed at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("mandatory report")
        verbose_name_plural = _("mandatory reports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="report_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_harm_type_display()} {self.found_at:%Y-%m-%d}"

    @property
    def flagged(self) -> bool:
        from django.utils import timezone

        from .rules import unacknowledged_too_long

        return unacknowledged_too_long(self.status, self.created_at, timezone.now())

    @property
    def delay(self):
        """How long after the harm was found it was reported (guardianship.rules.report_delay)."""
        from .rules import report_delay

        return report_delay(self.found_at, self.reported_at)

    @property
    def delay_text(self) -> str:
        from .rules import delay_parts

        days, hours = delay_parts(self.delay)
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}

    @property
    def late(self) -> bool:
        """Reported later than at once (立即报告): guardianship.rules.reported_late."""
        from .rules import reported_late

        return reported_late(self.found_at, self.reported_at)


class ServiceType(models.TextChoices):
    PSYCHOLOGICAL = "psychological", _("Psychological counselling or treatment")
    LEGAL_AID = "legal_aid", _("Legal aid")
    JUDICIAL_AID = "judicial_aid", _("Judicial aid")
    REHABILITATION = "rehabilitation", _("Rehabilitation")
    SCHOOLING = "schooling", _("School placement or return to school")
    EMPLOYMENT = "employment", _("Employment help for the parents")
    FAMILY_EDUCATION = "family_education", _("Family-education guidance")
    SOCIAL_ASSISTANCE = "social_assistance", _("Social-assistance enrolment")
    ONLINE_PROTECTION = "online_protection", _("Online protection (harmful content, internet addiction)")
    SOCIAL_WORK = "social_work", _("Social-work service")


class ReferralStatus(models.TextChoices):
    SENT = "sent", pgettext_lazy("referral status", "Sent")
    ACCEPTED = "accepted", pgettext_lazy("referral status", "Accepted")
    IN_PROGRESS = "in_progress", pgettext_lazy("referral status", "In progress")
    DONE = "done", pgettext_lazy("referral status", "Done")
    DECLINED = "declined", pgettext_lazy("referral status", "Declined")


class Referral(models.Model):
    """A child referred (转介) to a department, or to a social organisation or social-work agency (pairing/), for a
    service. While it is open, the department's liaisons may see the child (django-guardian object permission
    through the department's group); an organisation has no accounts: the county's civil affairs record its
    progress (guardianship.referrals.can_act)."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="referrals")
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("to department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    organisation = models.ForeignKey(
        "pairing.Organisation",
        verbose_name=_("to organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    service = models.CharField(_("service"), max_length=30, choices=ServiceType.choices)
    reason = models.TextField(_("reason and what is needed"))
    due_on = models.DateField(_("due by"))
    status = models.CharField(_("status"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.SENT)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    result = models.TextField(_("result"), blank=True)
    sent_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at", "-id"]
        constraints = [
            # To a department or to an organisation: exactly one.
            models.CheckConstraint(
                condition=Q(department__isnull=False, organisation__isnull=True)
                | Q(department__isnull=True, organisation__isnull=False),
                name="referral_one_recipient",
                violation_error_message=_("Choose a department or an organisation to refer to (one of the two)."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_service_display()} → {self.recipient}"

    @property
    def recipient(self):
        """The department or the organisation the child is referred to."""
        return self.department if self.department_id else self.organisation

    @property
    def is_open(self) -> bool:
        return self.status not in (ReferralStatus.DONE, ReferralStatus.DECLINED)


class InterventionKind(models.TextChoices):
    DISSUASION = "dissuasion", _("Dissuasion and stopping by the village committee")
    POLICE_REPORT = "police_report", _("Report to the police")
    ADMONITION = "admonition", _("Police admonition")
    FAMILY_EDUCATION_ORDER = "family_education_order", _("Order to receive family-education guidance")
    SUPERVISION_ORDER = "supervision_order", _("Supervision-of-guardianship order")
    PROTECTION_ORDER = "protection_order", _("Personal-safety protection order")
    REVOCATION = "revocation", _("Revocation of guardianship")
    TEMPORARY_GUARDIANSHIP = "temporary_guardianship", _("Temporary guardianship by civil affairs")
    LONG_TERM_GUARDIANSHIP = "long_term_guardianship", _("Long-term guardianship")
    RESTORATION = "restoration", _("Restoration of guardianship")


class Placement(models.TextChoices):
    RELATIVES = "relatives", _("With relatives")
    FOSTER = "foster", _("Foster family")
    PROTECTION_INSTITUTION = "protection_institution", _("Minors' protection institution")
    WELFARE_INSTITUTION = "welfare_institution", _("Child welfare institution")


class Intervention(models.Model):
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="interventions")
    kind = models.CharField(_("intervention"), max_length=30, choices=InterventionKind.choices)
    placement = models.CharField(_("placement"), max_length=30, choices=Placement.choices, blank=True)
    issuing_body = models.CharField(_("issued by"), max_length=100)
    issued_on = models.DateField(_("issued on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    review_on = models.DateField(_("review on"), null=True, blank=True)
    active = models.BooleanField(_("in force"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    document = models.FileField(_("document"), upload_to=upload_to_random, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("guardianship intervention")
        verbose_name_plural = _("guardianship interventions")
        ordering = ["-issued_on", "-id"]
        indexes = [
            # Reviews coming due (daily sweep, civil-affairs worklist): only interventions in force with a date.
            models.Index(
                fields=["review_on"], condition=Q(active=True, review_on__isnull=False), name="intervention_review_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.issued_on}"


class CaseConference(models.Model):
    """个案会商: who met, what was decided; each decision is a follow-up action with an owner and a due date."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="conferences")
    held_on = models.DateField(_("held on"))
    participants = models.TextField(_("participants (departments and people)"))
    summary = models.TextField(_("summary"))
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("case conference")
        verbose_name_plural = _("case conferences")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.child_id} {self.held_on}"


class FollowUp(models.Model):
    """A follow-up action with an owner and a due date, tracked until done: a case conference's decision, or what a
    visit opened (a caregiver found unable to care: tell the parents and choose another, 000 #17, 003 §5). Open ones
    are in the owner's worklist and escalated when overdue (guardianship.sweep)."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="follow_ups")
    conference = models.ForeignKey(
        CaseConference, null=True, blank=True, on_delete=models.CASCADE, related_name="follow_ups"
    )
    # Kept by a constraint trigger, not a foreign key (visits are partitioned: config/partitions.py).
    visit = models.ForeignKey(
        "visits.Visit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="follow_ups",
        db_constraint=False,
    )
    description = models.CharField(_("decision"), max_length=300)
    owner = models.ForeignKey(User, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="follow_ups")
    due_on = models.DateField(_("due by"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["owner", "done_on"], name="followup_owner_idx")]
        constraints = [
            # Every follow-up comes from a conference or a visit; a visit opens at most one.
            models.CheckConstraint(
                condition=Q(conference__isnull=False) | Q(visit__isnull=False), name="followup_has_origin"
            ),
            models.UniqueConstraint(fields=["visit"], condition=Q(visit__isnull=False), name="followup_once_per_visit"),
        ]

    def __str__(self) -> str:
        return self.description


class TemporaryPlacement(models.Model):
    """Where a child under temporary guardianship (临时监护, 002) lives: one row per placement, from → to. Moving the
    child closes the open row and opens the next; django-simple-history keeps every change to a row."""

    child = models.ForeignKey(Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="placements")
    intervention = models.ForeignKey(
        Intervention,
        verbose_name=_("guardianship intervention"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="placements",
    )
    kind = models.CharField(_("placement"), max_length=30, choices=Placement.choices)
    institution = models.CharField(
        _("with whom"), max_length=100, help_text=_("The relatives, the foster family or the institution.")
    )
    address = models.CharField(_("where"), max_length=200, blank=True)
    from_on = models.DateField(_("since"))
    to_on = models.DateField(_("until"), null=True, blank=True)
    review_on = models.DateField(_("review on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("temporary placement")
        verbose_name_plural = _("temporary placements")
        ordering = ["-from_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["child"], condition=Q(to_on__isnull=True), name="placement_one_open"),
            models.CheckConstraint(
                condition=Q(to_on__isnull=True) | Q(to_on__gte=F("from_on")), name="placement_ends_after_start"
            ),
        ]
        indexes = [
            # Reviews of current placements coming due (daily sweep, civil-affairs worklist).
            models.Index(
                fields=["review_on"],
                condition=Q(to_on__isnull=True, review_on__isnull=False),
                name="placement_review_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.institution} {self.from_on}"

    @property
    def is_current(self) -> bool:
        return self.to_on is None
