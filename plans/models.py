"""Help plans (帮扶方案, 一人一案): needs found, goals, measures with owners and due dates, and reviews; and the
per-region rules naming the children who must have one.

Basis: "量身定制关爱帮扶方案" (000 #53, 001 §23, 004 §18); for dropouts "建立'一人一案'工作台账 … 做好劝返复学工作。
学校要做好劝返复学学生的教育工作，根据复学学生实际情况有针对性制定教学计划" (004 §10; also 001 §12, 003 §10).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from accounts.models import Area
from children.models import Child

User = settings.AUTH_USER_MODEL


class PlanRuleSet(models.Model):
    """Which children must have a help plan, in a region: applies to the subtree of its area, the longest matching
    code prefix wins (as visit rule sets do). No area = the default set."""

    name = models.CharField(_("name"), max_length=100)
    area = models.OneToOneField(
        Area, verbose_name=_("area"), null=True, blank=True, on_delete=models.PROTECT, related_name="plan_rule_set"
    )
    # The area's code prefix (empty for the default set): matching is a LIKE on the child's village code.
    prefix = models.CharField(max_length=12, blank=True, editable=False)
    source = models.CharField(_("source"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("help-plan rule set")
        verbose_name_plural = _("help-plan rule sets")
        constraints = [
            models.UniqueConstraint(fields=["prefix"], condition=Q(active=True), name="planruleset_one_active_per_area")
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.prefix = self.area.prefix if self.area_id else ""
        super().save(*args, **kwargs)


class PlanKind(models.TextChoices):
    GENERAL = "general", _("Help plan")
    RETURN_TO_SCHOOL = "return_to_school", _("Return-to-school plan")


class PlanRequirement(models.Model):
    """A child matches when every condition given holds (each condition: any of the values listed); a child matching
    any requirement of its region's set must have an open plan (of `plan_kind` when that is return to school)."""

    rule_set = models.ForeignKey(PlanRuleSet, on_delete=models.CASCADE, related_name="requirements")
    description = models.CharField(_("description"), max_length=200)
    source = models.CharField(_("source"), max_length=100, help_text=_("e.g. 004 §10"))
    # The source document's title and the clause's own words; a requirement with neither is the region's own choice
    # (or the system's default), and pages say so.
    document = models.CharField(_("source document (title)"), max_length=200, blank=True, default="")
    clause = models.TextField(_("the clause's words"), blank=True, default="")
    # Conditions: a bitmask over children/categories.py, and comma-separated codes.
    category_mask = models.BigIntegerField(_("any of these categories"), default=0)
    colours = models.CharField(_("colour grades"), max_length=50, blank=True)
    risk_grades = models.CharField(_("guardianship risk grades"), max_length=50, blank=True)
    enrolments = models.CharField(_("enrolment"), max_length=100, blank=True)
    plan_kind = models.CharField(_("plan required"), max_length=20, choices=PlanKind.choices, default=PlanKind.GENERAL)

    class Meta:
        verbose_name = _("help-plan requirement")
        verbose_name_plural = _("help-plan requirements")
        ordering = ["rule_set", "id"]

    def __str__(self) -> str:
        return self.description

    @property
    def is_local_choice(self) -> bool:
        return not (self.document and self.clause)


class PlanStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("help plan status", "Open")
    CLOSED = "closed", pgettext_lazy("help plan status", "Closed")


class HelpPlan(models.Model):
    """One child's help plan. A child has at most one open plan; closing happens only in plans.services.plan_close."""

    child = models.ForeignKey(Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="help_plans")
    kind = models.CharField(_("kind"), max_length=20, choices=PlanKind.choices, default=PlanKind.GENERAL)
    status = models.CharField(_("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.OPEN)
    summary = models.TextField(_("summary"), blank=True)
    opened_on = models.DateField(_("drawn up on"))
    # The person answering for the plan (责任人): measures owned by a paired helper or an organisation are in their
    # worklist, and reviews are reminded to them.
    lead = models.ForeignKey(User, verbose_name=_("responsible person"), on_delete=models.PROTECT, related_name="+")
    next_review_on = models.DateField(_("next review by"), null=True, blank=True)
    # Return to school (控辍保学, 004 §10): the school and the teacher answering for the child's follow-up there.
    school = models.CharField(_("school"), max_length=100, blank=True)
    school_contact = models.CharField(_("teacher responsible at the school"), max_length=100, blank=True)
    back_to_school_on = models.DateField(_("back in school on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    close_reason = models.TextField(_("reason for closing"), blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("help plan")
        verbose_name_plural = _("help plans")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["child"], condition=Q(status="open"), name="helpplan_one_open_per_child"),
        ]
        indexes = [
            # Reviews coming due (daily sweep): open plans with a date.
            models.Index(
                fields=["next_review_on"],
                condition=Q(status="open", next_review_on__isnull=False),
                name="helpplan_review_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.opened_on}"

    @property
    def is_open(self) -> bool:
        return self.status == PlanStatus.OPEN


class Need(models.Model):
    """A need found, linked to where it was found: a problem on the archive, an assessment's item, a visit."""

    plan = models.ForeignKey(HelpPlan, on_delete=models.CASCADE, related_name="needs")
    description = models.CharField(_("need"), max_length=300)
    problem = models.ForeignKey(
        "children.Problem",
        verbose_name=_("problem found"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assessment = models.ForeignKey(
        "guardianship.Assessment",
        verbose_name=_("guardianship assessment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assessment_item = models.ForeignKey(
        "guardianship.Item",
        verbose_name=_("assessment item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Kept by a constraint trigger, not a foreign key (visits are partitioned: config/partitions.py).
    visit = models.ForeignKey(
        "visits.Visit",
        verbose_name=_("visit observation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["plan", "id"]

    def __str__(self) -> str:
        return self.description


class Goal(models.Model):
    plan = models.ForeignKey(HelpPlan, on_delete=models.CASCADE, related_name="goals")
    need = models.ForeignKey(Need, verbose_name=_("need"), null=True, blank=True, on_delete=models.PROTECT)
    description = models.CharField(_("goal"), max_length=300)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["plan", "id"]

    def __str__(self) -> str:
        return self.description


class OwnerKind(models.TextChoices):
    STAFF = "staff", _("Child director or civil-affairs officer")
    DEPARTMENT = "department", _("A department, through a referral")
    HELPER = "helper", _("Paired helper")
    ORGANISATION = "organisation", _("Organisation")


class Measure(models.Model):
    """A measure with an owner and a due date, tracked until done (like a case conference's follow-up). Staff owners
    see it in their worklist; a department's liaisons through its referral; a helper's or an organisation's is in the
    plan's responsible person's worklist. Reminded when due, escalated to the county when overdue (plans.reminders)."""

    plan = models.ForeignKey(HelpPlan, on_delete=models.CASCADE, related_name="measures")
    goal = models.ForeignKey(Goal, verbose_name=_("goal"), null=True, blank=True, on_delete=models.PROTECT)
    description = models.CharField(_("measure"), max_length=300)
    owner_kind = models.CharField(_("carried out by"), max_length=20, choices=OwnerKind.choices)
    owner = models.ForeignKey(
        User, verbose_name=_("owner"), null=True, blank=True, on_delete=models.PROTECT, related_name="plan_measures"
    )
    referral = models.ForeignKey(
        "guardianship.Referral",
        verbose_name=_("referral"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plan_measures",
    )
    # A paired helper or an organisation: from the registries of pairing/ where registered (the name is copied), else
    # by name only.
    helper = models.ForeignKey(
        "pairing.Helper", verbose_name=_("helper"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "pairing.Organisation",
        verbose_name=_("social organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner_name = models.CharField(_("helper or organisation"), max_length=100, blank=True)
    due_on = models.DateField(_("due by"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["due_on", "id"]
        indexes = [
            # A staff owner's worklist: their open measures.
            models.Index(fields=["owner", "done_on"], name="measure_owner_idx"),
            # The daily sweep: open measures by due date.
            models.Index(fields=["due_on"], condition=Q(done_on__isnull=True), name="measure_open_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(owner_kind="staff", owner__isnull=False)
                    | Q(owner_kind="department", referral__isnull=False)
                    | (Q(owner_kind__in=["helper", "organisation"]) & ~Q(owner_name=""))
                ),
                name="measure_owner_given",
            ),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def owner_label(self) -> str:
        if self.owner_kind == OwnerKind.STAFF:
            return str(self.owner)
        if self.owner_kind == OwnerKind.DEPARTMENT:
            return str(self.referral.department)
        return f"{self.get_owner_kind_display()}：{self.owner_name}"


class Decision(models.TextChoices):
    CONTINUE = "continue", _("Continue the plan")
    CHANGE = "change", _("Change the plan")
    CLOSE = "close", _("Close the plan")


class Review(models.Model):
    plan = models.ForeignKey(HelpPlan, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField(_("reviewed on"))
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    notes = models.TextField(_("notes"), blank=True)
    reviewed_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("plan review")
        verbose_name_plural = _("plan reviews")
        ordering = ["-reviewed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.reviewed_on} {self.get_decision_display()}"


class Progress(models.TextChoices):
    NONE = "none", _("No progress")
    SOME = "some", _("Some progress")
    MET = "met", _("Goal met")


class GoalProgress(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="progress")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="progress")
    progress = models.CharField(_("progress"), max_length=10, choices=Progress.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "goal"], name="goalprogress_once_per_review")]

    def __str__(self) -> str:
        return f"{self.goal_id}:{self.progress}"
