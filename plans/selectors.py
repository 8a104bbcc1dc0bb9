"""Reads of help plans, scoped through children.access; the "plan required" rule as one Q built from the region's
rule sets (the longest area-code prefix wins), so the list of children missing a plan is one statement."""

from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.lookups import GreaterThan

from accounts.models import Role, User
from children import access
from children.models import ArchiveStatus, Child

from . import rules
from .models import HelpPlan, Measure, OwnerKind, PlanKind, PlanRequirement, PlanRuleSet, PlanStatus, Review


@dataclass
class RuleSetRules:
    prefix: str
    rule_set: PlanRuleSet
    requirements: list[PlanRequirement] = field(default_factory=list)


def as_rule(req: PlanRequirement) -> rules.Requirement:
    return rules.Requirement(
        category_mask=req.category_mask,
        colours=rules.codes(req.colours),
        risk_grades=rules.codes(req.risk_grades),
        enrolments=rules.codes(req.enrolments),
        plan_kind=req.plan_kind,
    )


def active_rule_sets() -> list[RuleSetRules]:
    """The active rule sets with their requirements (two queries)."""
    sets = PlanRuleSet.objects.filter(active=True).prefetch_related(
        Prefetch("requirements", queryset=PlanRequirement.objects.order_by("id"))
    )
    return [RuleSetRules(s.prefix, s, list(s.requirements.all())) for s in sets]


def _requirement_q(req: PlanRequirement, path: str = "") -> Q | None:
    rule = as_rule(req)
    if not rules.has_conditions(rule):
        return None  # rules.matches: a requirement without conditions matches nobody
    q = Q()
    if rule.category_mask:
        q &= Q(GreaterThan(F(f"{path}category_flags").bitand(rule.category_mask), 0))
    if rule.colours:
        q &= Q(**{f"{path}colour__in": sorted(rule.colours)})
    if rule.risk_grades:
        q &= Q(**{f"{path}risk_grade__in": sorted(rule.risk_grades)})
    if rule.enrolments:
        q &= Q(**{f"{path}enrolment__in": sorted(rule.enrolments)})
    return q


def required_q(sets: list[RuleSetRules], kind: str, path: str = "") -> Q:
    """Children (fields under `path`) whose region's deciding rule set requires a plan of `kind` (rules.matches and
    rules.deciding_prefix written as a filter): each set covers its prefix minus the longer prefixes of other sets."""
    out = Q(pk__in=[])
    prefixes = [s.prefix for s in sets]
    for s in sets:
        reqs = [q for r in s.requirements if r.plan_kind == kind and (q := _requirement_q(r, path)) is not None]
        if not reqs:
            continue
        region = Q(**{f"{path}village__code__startswith": s.prefix}) if s.prefix else Q()
        for other in prefixes:
            if other != s.prefix and other.startswith(s.prefix):
                region &= ~Q(**{f"{path}village__code__startswith": other})
        matched = Q(pk__in=[])
        for q in reqs:
            matched |= q
        out |= region & matched
    return out


def missing_q(sets: list[RuleSetRules]) -> Q:
    """Open archives required to have a plan and without the open plan that satisfies it (rules.satisfied)."""
    any_open = Exists(HelpPlan.objects.filter(child=OuterRef("pk"), status=PlanStatus.OPEN))
    school_open = Exists(
        HelpPlan.objects.filter(child=OuterRef("pk"), status=PlanStatus.OPEN, kind=PlanKind.RETURN_TO_SCHOOL)
    )
    return Q(status=ArchiveStatus.OPEN) & (
        (required_q(sets, rules.GENERAL) & ~any_open) | (required_q(sets, rules.RETURN_TO_SCHOOL) & ~school_open)
    )


MISSING_ROLES = {Role.DIRECTOR, Role.SUPERVISOR, Role.CIVIL_AFFAIRS}


def missing_plans_for(user: User, sets: list[RuleSetRules]) -> QuerySet[Child]:
    """The open archives the user may read that lack a required plan, most urgent colour first."""
    from children.models import COLOUR_RANK

    return (
        access.visible_children(user)
        .filter(missing_q(sets))
        .select_related("village__parent")
        .order_by(COLOUR_RANK, "-id")
    )


def required_for(child: Child, sets: list[RuleSetRules] | None = None) -> list[PlanRequirement]:
    """The requirements of the child's deciding rule set that the child meets (for the archive page)."""
    sets = active_rule_sets() if sets is None else sets
    prefix = rules.deciding_prefix([s.prefix for s in sets], child.village_id)
    if prefix is None:
        return []
    facts = rules.ChildFacts(child.category_flags, child.colour, child.risk_grade, child.enrolment)
    deciding = next(s for s in sets if s.prefix == prefix)
    return [r for r in deciding.requirements if rules.matches(as_rule(r), facts)]


@dataclass
class ArchiveSection:
    open_plan: HelpPlan | None
    closed: list[HelpPlan]
    required: list[PlanRequirement]
    missing: bool


def archive_section(child: Child) -> ArchiveSection:
    """The help plans on a child's archive page (the gate has let the child through): four queries."""
    plans = list(
        child.help_plans.prefetch_related(
            Prefetch(
                "measures",
                queryset=Measure.objects.filter(done_on__isnull=True).select_related("owner", "referral__department"),
            )
        )
    )
    open_plan = next((p for p in plans if p.is_open), None)
    required = required_for(child) if child.is_open else []
    kinds = {r.plan_kind for r in required}
    return ArchiveSection(
        open_plan=open_plan,
        closed=[p for p in plans if not p.is_open],
        required=required,
        missing=not rules.satisfied(kinds, open_plan.kind if open_plan else None),
    )


def archive_records(child: Child) -> tuple[list[HelpPlan], list[Measure], list[Review]]:
    """Every plan of the child with its measures and reviews, for the archive PDF (the gate has let the child
    through): three queries however many plans."""
    plans = list(child.help_plans.select_related("lead"))
    if not plans:
        return [], [], []
    by_pk = {p.pk: p for p in plans}
    measures = list(
        Measure.objects.filter(plan__child=child)
        .select_related("owner", "referral__department")
        .order_by("plan__opened_on", "due_on", "pk")
    )
    reviews = list(Review.objects.filter(plan__child=child).select_related("reviewed_by").order_by("reviewed_on", "pk"))
    for row in (*measures, *reviews):
        row.plan = by_pk[row.plan_id]
    return plans, measures, reviews


def plans_for_api(child: Child) -> QuerySet[HelpPlan]:
    """A child's plans with everything the API shows of them (the gate has let the child through): a fixed number
    of queries however many plans (the plans, their needs, goals, measures, reviews and the reviews' progress)."""
    return child.help_plans.select_related("lead").prefetch_related(
        "needs",
        "goals",
        Prefetch("measures", queryset=Measure.objects.select_related("owner", "referral__department")),
        Prefetch("reviews", queryset=Review.objects.select_related("reviewed_by").prefetch_related("progress")),
    )


def plan_detail(plan: HelpPlan) -> dict:
    """What the plan page shows (five queries)."""
    return {
        "needs": list(plan.needs.select_related("problem", "assessment", "assessment_item", "visit")),
        "goals": list(plan.goals.select_related("need")),
        "measures": list(plan.measures.select_related("goal", "owner", "referral__department")),
        "reviews": list(plan.reviews.select_related("reviewed_by").prefetch_related("progress__goal")),
    }


def open_measures_for(user: User) -> QuerySet[Measure]:
    """The user's open measures of open plans, on children they may see: their own (staff), their department's
    through a referral still open (a liaison), and those of paired helpers and organisations in plans they answer
    for. Shown in the worklist."""
    mine = Q(owner_kind=OwnerKind.STAFF, owner=user) | (
        Q(owner_kind__in=[OwnerKind.HELPER, OwnerKind.ORGANISATION], plan__lead=user)
    )
    if user.role == Role.LIAISON and user.department_id:
        mine |= Q(owner_kind=OwnerKind.DEPARTMENT, referral__department_id=user.department_id)
    return (
        Measure.objects.filter(mine, done_on__isnull=True, plan__status=PlanStatus.OPEN)
        .filter(plan__child__in=access.visible_children(user, level=access.Level.SHARED).values("pk"))
        .select_related("plan__child", "referral__department")
        .order_by("due_on", "id")
    )
