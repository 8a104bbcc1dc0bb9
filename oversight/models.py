"""Oversight by civil affairs (issue 7): archive spot checks (抽查), the child-director ledger (信息台账) with
training records and yearly evaluations, activities (safety education, workstation activities, parents' training,
home schooling 送教上门) and proactive discovery (主动发现) from outside lists.

"Villages served" by a director is not stored here: it is the director's `User.areas` (village-level areas),
the same rows that decide which children the director may see, so the ledger and access can never disagree.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from accounts.models import Area, Department
from children.models import Child, upload_to_random

User = settings.AUTH_USER_MODEL


# ---------------------------------------------------------------- spot checks (抽查)

# The checklist of a spot check, in order: (field name, label).
CHECKLIST = [
    ("identity_verified", _("Identity verified")),
    ("categories_justified", _("Categories justified")),
    ("family_current", _("Family and caregiver current")),
    ("visits_on_time", _("Visits at the required frequency")),
    ("problems_solved", _("Problems have solutions")),
    ("welfare_checked", _("Welfare checked")),
]


class SpotCheck(models.Model):
    """A county's spot check of archives. The sample is drawn per township from `seed`, so it can be redrawn
    and verified."""

    county = models.ForeignKey(Area, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    started_on = models.DateField(_("started on"))
    seed = models.BigIntegerField(_("random seed"))
    per_township = models.PositiveIntegerField(_("archives per township"), null=True, blank=True)
    share_percent = models.PositiveSmallIntegerField(_("share of archives (%)"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    created_by = models.ForeignKey(User, verbose_name=_("started by"), null=True, on_delete=models.SET_NULL)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("spot check")
        verbose_name_plural = _("spot checks")
        ordering = ["-started_on", "-id"]
        indexes = [
            # The yearly record: did this county do one in this year?
            models.Index(fields=["county", "year"], name="spotcheck_county_year_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(per_township__isnull=False) | Q(share_percent__isnull=False),
                name="spotcheck_size_or_share",
            )
        ]

    def __str__(self) -> str:
        return f"{self.county} {self.started_on:%Y-%m-%d}"


class SpotCheckItem(models.Model):
    """One sampled archive and its checklist (None: not yet checked)."""

    spot_check = models.ForeignKey(SpotCheck, on_delete=models.PROTECT, related_name="items")
    child = models.ForeignKey(Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="+")
    township = models.ForeignKey(Area, verbose_name=_("township"), on_delete=models.PROTECT, related_name="+")
    identity_verified = models.BooleanField(_("Identity verified"), null=True)
    categories_justified = models.BooleanField(_("Categories justified"), null=True)
    family_current = models.BooleanField(_("Family and caregiver current"), null=True)
    visits_on_time = models.BooleanField(_("Visits at the required frequency"), null=True)
    problems_solved = models.BooleanField(_("Problems have solutions"), null=True)
    welfare_checked = models.BooleanField(_("Welfare checked"), null=True)
    passed = models.BooleanField(_("passed"), null=True, editable=False)
    notes = models.TextField(_("notes"), blank=True)
    checked_on = models.DateField(_("checked on"), null=True, blank=True)
    checked_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("spot-checked archive")
        verbose_name_plural = _("spot-checked archives")
        ordering = ["township_id", "child_id"]
        constraints = [models.UniqueConstraint(fields=["spot_check", "child"], name="spotcheckitem_unique_child")]

    def __str__(self) -> str:
        return f"{self.spot_check_id}:{self.child_id}"


class Finding(models.Model):
    """A problem a spot check found in an archive: a task for the child's directors, who close it."""

    item = models.ForeignKey(SpotCheckItem, on_delete=models.PROTECT, related_name="findings")
    child = models.ForeignKey(Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="+")
    description = models.TextField(_("finding"))
    due_on = models.DateField(_("due by"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_note = models.CharField(_("what was done"), max_length=300, blank=True)
    done_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("spot-check finding")
        verbose_name_plural = _("spot-check findings")
        ordering = ["due_on", "id"]
        # A director's open findings: their children's, not done.
        indexes = [models.Index(fields=["child", "done_on"], name="finding_child_open_idx")]

    def __str__(self) -> str:
        return self.description[:30]


# ---------------------------------------------------------------- the child-director ledger (信息台账)


class Qualification(models.TextChoices):
    NONE = "", _("None")
    ASSISTANT = "assistant", _("Assistant social worker")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    SENIOR = "senior", _("Senior social worker")


class EntryCheckResult(models.TextChoices):
    NOT_CHECKED = "", _("Not checked")
    CLEAR = "clear", _("No record found")
    RECORD_FOUND = "record_found", _("Record found: may not serve")


class DirectorProfile(models.Model):
    """A child director's ledger entry. Villages served are the director's `User.areas`."""

    director = models.OneToOneField(User, on_delete=models.PROTECT, related_name="director_profile")
    appointed_on = models.DateField(_("appointed on"), null=True, blank=True)
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    qualification = models.CharField(
        _("social-worker qualification"), max_length=20, choices=Qualification.choices, blank=True
    )
    certificate_number = models.CharField(_("certificate number"), max_length=50, blank=True)
    entry_checked_on = models.DateField(_("employment-restriction check on"), null=True, blank=True)
    entry_check_result = models.CharField(
        _("employment-restriction check result"), max_length=20, choices=EntryCheckResult.choices, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("director ledger entry")
        verbose_name_plural = _("director ledger")

    def __str__(self) -> str:
        return str(self.director)


class ExamResult(models.TextChoices):
    NONE = "", _("No exam")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")


class Training(models.Model):
    """A training a director attended (培训档案). A director is "trained this year" with any training dated in
    the year."""

    director = models.ForeignKey(User, verbose_name=_("director"), on_delete=models.PROTECT, related_name="trainings")
    course = models.CharField(_("course"), max_length=200)
    date = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    exam_result = models.CharField(_("exam result"), max_length=10, choices=ExamResult.choices, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        ordering = ["-date", "-id"]
        # "Trained this year": does the director have a training in [Jan 1, Dec 31]?
        indexes = [models.Index(fields=["director", "date"], name="training_director_date_idx")]

    def __str__(self) -> str:
        return self.course


class Evaluation(models.Model):
    """The yearly evaluation's inputs that the system cannot compute: satisfaction entered by staff.
    The other parts (visits on time, activities, completeness, findings) are computed when shown."""

    director = models.ForeignKey(User, verbose_name=_("director"), on_delete=models.PROTECT, related_name="evaluations")
    year = models.PositiveSmallIntegerField(_("year"))
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction of the families served (0–100)"))
    comment = models.TextField(_("comment"), blank=True)
    entered_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.UniqueConstraint(fields=["director", "year"], name="evaluation_one_per_year"),
            models.CheckConstraint(condition=Q(satisfaction__lte=100), name="evaluation_satisfaction_max"),
        ]

    def __str__(self) -> str:
        return f"{self.director} {self.year}"


# ---------------------------------------------------------------- activities


class ActivityKind(models.TextChoices):
    SAFETY_EDUCATION = "safety_education", _("Safety-education event")
    WORKSTATION = "workstation", _("Workstation themed activity")
    PARENT_TRAINING = "parent_training", _("Parents' and guardians' training")
    HOME_SCHOOLING = "home_schooling", _("Home-schooling visit")


class Activity(models.Model):
    """An activity held in an area (a village, a township's workstation or a county)."""

    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    date = models.DateField(_("date"))
    area = models.ForeignKey(Area, verbose_name=_("held in"), on_delete=models.PROTECT, related_name="+")
    place = models.CharField(_("place"), max_length=200)
    organiser_department = models.ForeignKey(
        Department, verbose_name=_("organising department"), null=True, blank=True, on_delete=models.PROTECT
    )
    organiser = models.CharField(_("organiser (e.g. the workstation)"), max_length=100, blank=True)
    # The children's home or workstation where it was held (sites/), when it was held at one: in the same area.
    site = models.ForeignKey(
        "sites.Site",
        verbose_name=_("held at (site)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    topic = models.CharField(_("topic"), max_length=200)
    guardians = models.TextField(_("guardians who took part"), blank=True)
    guardian_count = models.PositiveIntegerField(_("number of guardians"), default=0)
    children = models.ManyToManyField(
        Child, verbose_name=_("children who took part"), blank=True, related_name="activities"
    )
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-date", "-id"]
        # Duty checks: activities of a kind in an area and a period.
        indexes = [models.Index(fields=["kind", "area", "date"], name="activity_kind_area_date_idx")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.topic}"


class ActivityPhoto(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="photos")
    image = models.FileField(_("photo"), upload_to=upload_to_random)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("activity photo")
        verbose_name_plural = _("activity photos")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.image.name


# ---------------------------------------------------------------- proactive discovery (主动发现)


class OutsideList(models.Model):
    """An outside list (school absences, welfare roll, disability register, police notification) matched
    against all archives."""

    title = models.CharField(_("list"), max_length=200)
    source = models.CharField(_("source"), max_length=100, blank=True)
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    extra_columns = models.JSONField(_("other columns"), default=list, blank=True)
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("outside list")
        verbose_name_plural = _("outside lists")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.title


class MatchKind(models.TextChoices):
    REGISTERED = "registered", _("Registered here")
    ELSEWHERE = "elsewhere", _("Registered elsewhere")
    CANDIDATE = "candidate", _("Not registered")


class Outcome(models.TextChoices):
    """The status of a candidate from an outside list."""

    OPEN = "open", pgettext_lazy("candidate status", "To be screened")
    SCREENED_IN = "screened_in", pgettext_lazy("candidate status", "Screened in (registered)")
    SCREENED_OUT = "screened_out", pgettext_lazy("candidate status", "Screened out")


class ListRow(models.Model):
    """One person of an outside list. `child` is the matched archive; it is never shown when the archive lies
    outside the viewer's area (the row then only says "registered elsewhere")."""

    outside_list = models.ForeignKey(OutsideList, on_delete=models.PROTECT, related_name="rows")
    row_number = models.PositiveIntegerField(_("row"))
    name = models.CharField(_("name"), max_length=50)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    extra = models.JSONField(_("other columns"), default=dict, blank=True)
    match = models.CharField(_("match"), max_length=12, choices=MatchKind.choices)
    matched_by = models.CharField(_("matched by"), max_length=12, blank=True)
    child = models.ForeignKey(Child, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(
        Area, verbose_name=_("village"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_to = models.ForeignKey(
        User, verbose_name=_("assigned to"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_reason = models.CharField(_("reason"), max_length=300, blank=True)
    outcome_on = models.DateField(_("decided on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("outside-list row")
        verbose_name_plural = _("outside-list rows")
        ordering = ["row_number"]
        indexes = [
            # A director's candidates to screen.
            models.Index(fields=["assigned_to", "outcome"], name="listrow_assigned_idx"),
        ]

    def __str__(self) -> str:
        return self.name


# ---------------------------------------------------------------- the screening milestone (摸底排查 by 30 June 2024)


class ScreeningMilestone(models.Model):
    """A date by which a region's plan asks for the full screening to be done and the system updated (e.g. 001 §10:
    于2024年6月底前完成辖区内留守和困境儿童摸底排查). Data, shipped for the seeds that give one (visits of the
    duties page compare it with the screenings and registrations that happened); the nearest above a county wins."""

    area = models.OneToOneField(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("screening done by"))
    source = models.CharField(_("source"), max_length=100)
    clause = models.TextField(_("the clause's words"))
    # How the system reads the clause where it is not a plain date (e.g. 004's "2024年6月前"); empty when it is.
    reading = models.CharField(_("how the date is read"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("screening milestone")
        verbose_name_plural = _("screening milestones")
        ordering = ["area_id"]

    def __str__(self) -> str:
        return f"{self.area_id} {self.due_on}"
