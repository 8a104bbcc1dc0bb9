import uuid

from django.conf import settings
from django.db import models
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from accounts.models import Area

from . import rules
from .categories import Category

User = settings.AUTH_USER_MODEL


def upload_to_random(instance, filename: str) -> str:
    """Uploads get a random name; the original name never reaches the file system."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"uploads/{instance._meta.model_name}/{uuid.uuid4().hex}.{ext[:8]}"


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class ArchiveStatus(models.TextChoices):
    # Context-qualified: a closed archive (已销档) is not a closed report or referral (tests/test_status_labels.py).
    OPEN = "open", pgettext_lazy("archive status", "Open")
    CLOSED = "closed", pgettext_lazy("archive status", "Closed")


class CloseReason(models.TextChoices):
    TURNED_18 = "turned_18", _("Turned 18")
    NOT_ELIGIBLE = "not_eligible", _("No longer eligible")
    MOVED_AWAY = "moved_away", _("Moved away")
    DECEASED = "deceased", _("Deceased")


class Colour(models.TextChoices):
    """Four-colour management (四色管理, seed 002): red is the most urgent."""

    RED = "red", _("Red")
    ORANGE = "orange", _("Orange")
    YELLOW = "yellow", _("Yellow")
    GREEN = "green", _("Green")


# The children list's "by colour" order, most urgent first; an index of the same expression serves it.
COLOUR_RANK = Case(
    When(colour=Colour.RED, then=Value(0)),
    When(colour=Colour.ORANGE, then=Value(1)),
    When(colour=Colour.YELLOW, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


class RiskGrade(models.TextChoices):
    LOW = "low", _("Low risk")
    MEDIUM = "medium", _("Medium risk")
    HIGH = "high", _("High risk")


class Enrolment(models.TextChoices):
    NOT_SCHOOL_AGE = "not_school_age", _("Not yet of school age")
    PRESCHOOL = "preschool", _("In kindergarten")
    ENROLLED = "enrolled", _("In school")
    HOME_SCHOOLING = "home_schooling", _("Taught at home")
    SUSPENDED = "suspended", _("Suspended schooling")
    DROPPED_OUT = "dropped_out", _("Dropped out")
    FINISHED = "finished", _("Finished compulsory education")


class Health(models.TextChoices):
    HEALTHY = "healthy", _("Healthy")
    ILL = "ill", _("Ill")
    SERIOUSLY_ILL = "seriously_ill", _("Seriously ill")


class Disability(models.TextChoices):
    NONE = "", _("None")
    VISUAL = "visual", _("Visual")
    HEARING = "hearing", _("Hearing")
    SPEECH = "speech", _("Speech")
    PHYSICAL = "physical", _("Physical")
    INTELLECTUAL = "intellectual", _("Intellectual")
    MENTAL = "mental", _("Mental")
    MULTIPLE = "multiple", _("Multiple")


class DisabilityGrade(models.IntegerChoices):
    GRADE_1 = 1, _("Grade 1 (most severe)")
    GRADE_2 = 2, _("Grade 2")
    GRADE_3 = 3, _("Grade 3")
    GRADE_4 = 4, _("Grade 4")


# History of the tables the roster import fills in bulk (children/bulk.py): the history user is not a foreign-key
# constraint, which would cost one check per history row at commit (users are never deleted; the id stays).
BULK_HISTORY = {"user_db_constraint": False}


class Child(models.Model):
    name = models.CharField(_("name"), max_length=50)
    # Indexed in Meta (a pattern index and the partial unique one), not here: the history table needs neither.
    id_number = models.CharField(_("ID number"), max_length=18)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("date of birth"))
    ethnicity = models.CharField(_("ethnic group"), max_length=20, blank=True, default="汉族")
    # `village_id` is the village's area code: scoping by subtree is a prefix match on this column.
    village = models.ForeignKey(
        Area, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    address = models.CharField(_("address"), max_length=200, blank=True)

    status = models.CharField(
        _("archive status"), max_length=10, choices=ArchiveStatus.choices, default=ArchiveStatus.OPEN
    )
    close_reason = models.CharField(_("reason for closing"), max_length=20, choices=CloseReason.choices, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    colour = models.CharField(_("colour grade"), max_length=10, choices=Colour.choices, default=Colour.GREEN)
    # Bitmask of the categories currently held (children/categories.py), kept by services.
    category_flags = models.BigIntegerField(_("current categories"), default=0, editable=False)
    # Bitmask of the parents' situations (children/categories.py PARENT_SITUATION_BITS), kept by services.
    parent_flags = models.BigIntegerField(_("parents' situations"), default=0, editable=False)
    # Latest guardianship risk grade (guardianship/ assessments write it); blank = not assessed.
    risk_grade = models.CharField(
        _("guardianship risk"), max_length=10, choices=RiskGrade.choices, blank=True, editable=False
    )

    enrolment = models.CharField(_("enrolment"), max_length=20, choices=Enrolment.choices, blank=True)
    school = models.CharField(_("school"), max_length=100, blank=True)
    grade = models.CharField(_("grade or class"), max_length=30, blank=True)

    health = models.CharField(_("health"), max_length=20, choices=Health.choices, default=Health.HEALTHY)
    health_notes = models.CharField(_("health notes"), max_length=200, blank=True)
    disability = models.CharField(_("disability type"), max_length=20, choices=Disability.choices, blank=True)
    disability_grade = models.PositiveSmallIntegerField(
        _("disability grade"), choices=DisabilityGrade.choices, null=True, blank=True
    )

    notes = models.TextField(_("notes"), blank=True)
    registered_on = models.DateField(_("registered on"))
    # Not indexed: nothing lists children by who registered them, and users are never deleted.
    created_by = models.ForeignKey(
        User,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Optimistic locking: every save through services increments it; a stale form is refused.
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(
        excluded_fields=["updated_at", "version"], no_db_index=["village", "created_by"], **BULK_HISTORY
    )

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")
        constraints = [
            # One open archive per ID number, anywhere in the country.
            models.UniqueConstraint(
                fields=["id_number"], condition=Q(status="open"), name="child_unique_open_id_number"
            ),
        ]
        indexes = [
            # The children list: scope prefix on village_id, open archives, newest first.
            models.Index(fields=["village", "status", "-id"], name="child_scope_idx"),
            # Possible-duplicate warning: same name, birth date and sex.
            models.Index(fields=["name", "birth_date"], name="child_name_birth_idx"),
            # Prefix matches (LIKE 'code%') whatever the database's collation: the area scope on village_id and the
            # ID-number search; equality too (closed archives, which the partial unique index leaves out).
            models.Index(fields=["village"], opclasses=["varchar_pattern_ops"], name="child_village_pattern_idx"),
            models.Index(fields=["id_number"], opclasses=["varchar_pattern_ops"], name="child_id_number_pattern_idx"),
            # The children list's other orders of open archives (by colour, by age), read in index order with any
            # filter (a category, a province scope) applied on the way: the first page without sorting every match.
            models.Index(COLOUR_RANK, F("id").desc(), condition=Q(status="open"), name="child_open_colour_idx"),
            models.Index(
                F("birth_date").desc(), F("id").desc(), condition=Q(status="open"), name="child_open_birth_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status == ArchiveStatus.OPEN


class ChildCategory(models.Model):
    """A category held by a child over a period; the current ones have no end date."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="categories")
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    started_on = models.DateField(_("since"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords(**BULK_HISTORY)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["ended_on", "-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "category"], condition=Q(ended_on__isnull=True), name="childcategory_one_current"
            ),
        ]

    def __str__(self) -> str:
        return self.get_category_display()


class Relation(models.TextChoices):
    FATHER = "father", _("Father")
    MOTHER = "mother", _("Mother")
    GRANDPARENT = "grandparent", _("Grandparent")
    SIBLING = "sibling", _("Sibling")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    OTHER = "other", _("Other")


class ParentSituation(models.TextChoices):
    NORMAL = "normal", _("At home, no special situation")
    WORKING_AWAY = "working_away", _("Working away from home")
    SEVERE_DISABILITY = "severe_disability", _("Severe disability")
    SERIOUS_ILLNESS = "serious_illness", _("Serious illness")
    IMPRISONED = "imprisoned", _("Imprisoned")
    COMPULSORY_REHAB = "compulsory_rehab", _("In compulsory drug rehabilitation")
    MISSING = "missing", _("Missing or out of contact")
    DEAD = "dead", _("Dead")


class ContactFrequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("At least weekly")
    MONTHLY = "monthly", _("At least monthly")
    RARELY = "rarely", _("Less than monthly")
    NEVER = "never", _("No contact")


class FamilyMember(models.Model):
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="family")
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    name = models.CharField(_("name"), max_length=50)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_guardian = models.BooleanField(_("is a guardian"), default=False)
    situation = models.CharField(
        _("situation"), max_length=20, choices=ParentSituation.choices, default=ParentSituation.NORMAL
    )
    work_destination = models.CharField(_("working where"), max_length=100, blank=True)
    away_since = models.DateField(_("away since"), null=True, blank=True)
    contact_frequency = models.CharField(
        _("contact with the child"), max_length=10, choices=ContactFrequency.choices, blank=True
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords(**BULK_HISTORY)

    class Meta:
        verbose_name = _("family member")
        verbose_name_plural = _("family members")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_relation_display()} {self.name}"


class EntrustedCare(models.Model):
    """The entrusted caregiver (委托照护人) of a left-behind child and the signed agreement (委托照护协议书)."""

    child = models.OneToOneField(Child, on_delete=models.PROTECT, related_name="entrusted_care")
    caregiver_name = models.CharField(_("caregiver"), max_length=50)
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    agreement_signed = models.BooleanField(_("agreement signed"), default=False)
    agreement_date = models.DateField(_("agreement date"), null=True, blank=True)
    agreement_scan = models.FileField(_("scanned agreement"), upload_to=upload_to_random, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("entrusted care")
        verbose_name_plural = _("entrusted care")

    def __str__(self) -> str:
        return self.caregiver_name


class WelfareKind(models.TextChoices):
    DIBAO = "dibao", _("Minimum living allowance")
    TEKUN = "tekun", _("Support for the extremely poor")
    TEMPORARY = "temporary", _("Temporary assistance")
    ORPHAN_ALLOWANCE = "orphan_allowance", _("Orphan living allowance")
    REHABILITATION = "rehabilitation", _("Rehabilitation aid")
    EDUCATION = "education", _("Education aid")


class WelfareCoverage(models.Model):
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="welfare")
    kind = models.CharField(_("kind"), max_length=20, choices=WelfareKind.choices)
    started_on = models.DateField(_("since"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    monthly_amount = models.DecimalField(
        _("monthly amount (yuan)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("welfare coverage")
        verbose_name_plural = _("welfare coverage")
        ordering = ["ended_on", "-started_on"]

    def __str__(self) -> str:
        return self.get_kind_display()


class ColourChange(models.Model):
    """History of the four-colour grade; the current grade is also on Child.colour."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="colour_changes")
    colour = models.CharField(_("colour grade"), max_length=10, choices=Colour.choices)
    changed_on = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    changed_by = models.ForeignKey(User, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("colour change")
        verbose_name_plural = _("colour changes")
        ordering = ["-changed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_colour_display()} {self.changed_on}"


class Problem(models.Model):
    """A problem found and its solution (发现问题和解决方案)."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="problems")
    found_on = models.DateField(_("found on"))
    description = models.TextField(_("problem"))
    solution = models.TextField(_("solution"), blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("problem and solution")
        verbose_name_plural = _("problems and solutions")
        ordering = ["-found_on", "-id"]

    def __str__(self) -> str:
        return self.description[:30]


class CareKind(models.TextChoices):
    MATERIAL = "material", _("Material help")
    PSYCHOLOGICAL = "psychological", _("Psychological support")
    STUDY = "study", _("Help with study")
    MEDICAL = "medical", _("Medical help")
    LEGAL = "legal", _("Legal help")
    POLICY = "policy", _("Policy delivery")
    OTHER = "other", _("Other")


class CareRecord(models.Model):
    """Care and assistance given (关爱帮扶记录)."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="care_records")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=CareKind.choices)
    description = models.TextField(_("what was done"))
    provider = models.CharField(_("provided by"), max_length=100, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("care record")
        verbose_name_plural = _("care records")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"


class WorkLogEntry(models.Model):
    """The work log (工作日志) kept on a child's archive."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="work_log")
    date = models.DateField(_("date"))
    content = models.TextField(_("content"))
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("work log entry")
        verbose_name_plural = _("work log")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date} {self.content[:30]}"


class Transfer(models.Model):
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="transfers")
    from_village = models.ForeignKey(Area, verbose_name=_("from"), on_delete=models.PROTECT, related_name="+")
    to_village = models.ForeignKey(Area, verbose_name=_("to"), on_delete=models.PROTECT, related_name="+")
    transferred_on = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200)
    transferred_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-transferred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.from_village_id} → {self.to_village_id}"


class TransferRequestStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("transfer request", "Pending")
    ACCEPTED = "accepted", pgettext_lazy("transfer request", "Accepted")
    DECLINED = "declined", pgettext_lazy("transfer request", "Declined")
    WITHDRAWN = "withdrawn", pgettext_lazy("transfer request", "Withdrawn")


class TransferRequest(models.Model):
    """A request to the county holding a child's archive to transfer the child into the requester's area (迁入申请),
    made when registering finds the child already registered elsewhere. The holding county's civil-affairs staff
    accept (the child is transferred: `Transfer` and the archive's history keep it) or decline with a reason.

    The requester never sees the archive before acceptance: their pages show the name they typed (`name_given`)
    and the office asked (`holding_county`), not the archive's data."""

    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="transfer_requests"
    )
    name_given = models.CharField(_("name as entered"), max_length=50)
    holding_county = models.ForeignKey(
        Area, verbose_name=_("requested from"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    requested_by = models.ForeignKey(
        User, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    to_village = models.ForeignKey(
        Area, verbose_name=_("to village"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(
        _("status"), max_length=10, choices=TransferRequestStatus.choices, default=TransferRequestStatus.PENDING
    )
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    history = HistoricalRecords(no_db_index=["holding_county", "requested_by", "to_village", "decided_by"])

    class Meta:
        verbose_name = _("transfer request")
        verbose_name_plural = _("transfer requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One pending request per child and requester (asking again while one waits adds nothing).
            models.UniqueConstraint(
                fields=["child", "requested_by"], condition=Q(status="pending"), name="transferrequest_one_pending"
            ),
        ]
        indexes = [
            # A requester's own requests, newest first.
            models.Index(fields=["requested_by", "-created_at"], name="transferrequest_requester_idx"),
            # Requests a civil-affairs user decided, newest first.
            models.Index(fields=["decided_by", "-decided_at"], name="transferrequest_decider_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name_given} → {self.to_village_id}"


class AccessAction(models.TextChoices):
    VIEW = "view", _("Viewed the archive")
    EXPORT = "export", _("Exported")
    PDF = "pdf", _("Printed to PDF")
    DOWNLOAD = "download", _("Downloaded a file")
    EDIT = "edit", _("Opened or saved a change")
    LOOKUP = "lookup", _("Found as a duplicate when registering")


class AccessLog(models.Model):
    """Who looked at or took out which child's data. Read by civil-affairs staff."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey(Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=10, choices=AccessAction.choices)
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    # The API client whose call this was (api.ApiClient; `user` is then its service account), else empty.
    client = models.ForeignKey(
        "api.ApiClient",
        verbose_name=_("API client"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["child", "-at"], name="accesslog_child_idx")]

    # django-guardian object permissions with direct foreign keys: explicit shares of one child
    # (e.g. with a referral's receiving department) are joined on an integer column, not a string object_pk.

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} {self.child_id}"


class ChildUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Child, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False


class ChildGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Child, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False


class JobKind(models.TextChoices):
    IMPORT_PREVIEW = "import_preview", _("Import check (dry run)")
    IMPORT = "import", _("Import of children")
    ARCHIVES = "archives", _("Archives as PDF (zip)")
    SCHEDULES = "schedules", _("Recomputing visit schedules")


class JobState(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("job state", "Waiting")
    RUNNING = "running", pgettext_lazy("job state", "Running")
    DONE = "done", pgettext_lazy("job state", "Finished")
    FAILED = "failed", pgettext_lazy("job state", "Failed")


def job_file_path(instance, filename: str) -> str:
    """Job inputs and outputs live in their own private folder with random names."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"jobs/{uuid.uuid4().hex}.{ext[:8]}"


class Job(models.Model):
    """Work a user started that may run in the background (imports, PDF batches, the visit schedules a changed rule
    set recomputes), with its progress and result.

    Only the user who started a job sees it. Large jobs run on a Celery worker; the page refreshes until done."""

    kind = models.CharField(_("kind"), max_length=20, choices=JobKind.choices)
    state = models.CharField(_("state"), max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+")
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    source = models.FileField(_("uploaded file"), upload_to=job_file_path, blank=True, max_length=200)
    source_name = models.CharField(_("file name"), max_length=200, blank=True)
    output = models.FileField(_("result file"), upload_to=job_file_path, blank=True, max_length=200)
    output_name = models.CharField(_("result file name"), max_length=200, blank=True)
    phase = models.CharField(_("phase"), max_length=100, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    summary = models.JSONField(_("result"), default=dict, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-id"]
        indexes = [models.Index(fields=["user", "-id"], name="job_user_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.state == JobState.DONE:
            return 100
        return min(99, int(100 * self.done / self.total)) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)


class IdentificationRules(models.Model):
    """A region's rules for telling a child's categories from the facts (精准识别) and for ending them by age: the
    nearest set to the child's village applies (longest area-code prefix; no area = the default). Read by
    children.rules (the pure rule) through children.identification; shipped in fixtures/identification_rules.json."""

    name = models.CharField(_("name"), max_length=100)
    area = models.OneToOneField(
        Area,
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="identification_rules",
    )
    # The area's code prefix (empty for the default), matched against the child's village code.
    prefix = models.CharField(max_length=12, blank=True, editable=False, unique=True)
    left_behind_max_age = models.PositiveSmallIntegerField(
        _("left-behind categories end at this age"),
        default=rules.LEFT_BEHIND_MAX_AGE,
        help_text=_("16 by national policy (国发〔2016〕13号); a region may set its own."),
    )
    left_behind_months_away = models.PositiveSmallIntegerField(
        _("parents away at least this many months"),
        default=rules.LEFT_BEHIND_MONTHS_AWAY,
        help_text=_("003 §8: 连续 3 个月以上"),
    )
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("identification rules")
        verbose_name_plural = _("identification rules")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.prefix = self.area.prefix if self.area_id else ""
        super().save(*args, **kwargs)


class ProposalAction(models.TextChoices):
    ADD = "add", pgettext_lazy("category proposal", "Add")
    END = "end", pgettext_lazy("category proposal", "End")


class CategoryProposalStatus(models.TextChoices):
    # Context-qualified: its words are not those of another model's statuses (tests/test_status_labels.py).
    PENDING = "pending", pgettext_lazy("category proposal", "Awaiting confirmation")
    CONFIRMED = "confirmed", pgettext_lazy("category proposal", "Confirmed and applied")
    DISMISSED = "dismissed", pgettext_lazy("category proposal", "Dismissed")
    LAPSED = "lapsed", pgettext_lazy("category proposal", "No longer implied by the facts")


class CategoryProposal(models.Model):
    """The recorded facts and the categories held disagree (children.rules.proposals): add or end a category?
    Nothing changes the categories until someone who edits the archive confirms (children.identification
    .proposal_confirm, through category_add / category_end) or dismisses it with a reason. A pending proposal the
    facts no longer imply lapses; a dismissed one is not proposed again for the same facts."""

    # Indexed by categoryproposal_one_pending and categoryproposal_child_idx, whose first column is the child.
    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="category_proposals", db_index=False
    )
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    action = models.CharField(_("proposed change"), max_length=5, choices=ProposalAction.choices)
    # The facts that imply it: codes of children.rules.FACT_LABELS, comma-separated.
    facts = models.CharField(_("facts"), max_length=300)
    status = models.CharField(
        _("status"), max_length=10, choices=CategoryProposalStatus.choices, default=CategoryProposalStatus.PENDING
    )
    reason = models.CharField(_("reason for dismissing"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    history = HistoricalRecords(no_db_index=["decided_by"], **BULK_HISTORY)

    class Meta:
        verbose_name = _("category proposal")
        verbose_name_plural = _("category proposals")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One pending proposal per child, category and change: proposing again (the sweep, a second save) adds
            # nothing.
            models.UniqueConstraint(
                fields=["child", "category", "action"],
                condition=Q(status="pending"),
                name="categoryproposal_one_pending",
            ),
        ]
        indexes = [
            # The pending list of an area (joined to children by id) and the archive page's box: by child, status.
            models.Index(fields=["child", "status"], name="categoryproposal_child_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.get_category_display()}"

    @property
    def fact_codes(self) -> list[str]:
        return [c for c in self.facts.split(",") if c]
