"""Writes of help plans. Closing happens in one place only, `plan_close`, so it can be routed through an approval."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Role, User
from children import access
from children.models import Child, Problem
from guardianship.casework import possible_owners
from guardianship.models import Assessment, Referral
from pairing import selectors as pairing_selectors
from pairing.models import Helper, Organisation
from visits.models import Visit

from . import rules
from .models import (
    Decision,
    Goal,
    GoalProgress,
    HelpPlan,
    Measure,
    Need,
    OwnerKind,
    PlanKind,
    PlanStatus,
    Progress,
    Review,
)

# A return-to-school plan opens the school's follow-up as a measure due this many days later (the system's choice:
# 004 §10 asks the school for a teaching plan fitted to the returning pupil, with no deadline).
SCHOOL_FOLLOW_UP_DAYS = 30
STAFF_ROLES = {Role.DIRECTOR, Role.SUPERVISOR, Role.CIVIL_AFFAIRS}


@dataclass(frozen=True)
class NeedInput:
    """A need found and where: a problem on the archive, an assessment (and one of its items), a visit."""

    description: str
    problem: Problem | None = None
    assessment: Assessment | None = None
    assessment_item_id: int | None = None
    visit: Visit | None = None


def _require_edit(user: User, child: Child) -> None:
    if not access.can_edit_child(user, child):
        raise PermissionDenied(_("You may read this archive but not change it."))
    if not child.is_open:
        raise ValidationError(_("This archive is closed."))


def _require_open(plan: HelpPlan) -> None:
    if not plan.is_open:
        raise ValidationError(_("This plan is closed."))


def _check_date(value: datetime.date, field: str) -> None:
    if value > timezone.localdate():
        raise ValidationError({field: _("This date cannot be in the future.")})


def _need(plan: HelpPlan, given: NeedInput) -> Need:
    """A need checked against the plan's child: every record it names must be that child's."""
    child_id = plan.child_id
    if not given.description.strip():
        raise ValidationError({"description": _("Describe the need.")})
    for record in (given.problem, given.assessment, given.visit):
        if record is not None and record.child_id != child_id:
            raise ValidationError(_("The record named is not this child's."))
    if given.assessment_item_id is not None:
        if given.assessment is None or not given.assessment.answers.filter(item_id=given.assessment_item_id).exists():
            raise ValidationError({"assessment_item": _("Choose an item of the assessment named.")})
    return Need(
        plan=plan,
        description=given.description.strip()[:300],
        problem=given.problem,
        assessment=given.assessment,
        assessment_item_id=given.assessment_item_id,
        visit=given.visit,
    )


@transaction.atomic
def plan_create(
    *,
    user: User,
    child: Child,
    kind: str,
    opened_on: datetime.date,
    lead: User,
    summary: str = "",
    next_review_on: datetime.date | None = None,
    school: str = "",
    school_contact: str = "",
    needs: list[NeedInput] = (),
) -> HelpPlan:
    """Draw up a child's plan with the needs found. A child has one open plan at a time. A return-to-school plan
    (控辍保学 一人一案, 004 §10) names the school and its responsible teacher and opens the school's follow-up."""
    _require_edit(user, child)
    Child.objects.select_for_update().filter(pk=child.pk).first()  # one writer at a time for this child's plans
    if HelpPlan.objects.filter(child=child, status=PlanStatus.OPEN).exists():
        raise ValidationError(_("This child already has an open plan: review or close it first."))
    _check_date(opened_on, "opened_on")
    if next_review_on and next_review_on < opened_on:
        raise ValidationError({"next_review_on": _("The review cannot be before the plan is drawn up.")})
    if not possible_owners(child).filter(pk=lead.pk, role__in=STAFF_ROLES).exists():
        raise ValidationError({"lead": _("%(name)s does not work in this child's area.") % {"name": lead}})
    school_plan = kind == PlanKind.RETURN_TO_SCHOOL
    if school_plan and not (school.strip() and school_contact.strip()):
        raise ValidationError(_("A return-to-school plan names the school and the teacher responsible there."))
    if not needs:
        raise ValidationError(_("Name at least one need found."))
    plan = HelpPlan(
        child=child,
        kind=kind,
        opened_on=opened_on,
        lead=lead,
        summary=summary,
        next_review_on=rules.next_review(opened_on, next_review_on),
        school=school.strip() if school_plan else "",
        school_contact=school_contact.strip() if school_plan else "",
        created_by=user,
    )
    plan.full_clean()
    plan.save()
    Need.objects.bulk_create([_need(plan, n) for n in needs])
    if school_plan:
        with translation.override(settings.LANGUAGE_CODE):  # stored text: in the system's language
            description = _(
                "The school draws up a teaching plan fitted to the returning pupil and follows up attendance (004 §10)"
            )
        Measure.objects.create(
            plan=plan,
            description=description[:300],
            owner_kind=OwnerKind.ORGANISATION,
            owner_name=plan.school[:100],
            due_on=opened_on + datetime.timedelta(days=SCHOOL_FOLLOW_UP_DAYS),
        )
    return plan


@transaction.atomic
def need_add(*, user: User, plan: HelpPlan, need: NeedInput) -> Need:
    _require_edit(user, plan.child)
    _require_open(plan)
    made = _need(plan, need)
    made.save()
    return made


@transaction.atomic
def goal_add(*, user: User, plan: HelpPlan, description: str, need: Need | None = None) -> Goal:
    _require_edit(user, plan.child)
    _require_open(plan)
    if need is not None and need.plan_id != plan.pk:
        raise ValidationError({"need": _("Choose a need of this plan.")})
    if not description.strip():
        raise ValidationError({"description": _("Describe the goal.")})
    return Goal.objects.create(plan=plan, need=need, description=description.strip()[:300])


@transaction.atomic
def measure_add(
    *,
    user: User,
    plan: HelpPlan,
    description: str,
    owner_kind: str,
    due_on: datetime.date,
    goal: Goal | None = None,
    owner: User | None = None,
    referral: Referral | None = None,
    owner_name: str = "",
    helper: Helper | None = None,
    organisation: Organisation | None = None,
) -> Measure:
    """A measure and who carries it out: a director, supervisor or civil-affairs officer of the child's area; a
    department through one of the child's referrals; a helper of the child's county or an organisation the child
    may be referred to (the registries of pairing/), or either by name only when not registered."""
    child = plan.child
    _require_edit(user, child)
    _require_open(plan)
    if goal is not None and goal.plan_id != plan.pk:
        raise ValidationError({"goal": _("Choose a goal of this plan.")})
    if due_on < plan.opened_on:
        raise ValidationError({"due_on": _("A measure cannot be due before the plan is drawn up.")})
    values = {"owner": None, "referral": None, "owner_name": "", "helper": None, "organisation": None}
    today = timezone.localdate()
    if owner_kind == OwnerKind.STAFF:
        if owner is None or not possible_owners(child).filter(pk=owner.pk, role__in=STAFF_ROLES).exists():
            raise ValidationError({"owner": _("Choose a member of staff working in this child's area.")})
        values["owner"] = owner
    elif owner_kind == OwnerKind.DEPARTMENT:
        if referral is None or referral.child_id != child.pk or referral.department_id is None:
            raise ValidationError({"referral": _("Choose one of this child's referrals to a department.")})
        if not referral.is_open:
            raise ValidationError({"referral": _("This referral is closed: refer the child again.")})
        values["referral"] = referral
    elif owner_kind == OwnerKind.HELPER and helper is not None:
        if not pairing_selectors.helpers_for_child(child, today).filter(pk=helper.pk).exists():
            raise ValidationError({"helper": _("Choose a helper serving in this child's county.")})
        values.update(helper=helper, owner_name=helper.name[:100])
    elif owner_kind == OwnerKind.ORGANISATION and organisation is not None:
        if not pairing_selectors.referral_organisations(child.village_id, today).filter(pk=organisation.pk).exists():
            raise ValidationError({"organisation": _("Choose an organisation serving this child's county or city.")})
        values.update(organisation=organisation, owner_name=organisation.name[:100])
    elif owner_kind in (OwnerKind.HELPER, OwnerKind.ORGANISATION):
        if not owner_name.strip():
            raise ValidationError({"owner_name": _("Name the helper or the organisation.")})
        values["owner_name"] = owner_name.strip()[:100]
    else:
        raise ValidationError({"owner_kind": _("Choose who carries out the measure.")})
    measure = Measure(
        plan=plan, goal=goal, description=description.strip()[:300], owner_kind=owner_kind, due_on=due_on, **values
    )
    measure.full_clean()
    measure.save()
    return measure


def may_mark_done(user: User, measure: Measure) -> bool:
    """The staff owner, a liaison of the referral's department, the plan's responsible person, or anyone who may
    change the child's archive."""
    if measure.owner_kind == OwnerKind.STAFF and measure.owner_id == user.pk:
        return True
    if measure.owner_kind == OwnerKind.DEPARTMENT and user.role == Role.LIAISON and user.department_id:
        if measure.referral.department_id == user.department_id:
            return True
    return measure.plan.lead_id == user.pk or access.can_edit_child(user, measure.plan.child)


@transaction.atomic
def measure_done(*, user: User, measure: Measure, result: str = "", done_on: datetime.date | None = None) -> Measure:
    if not may_mark_done(user, measure):
        raise PermissionDenied(_("Only the measure's owner or the child's staff mark it done."))
    _require_open(measure.plan)
    measure = Measure.objects.select_for_update().get(pk=measure.pk)
    if measure.done_on is not None:
        raise ValidationError(_("This measure is already done."))
    done_on = done_on or timezone.localdate()
    _check_date(done_on, "done_on")
    measure.done_on = done_on
    measure.result = result.strip()[:300]
    measure.save(update_fields=["done_on", "result"])
    return measure


@transaction.atomic
def review_create(
    *,
    user: User,
    plan: HelpPlan,
    reviewed_on: datetime.date,
    decision: str,
    progress: dict[int, tuple[str, str]],
    notes: str = "",
    next_review_on: datetime.date | None = None,
    close_reason: str = "",
    back_to_school_on: datetime.date | None = None,
) -> Review:
    """Review the plan: progress on every goal, and a decision (continue, change, close). Closing goes through the
    region's approval to `plan_close` (`review.approval` is the request when it waits, else None); otherwise the
    next review is set (rules.next_review)."""
    child = plan.child
    _require_edit(user, child)
    plan = HelpPlan.objects.select_for_update().select_related("child").get(pk=plan.pk)
    _require_open(plan)
    _check_date(reviewed_on, "reviewed_on")
    if reviewed_on < plan.opened_on:
        raise ValidationError({"reviewed_on": _("The review cannot be before the plan is drawn up.")})
    if decision not in Decision.values:
        raise ValidationError({"decision": _("Choose a decision.")})
    goals = set(plan.goals.values_list("pk", flat=True))
    if set(progress) != goals:
        raise ValidationError(_("Say the progress on every goal of the plan."))
    if any(p not in Progress.values for p, _note in progress.values()):
        raise ValidationError(_("Choose the progress on every goal."))
    if decision == Decision.CLOSE and not close_reason.strip():
        raise ValidationError({"close_reason": _("Say why the plan is closed.")})
    if decision != Decision.CLOSE and next_review_on and next_review_on <= reviewed_on:
        raise ValidationError({"next_review_on": _("The next review must come after this one.")})
    if back_to_school_on is not None:
        if plan.kind != PlanKind.RETURN_TO_SCHOOL:
            raise ValidationError({"back_to_school_on": _("Only a return-to-school plan records the return.")})
        if not plan.opened_on <= back_to_school_on <= reviewed_on:
            raise ValidationError({"back_to_school_on": _("The return lies between the plan and this review.")})
    review = Review.objects.create(plan=plan, reviewed_on=reviewed_on, decision=decision, notes=notes, reviewed_by=user)
    GoalProgress.objects.bulk_create(
        [GoalProgress(review=review, goal_id=g, progress=p, note=n.strip()[:300]) for g, (p, n) in progress.items()]
    )
    if back_to_school_on is not None:
        plan.back_to_school_on = back_to_school_on
        plan.save(update_fields=["back_to_school_on"])
    review.approval = None
    if decision == Decision.CLOSE:
        from .closing import close_or_propose

        # Through the region's approval (the approvals app): closed now, or proposed and left open until approved.
        review.approval = close_or_propose(user=user, plan=plan, closed_on=reviewed_on, reason=close_reason)
    else:
        plan.next_review_on = rules.next_review(reviewed_on, next_review_on)
        plan.save(update_fields=["next_review_on"])
    return review


@transaction.atomic
def plan_close(*, user: User, plan: HelpPlan, closed_on: datetime.date, reason: str) -> HelpPlan:
    """The one place a plan is closed: applied by plans.closing (at once, or when an approver agrees). The plan
    keeps its history; its open measures are no longer reminded."""
    _require_edit(user, plan.child)
    plan = HelpPlan.objects.select_for_update().get(pk=plan.pk)
    _require_open(plan)
    _check_date(closed_on, "closed_on")
    if closed_on < plan.opened_on:
        raise ValidationError({"closed_on": _("The plan cannot close before it is drawn up.")})
    if not reason.strip():
        raise ValidationError({"close_reason": _("Say why the plan is closed.")})
    plan.status = PlanStatus.CLOSED
    plan.closed_on = closed_on
    plan.close_reason = reason.strip()
    plan.save(update_fields=["status", "closed_on", "close_reason"])
    return plan
