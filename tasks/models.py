"""The department task matrix of the three-year action plans (DOMAIN.md §5).

Plan → actions (行动 / 工程) → tasks → one assignment per responsible department, with status and history.
"Task" alone is Celery's word; the model is PlanTask.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from accounts.models import Area, Department
from children.models import upload_to_random

User = settings.AUTH_USER_MODEL


class Plan(models.Model):
    seed = models.CharField(_("source document"), max_length=20, unique=True)
    region = models.ForeignKey(Area, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    start_year = models.PositiveSmallIntegerField(_("from year"))
    end_year = models.PositiveSmallIntegerField(_("to year"))
    # MM-DD of the departments' yearly progress report to civil affairs (Putuo: 11-15), blank if none.
    report_deadline = models.CharField(_("yearly report due (MM-DD)"), max_length=5, blank=True)
    report_deadline_text = models.TextField(_("report deadline as written"), blank=True)

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        ordering = ["seed"]

    def __str__(self) -> str:
        return self.title

    def assignments_exist_for(self, department_id: int) -> bool:
        return Assignment.objects.filter(task__action__plan=self, department_id=department_id).exists()


class Phase(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="phases")
    name = models.CharField(_("name"), max_length=50)
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("to"), null=True, blank=True)
    text = models.TextField(_("as written"), blank=True)

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["plan", "ends_on"]

    def __str__(self) -> str:
        return self.name


class Milestone(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="milestones")
    date = models.DateField(_("date"))
    text = models.TextField(_("as written"))

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["plan", "date"]

    def __str__(self) -> str:
        return f"{self.date} {self.text[:30]}"


class Action(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=100)
    original_title = models.CharField(_("as written"), max_length=200, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("plan", "action")
        verbose_name_plural = pgettext_lazy("plan", "actions")
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="action_unique_number")]

    def __str__(self) -> str:
        return self.name


class UnitRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    PARTICIPANT = "participant", _("Participating")


class ActionUnit(models.Model):
    """Jiangsu's 工程: lead (牵头) and participating departments of a whole action."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="units")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=12, choices=UnitRole.choices)
    original_name = models.CharField(_("as written"), max_length=100)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["action", "role", "order"]

    def __str__(self) -> str:
        return self.original_name


class Recurrence(models.TextChoices):
    YEARLY = "yearly", _("Every year")
    QUARTERLY = "quarterly", _("Every quarter")
    MONTHLY = "monthly", _("Every month")


class PlanTask(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="tasks")
    number = models.CharField(_("number"), max_length=10)
    order = models.PositiveSmallIntegerField(default=0)
    content = models.TextField(_("content"))
    target = models.TextField(_("measurable target"), blank=True)
    recurrence = models.CharField(_("recurs"), max_length=10, choices=Recurrence.choices, blank=True)
    recurrence_min_count = models.PositiveSmallIntegerField(_("at least … times a period"), null=True, blank=True)
    recurrence_text = models.CharField(_("recurrence as written"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("plan task")
        verbose_name_plural = _("plan tasks")
        ordering = ["action", "order"]

    def __str__(self) -> str:
        return f"{self.number}. {self.content[:40]}"


class Status(models.TextChoices):
    NOT_STARTED = "not_started", pgettext_lazy("task status", "Not started")
    IN_PROGRESS = "in_progress", pgettext_lazy("task status", "In progress")
    DONE = "done", pgettext_lazy("task status", "Done")
    BEHIND = "behind", pgettext_lazy("task status", "Behind")


class Assignment(models.Model):
    """One responsible department's share of one task, whose status the department's liaison keeps current."""

    task = models.ForeignKey(PlanTask, on_delete=models.CASCADE, related_name="assignments")
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="assignments"
    )
    original_name = models.CharField(_("unit as written"), max_length=100)
    order = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    updated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["task", "order"]
        constraints = [models.UniqueConstraint(fields=["task", "department"], name="assignment_once_per_department")]
        indexes = [models.Index(fields=["department", "status"], name="assignment_dept_status_idx")]

    def __str__(self) -> str:
        return f"{self.task} · {self.original_name}"


class ProgressNote(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="notes")
    date = models.DateField(_("date"))
    note = models.TextField(_("progress"))
    evidence = models.FileField(_("evidence"), upload_to=upload_to_random, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date} {self.note[:30]}"


class PeriodRecord(models.Model):
    """What a department did in one period of a recurring task (a year, quarter or month)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="period_records")
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    done_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    children_reached = models.PositiveIntegerField(_("children reached"), default=0)
    guardians_reached = models.PositiveIntegerField(_("guardians reached"), default=0)
    note = models.TextField(_("what was done"), blank=True)
    evidence = models.FileField(_("evidence"), upload_to=upload_to_random, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("period record")
        verbose_name_plural = _("period records")
        ordering = ["assignment", "period_start", "done_on"]
        indexes = [models.Index(fields=["assignment", "period_start"], name="periodrecord_period_idx")]

    def __str__(self) -> str:
        return f"{self.period_start}–{self.period_end}"


class YearlyReport(models.Model):
    """A department's yearly progress report to civil affairs under one plan (e.g. Putuo: by 15 November)."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="reports")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    summary = models.TextField(_("summary"))
    evidence = models.FileField(_("evidence"), upload_to=upload_to_random, blank=True)
    submitted_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("yearly progress report")
        verbose_name_plural = _("yearly progress reports")
        constraints = [models.UniqueConstraint(fields=["plan", "department", "year"], name="report_once_a_year")]

    def __str__(self) -> str:
        return f"{self.plan.seed} {self.department} {self.year}"
