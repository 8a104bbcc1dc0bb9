"""Identification (精准识别) and dynamic management (动态管理) of categories: proposals where the recorded facts and the
categories held disagree, and the region's identification rules.

The rule itself is children.rules.proposals (pure). Here: reading the facts of many children at once, writing the
proposals idempotently (one pending proposal per child, category and change; a dismissed one is not proposed again
for the same facts; a pending one the facts no longer imply lapses), confirming and dismissing, and the list.
Called by the services that change the facts (one child) and by the daily sweep (children.sweep, set-based)."""

import calendar
import datetime
import json
from collections.abc import Iterable
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.areas import fixture_area
from accounts.models import User

from . import access, rules
from .categories import CATEGORY_BITS, LEFT_BEHIND, PARENT_RELATIONS, PARENT_SITUATION_BITS, categories_in
from .models import (
    ArchiveStatus,
    CategoryProposal,
    CategoryProposalStatus,
    Child,
    ChildCategory,
    FamilyMember,
    IdentificationRules,
    ProposalAction,
)

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "identification_rules.json"
CHUNK = 2000


# ------------------------------------------------------------------------------------------------ rule data
def load_rules(Area, IdentificationRules, data: list | None = None) -> int:
    """Create the shipped identification rules that are missing (an existing set is never overwritten). Takes the
    model classes, as a data migration has them."""
    data = data if data is not None else json.loads(FIXTURE.read_text(encoding="utf-8"))
    created = 0
    for item in data:
        area = fixture_area(Area, item)
        prefix = area.prefix if area else ""
        if IdentificationRules.objects.filter(prefix=prefix).exists():
            continue
        IdentificationRules.objects.create(
            name=item["name"],
            area=area,
            prefix=prefix,
            source=item["source"],
            left_behind_max_age=item["left_behind_max_age"],
            left_behind_months_away=item["left_behind_months_away"],
        )
        created += 1
    return created


def regions() -> list[tuple[str, rules.Region]]:
    """Every region's rules as (prefix, rules), longest prefix first (one query)."""
    rows = IdentificationRules.objects.values_list("prefix", "left_behind_max_age", "left_behind_months_away")
    out = [(p, rules.Region(age, months)) for p, age, months in rows]
    return sorted(out, key=lambda r: -len(r[0]))


def region_for(village_code: str, table: list[tuple[str, rules.Region]]) -> rules.Region:
    """The nearest region's rules (the longest prefix of the village code); none at all: the national defaults."""
    for prefix, region in table:
        if village_code.startswith(prefix):
            return region
    return rules.Region()


# ------------------------------------------------------------------------------------------------ evaluation
def _facts(children: list[Child]) -> dict[int, rules.Facts]:
    parents: dict[int, list[rules.Parent]] = {c.pk: [] for c in children}
    rows = FamilyMember.objects.filter(child_id__in=list(parents), relation__in=PARENT_RELATIONS).values_list(
        "child_id", "relation", "situation", "away_since"
    )
    for child_id, relation, situation, away_since in rows.order_by("pk"):
        parents[child_id].append(rules.Parent(relation, situation, away_since))
    return {
        c.pk: rules.Facts(
            birth_date=c.birth_date,
            health=c.health,
            disability=c.disability,
            disability_grade=c.disability_grade,
            parents=tuple(parents[c.pk]),
        )
        for c in children
    }


def _evaluate(children: list[Child], today: datetime.date, table) -> tuple[int, int]:
    """Write the proposals of these (open) children: create the missing ones, lapse the pending ones no longer
    implied. Returns (created, lapsed)."""
    if not children:
        return 0, 0
    facts = _facts(children)
    wanted: dict[tuple[int, str, str], str] = {}
    for c in children:
        region = region_for(c.village_id, table)
        for p in rules.proposals(facts[c.pk], categories_in(c.category_flags), today, region):
            wanted[(c.pk, p.category, p.action)] = p.facts_text
    existing = (
        CategoryProposal.objects.filter(
            child_id__in=[c.pk for c in children],
            status__in=[CategoryProposalStatus.PENDING, CategoryProposalStatus.DISMISSED],
        )
        .exclude(_recorded_q())
        .only("pk", "child_id", "category", "action", "facts", "status")
    )
    pending, dismissed = {}, set()
    for p in existing:
        key = (p.child_id, p.category, p.action)
        if p.status == CategoryProposalStatus.PENDING:
            pending[key] = p
        else:
            dismissed.add((*key, p.facts))
    new = [
        CategoryProposal(child_id=k[0], category=k[1], action=k[2], facts=f)
        for k, f in wanted.items()
        if k not in pending and (*k, f) not in dismissed
    ]
    stale = [p for k, p in pending.items() if k not in wanted]
    for p in stale:
        p.status = CategoryProposalStatus.LAPSED
        p._change_reason = "facts changed"
    with transaction.atomic():
        if new:
            bulk_create_with_history(new, CategoryProposal, ignore_conflicts=True, default_change_reason="proposed")
        if stale:
            bulk_update_with_history(stale, CategoryProposal, ["status"], default_change_reason="facts changed")
    return len(new), len(stale)


# Proposals raised by another record rather than by the facts the rules read (a positive psychological screen,
# psychology.services): their fact codes begin with one of these. The rules neither lapse nor re-propose them; the
# proposal stays pending until someone confirms or dismisses it.
RECORDED_FACT_PREFIXES = ("screen:",)


def _recorded_q() -> Q:
    q = Q(pk__in=[])
    for prefix in RECORDED_FACT_PREFIXES:
        q |= Q(facts__startswith=prefix)
    return q


def propose_from_record(*, child: Child, category: str, facts: str) -> CategoryProposal | None:
    """A proposal to add `category` raised by a record (its fact code one of RECORDED_FACT_PREFIXES), unless the
    child holds the category or already has a pending proposal to add it: then None. The one home of such proposals:
    the psychological screening calls it."""
    if not facts.startswith(RECORDED_FACT_PREFIXES):
        raise ValueError(facts)
    if child.category_flags & CATEGORY_BITS[category]:
        return None
    pending = CategoryProposal.objects.filter(
        child=child, category=category, action=ProposalAction.ADD, status=CategoryProposalStatus.PENDING
    )
    if pending.exists():
        return None
    proposal = CategoryProposal(child=child, category=category, action=ProposalAction.ADD, facts=facts)
    proposal._change_reason = "proposed"
    proposal.save()
    return proposal


def evaluate(child_ids: Iterable[int], today: datetime.date | None = None) -> tuple[int, int]:
    """After a save that changed a child's facts or categories: propose or lapse (a few queries)."""
    today = today or timezone.localdate()
    children = list(
        Child.objects.filter(pk__in=list(child_ids), status=ArchiveStatus.OPEN).only(
            "pk", "village_id", "birth_date", "health", "disability", "disability_grade", "category_flags"
        )
    )
    return _evaluate(children, today, regions())


def _mask(codes) -> int:
    return sum(CATEGORY_BITS[c] for c in codes)


def candidates() -> QuerySet[Child]:
    """Open children whose facts might disagree with their categories: a superset of those `rules.proposals` finds
    anything for, narrowed in SQL on the child row (a test holds it to the rule), and those with a pending proposal
    (which may lapse). The sweep evaluates only these."""
    distress = sum(PARENT_SITUATION_BITS[s] for s in (*rules.INCAPABLE, "dead"))
    home = FamilyMember.objects.filter(child=OuterRef("pk"), relation__in=PARENT_RELATIONS, situation="normal")
    pending = CategoryProposal.objects.filter(child=OuterRef("pk"), status=CategoryProposalStatus.PENDING)
    return (
        Child.objects.filter(status=ArchiveStatus.OPEN)
        .annotate(
            _dis=F("category_flags").bitand(CATEGORY_BITS["disabled"]),
            _ill=F("category_flags").bitand(CATEGORY_BITS["seriously_ill"]),
            _lb=F("category_flags").bitand(_mask(LEFT_BEHIND)),
            _distress=F("parent_flags").bitand(distress),
            _away=F("parent_flags").bitand(PARENT_SITUATION_BITS["working_away"]),
        )
        .filter(
            Q(_dis=0, disability_grade__isnull=False)
            | (Q(_dis=0) & ~Q(disability=""))
            | Q(_ill=0, health="seriously_ill")
            | Q(_distress__gt=0)
            | Q(_away__gt=0, _lb=0)
            | (Q(_lb__gt=0) & Exists(home))
            | Exists(pending)
        )
    )


def changing_today(today: datetime.date, table: list[tuple[str, rules.Region]]) -> QuerySet[Child]:
    """Open children whose proposals can change today without any write: those whose birthday it is (an age limit
    may be crossed; 29 February's children on 1 March in a common year) and those with a parent away for exactly a
    region's number of months (a few days' slack, for month ends). Every other change of the facts goes through the
    services, which evaluate the child at once (`evaluate`)."""
    birthday = Q(birth_date__month=today.month, birth_date__day=today.day)
    if (today.month, today.day) == (3, 1) and not calendar.isleap(today.year):
        birthday |= Q(birth_date__month=2, birth_date__day=29)
    away = Q()
    for months in {region.left_behind_months_away for _prefix, region in table} | {rules.LEFT_BEHIND_MONTHS_AWAY}:
        crossed = rules.add_months(today, -months)
        away |= Q(
            relation__in=PARENT_RELATIONS,
            away_since__gt=crossed - datetime.timedelta(days=3),
            away_since__lte=crossed,
        )
    parents = FamilyMember.objects.filter(away).values("child_id")
    return Child.objects.filter(status=ArchiveStatus.OPEN).filter(birthday | Q(pk__in=parents))


def sweep(today: datetime.date, *, full: bool = False) -> tuple[int, int]:
    """The daily part of identification: the children whose proposals can change today (`changing_today`); with
    `full` (weekly), every candidate child, which finds anything a missed day or a set-based write left. In chunks:
    one read of the children, one of their parents and one of their proposals per chunk, one INSERT and one UPDATE
    (with their history rows)."""
    table = regions()
    chosen = candidates() if full else changing_today(today, table)
    ids = list(chosen.order_by("pk").values_list("pk", flat=True))
    created = lapsed = 0
    for start in range(0, len(ids), CHUNK):
        chunk = list(
            Child.objects.filter(pk__in=ids[start : start + CHUNK]).only(
                "pk", "village_id", "birth_date", "health", "disability", "disability_grade", "category_flags"
            )
        )
        c, s = _evaluate(chunk, today, table)
        created += c
        lapsed += s
    return created, lapsed


# ------------------------------------------------------------------------------------------------ decisions
def _pending(proposal: CategoryProposal) -> None:
    if proposal.status != CategoryProposalStatus.PENDING:
        raise ValidationError(_("This proposal has already been decided."))


@transaction.atomic
def proposal_confirm(*, user: User, proposal: CategoryProposal, on: datetime.date | None = None) -> CategoryProposal:
    """Apply the proposal through the category services (which refresh the visit schedule) and record who and when.
    Ending: every current category of the proposal's kind ends on `on` (today by default)."""
    from . import services

    proposal = CategoryProposal.objects.select_for_update().select_related("child").get(pk=proposal.pk)
    _pending(proposal)
    child = proposal.child
    if not access.can_edit_child(user, child):
        raise PermissionDenied(_("You may read this archive but not change it."))
    on = on or timezone.localdate()
    # Decided first: the category services re-evaluate the child's proposals, and this one is no longer pending.
    proposal.status = CategoryProposalStatus.CONFIRMED
    proposal.decided_by = user
    proposal.decided_at = timezone.now()
    proposal._history_user = user
    proposal.save()
    note = _("Confirmed from the facts recorded in the archive")
    if proposal.action == ProposalAction.ADD:
        services.category_add(user=user, child=child, category=proposal.category, started_on=on, note=note)
    else:
        items = ChildCategory.objects.filter(child=child, category=proposal.category, ended_on__isnull=True)
        for item in items:
            item.child = child
            services.category_end(user=user, item=item, ended_on=max(on, item.started_on))
    return proposal


@transaction.atomic
def proposal_dismiss(*, user: User, proposal: CategoryProposal, reason: str) -> CategoryProposal:
    proposal = CategoryProposal.objects.select_for_update().select_related("child").get(pk=proposal.pk)
    _pending(proposal)
    if not access.can_edit_child(user, proposal.child):
        raise PermissionDenied(_("You may read this archive but not change it."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the proposal does not apply.")})
    proposal.status = CategoryProposalStatus.DISMISSED
    proposal.reason = reason
    proposal.decided_by = user
    proposal.decided_at = timezone.now()
    proposal._history_user = user
    proposal.save()
    return proposal


# ------------------------------------------------------------------------------------------------ reads
def pending_for(user: User) -> QuerySet[CategoryProposal]:
    """The pending proposals of open archives the user reads, with the child and its village (one query)."""
    children = access.visible_children(user).filter(status=ArchiveStatus.OPEN)
    return (
        CategoryProposal.objects.filter(status=CategoryProposalStatus.PENDING, child__in=children)
        .select_related("child__village__parent")
        .order_by("child__village_id", "child_id", "category")
    )


def for_child(child: Child) -> list[CategoryProposal]:
    """The archive page's box: pending proposals, and the last decided ones (one query)."""
    return list(
        CategoryProposal.objects.filter(child=child)
        .exclude(status=CategoryProposalStatus.LAPSED)
        .select_related("decided_by")
        .order_by("-status", "-created_at")[:10]
    )
