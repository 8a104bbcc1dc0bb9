"""Departments' list submissions (issue 16): education's enrolment and dropout list, police's detained or rescued
adults with children and deaths, health's serious illnesses, the disabled persons' federation's register, welfare
rolls. A source (one department's list of one kind) submits complete lists, by the API or an upload; each is matched
against every archive and diffed against the source's previous submission (exchange.matching). Changes of registered
children become proposals to their director (ChangeProposal), which a person confirms or dismisses: nothing changes
an archive by itself. Basis: 数据共享、主动发现 (000 #53, 001 §23, 003 §18, 004 §18); police asking detained or rescued
adults about children left without care (000 #15–16); 控辍保学 一人一案 (004 §10)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from accounts.models import Area, Department
from children.models import BULK_HISTORY, Child

User = settings.AUTH_USER_MODEL


class ListKind(models.TextChoices):
    SCHOOL = "school", _("School enrolment and dropouts")
    POLICE = "police", _("Detained or rescued adults with children, and deaths")
    HEALTH = "health", _("Serious illnesses")
    DISABILITY = "disability", _("Disability register")
    WELFARE = "welfare", _("Welfare roll")


class RowStatus(models.TextChoices):
    """What a row says about the child (the canonical codes; a mapping profile translates a department's own)."""

    ENROLLED = "enrolled", _("In school")
    DROPPED_OUT = "dropped_out", _("Left school")
    PARENT_DETAINED = "parent_detained", _("Parent detained or rescued")
    PARENT_RETURNED = "parent_returned", _("Parent returned home")
    DIED = "died", _("Died")
    SERIOUSLY_ILL = "seriously_ill", _("Seriously ill")
    DISABLED = "disabled", _("Disabled")
    ON_ROLL = "on_roll", _("On the welfare roll")


class MappingProfile(models.Model):
    """How a department's spreadsheet or JSON reads (data, not code): for each field of a row (name, id_number,
    birth_date, status, relation, parent_name) the column headers that hold it, the code lists that translate its
    values (e.g. 辍学 -> dropped_out), and the date formats tried before the usual ones. A province adds another
    system's template (e.g. 全国儿童福利信息系统) in the admin."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    area = models.ForeignKey(
        Area, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    columns = models.JSONField(_("columns"), default=dict)
    codes = models.JSONField(_("code lists"), default=dict, blank=True)
    date_formats = models.JSONField(_("date formats"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("column-mapping profile")
        verbose_name_plural = _("column-mapping profiles")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Source(models.Model):
    """One department's list of one kind. A scheduled source (`expected_every_days` set) that posts nothing for
    longer is flagged to the area's civil-affairs staff, once per lapse (exchange.silence)."""

    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="list_sources"
    )
    kind = models.CharField(_("list"), max_length=20, choices=ListKind.choices)
    expected_every_days = models.PositiveSmallIntegerField(
        _("expected at least every (days)"),
        null=True,
        blank=True,
        help_text=_("Empty: the department submits when it has something. E.g. 31 for a monthly list."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # The last submission's time (kept by the service): the silence sweep reads it without a join.
    last_received_at = models.DateTimeField(_("last received at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("list source")
        verbose_name_plural = _("list sources")
        ordering = ["department_id", "kind"]
        constraints = [models.UniqueConstraint(fields=["department", "kind"], name="source_one_per_department_kind")]

    def __str__(self) -> str:
        return f"{self.department} · {self.get_kind_display()}"


class Via(models.TextChoices):
    API = "api", _("API")
    UPLOAD = "upload", _("Upload")


class Submission(models.Model):
    """One complete list from a source, with the figures of its matching."""

    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="submissions")
    previous = models.ForeignKey(
        "self", verbose_name=_("previous submission"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    via = models.CharField(_("received by"), max_length=10, choices=Via.choices)
    profile = models.ForeignKey(
        MappingProfile, verbose_name=_("profile"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    client_id = models.PositiveIntegerField(null=True, blank=True)  # the API client, when posted with a key
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    rows_n = models.PositiveIntegerField(_("rows"), default=0)
    matched_n = models.PositiveIntegerField(_("registered"), default=0)
    candidates_n = models.PositiveIntegerField(_("candidates"), default=0)
    changed_n = models.PositiveIntegerField(_("changed since the previous list"), default=0)
    gone_n = models.PositiveIntegerField(_("no longer on the list"), default=0)
    proposals_n = models.PositiveIntegerField(_("proposals"), default=0)
    # The unregistered children who may need help, screened as any outside list's candidates (oversight.discovery).
    outside_list = models.OneToOneField(
        "oversight.OutsideList", null=True, blank=True, on_delete=models.PROTECT, related_name="submission"
    )

    class Meta:
        verbose_name = _("list submission")
        verbose_name_plural = _("list submissions")
        ordering = ["-received_at", "-id"]
        indexes = [
            # A source's submissions, newest first (the previous one, the page of the source).
            models.Index(fields=["source", "-id"], name="submission_source_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.received_at:%Y-%m-%d}"


class SubmissionRow(models.Model):
    """One row of a submission. `key` identifies the person (and the parent, for parent rows) across submissions of
    a source: the ID number, or the name and date of birth; the diff joins on (submission, key)."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="rows", db_index=False)
    row_number = models.PositiveIntegerField(_("row"))
    name = models.CharField(_("name"), max_length=50)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=RowStatus.choices)
    relation = models.CharField(_("parent"), max_length=10, blank=True)
    parent_name = models.CharField(_("parent's name"), max_length=50, blank=True)
    key = models.CharField(max_length=80)
    child = models.ForeignKey(Child, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    matched_by = models.CharField(_("matched by"), max_length=12, blank=True)
    # The status the source's previous submission gave this key; null: not on the previous list.
    previous_status = models.CharField(max_length=20, null=True, blank=True)

    class Meta:
        verbose_name = _("submission row")
        verbose_name_plural = _("submission rows")
        ordering = ["row_number"]
        indexes = [
            # The diff: the previous submission's row of the same key (one index lookup per row).
            models.Index(fields=["submission", "key"], name="submissionrow_key_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.submission_id}:{self.row_number}"


class ChangeKind(models.TextChoices):
    DROPOUT = "dropout", _("Left school: add the dropout category, then a return-to-school plan")
    PARENT_DETAINED = "parent_detained", _("Parent detained: poor guardianship and a visit within days")
    PARENT_RETURNED = "parent_returned", _("Parent returned: end the left-behind category")
    DIED = "died", _("Died: close the archive")
    SERIOUSLY_ILL = "seriously_ill", _("Seriously ill: record it and add the serious-illness category")
    DISABLED = "disabled", _("Disabled: add the disability category")
    WELFARE_STARTED = "welfare_started", _("On the welfare roll: record the welfare coverage")
    WELFARE_ENDED = "welfare_ended", _("Off the welfare roll: end the welfare coverage")


class ChangeStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("list change", "Awaiting the director")
    CONFIRMED = "confirmed", pgettext_lazy("list change", "Confirmed")
    DISMISSED = "dismissed", pgettext_lazy("list change", "Dismissed")


class ChangeProposal(models.Model):
    """A change a department's list reports for a registered child, for the director to confirm (the archive is
    then changed through the children services, or an approval requested where the region asks for one) or dismiss
    with a reason."""

    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="list_changes", db_index=False
    )
    kind = models.CharField(_("change"), max_length=20, choices=ChangeKind.choices)
    relation = models.CharField(_("parent"), max_length=10, blank=True)
    row = models.ForeignKey(SubmissionRow, verbose_name=_("list row"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PENDING)
    reason = models.CharField(_("reason for dismissing"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        User, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # A detained parent: the home visit the confirmation asks for, by this date.
    visit_due_on = models.DateField(_("visit by"), null=True, blank=True)
    visit_reminded = models.BooleanField(default=False)
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    history = HistoricalRecords(**BULK_HISTORY)

    class Meta:
        verbose_name = _("change from a list")
        verbose_name_plural = _("changes from lists")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One pending proposal per child, change and parent: a list repeating itself adds nothing.
            models.UniqueConstraint(
                fields=["child", "kind", "relation"], condition=Q(status="pending"), name="changeproposal_one_pending"
            ),
        ]
        indexes = [
            # A director's pending list (joined to the visible children by id) and the archive page.
            models.Index(fields=["child", "status"], name="changeproposal_child_idx"),
            # The reminder sweep: confirmed detentions whose visit is due.
            models.Index(
                fields=["visit_due_on"],
                condition=Q(visit_due_on__isnull=False, visit_reminded=False),
                name="changeproposal_visit_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()
