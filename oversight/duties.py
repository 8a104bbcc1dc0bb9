"""Duties the archive records but nothing checked (issue 15), as lists of misses on the duties page and a weekly
reminder; the rules and their sources are in oversight/rules.py:

- parents working away who contact the child less than weekly (FamilyMember.contact_frequency; 001 §6, 003 §5),
  and those whose frequency is not recorded;
- left-behind children without a signed entrusted-care agreement (EntrustedCare.agreement_signed; 002, 003 §5);
- villages and townships without a parents' training in the year (Activity kind parent_training; 001 §2);
- the screening milestone (ScreeningMilestone: 30 June 2024 in 001 §10, 003 §8, 004 §三(二)) per county, against the
  screenings (visits.ScreeningCampaign) and registrations that actually happened.

Each rule is one queryset function over a given set of children or areas: the page passes the user's (through
children.access), the weekly reminder passes all of them.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.areas import ancestor_prefixes
from accounts.models import PREFIX_LENGTH, Area, AreaLevel, Notification, Role, User, enclosing_code
from children import access
from children.categories import CATEGORY_BITS, LEFT_BEHIND
from children.models import ArchiveStatus, Child, EntrustedCare, FamilyMember, ParentSituation, Relation

from . import rules
from .models import Activity, ActivityKind, ScreeningMilestone

LEFT_BEHIND_MASK = sum(CATEGORY_BITS[c] for c in LEFT_BEHIND)


def left_behind(children: QuerySet[Child]) -> QuerySet[Child]:
    """Open archives holding a left-behind category (rural or urban) now."""
    return (
        children.filter(status=ArchiveStatus.OPEN)
        .annotate(left_behind_bits=F("category_flags").bitand(LEFT_BEHIND_MASK))
        .filter(left_behind_bits__gt=0)
    )


def parents_away(children: QuerySet[Child]) -> QuerySet[FamilyMember]:
    """The parents (or other guardians) working away of the left-behind children among `children`."""
    return FamilyMember.objects.filter(
        Q(relation__in=(Relation.FATHER, Relation.MOTHER)) | Q(is_guardian=True),
        child__in=left_behind(children).values("pk"),
        situation=ParentSituation.WORKING_AWAY,
    )


def contact_below_weekly(children: QuerySet[Child]) -> QuerySet[FamilyMember]:
    """Parents away whose recorded contact with the child is less than weekly (rules.BELOW_WEEKLY)."""
    return parents_away(children).filter(contact_frequency__in=rules.BELOW_WEEKLY)


def contact_unrecorded(children: QuerySet[Child]) -> QuerySet[FamilyMember]:
    return parents_away(children).filter(contact_frequency="")


def agreement_missing(children: QuerySet[Child]) -> QuerySet[Child]:
    """Left-behind children with no entrusted caregiver recorded or no signed agreement."""
    signed = EntrustedCare.objects.filter(child=OuterRef("pk"), agreement_signed=True)
    return left_behind(children).filter(~Exists(signed))


def _training_in(year: int) -> QuerySet[Activity]:
    first, last = rules.year_bounds(year)
    return Activity.objects.filter(kind=ActivityKind.PARENT_TRAINING, date__gte=first, date__lte=last)


def villages_without_training(villages: QuerySet[Area], year: int) -> QuerySet[Area]:
    """Villages where no parents' training was held in the year, in the village or in an area above it."""
    above = ("code", "parent_id", "parent__parent_id", "parent__parent__parent_id", "parent__parent__parent__parent_id")
    held = _training_in(year).filter(_any_area(above))
    return villages.filter(~Exists(held))


def townships_without_training(townships: QuerySet[Area], year: int) -> QuerySet[Area]:
    """Townships where no parents' training was held in the year: not in the township, any of its villages, or above."""
    above = ("parent_id", "parent__parent_id", "parent__parent__parent_id")
    held = _training_in(year).filter(Q(area__code__startswith=OuterRef("prefix")) | _any_area(above))
    return townships.filter(~Exists(held))


def _any_area(outer_fields) -> Q:
    q = Q()
    for name in outer_fields:
        q |= Q(area_id=OuterRef(name))
    return q


# ---------------------------------------------------------------- the screening milestone


@dataclass
class MilestoneRow:
    county: Area
    milestone: ScreeningMilestone
    whole_started: int = 0  # screenings of the county or an area above it started by the date
    whole_finished: int = 0  # … whose deadline fell by the date
    part_started: int = 0  # screenings of a township or village of the county started by the date
    registered_by: int = 0  # archives registered by the date
    registered_after: int = 0  # … and after it
    status: str = field(default="missed")


def milestone_for(code: str, milestones: list[ScreeningMilestone]) -> ScreeningMilestone | None:
    """The nearest milestone above (or of) the area."""
    found = [m for m in milestones if code.startswith(m.area.prefix)]
    return max(found, key=lambda m: len(m.area.prefix), default=None)


def milestone_table(user: User) -> list[MilestoneRow]:
    """Per county of the user's areas with a milestone: screenings held by its date and archives registered by then
    and after. A fixed number of queries (one per distinct milestone date for the registrations)."""
    from visits.models import ScreeningCampaign

    milestones = list(ScreeningMilestone.objects.select_related("area"))
    counties = list(access.visible_areas(user).filter(level=AreaLevel.COUNTY).order_by("code"))
    rows = [MilestoneRow(c, m) for c in counties if (m := milestone_for(c.code, milestones))]
    if not rows:
        return []
    latest = max(r.milestone.due_on for r in rows)
    campaigns = list(
        ScreeningCampaign.objects.filter(starts_on__lte=latest).values_list("area__prefix", "starts_on", "deadline")
    )
    for row in rows:
        due, code = row.milestone.due_on, row.county.code
        above = set(ancestor_prefixes(code))
        for prefix, starts_on, deadline in campaigns:
            if starts_on > due:
                continue
            if prefix in above:
                row.whole_started += 1
                row.whole_finished += deadline <= due
            elif prefix.startswith(code):
                row.part_started += 1
        row.status = rules.milestone_met(due, row.whole_finished, row.whole_started)
    by_code = {r.county.code: r for r in rows}
    for due in {r.milestone.due_on for r in rows}:
        counts = (
            access.visible_children(user)
            .annotate(county=Substr("village_id", 1, PREFIX_LENGTH[AreaLevel.COUNTY]))
            .filter(county__in=[c for c, r in by_code.items() if r.milestone.due_on == due])
            .values("county")
            .annotate(
                by=Count("pk", filter=Q(registered_on__lte=due)), after=Count("pk", filter=Q(registered_on__gt=due))
            )
        )
        for item in counts:
            by_code[item["county"]].registered_by = item["by"]
            by_code[item["county"]].registered_after = item["after"]
    return rows


# ---------------------------------------------------------------- the page


def recorded_gaps(user: User, year: int, today: datetime.date | None = None, limit: int = 500) -> dict:
    """The recorded-only duties missed within the user's areas (the duties page)."""
    today = today or timezone.localdate()
    children = access.visible_children(user)
    contact = contact_below_weekly(children).select_related("child__village").order_by("child__village_id", "child_id")
    agreements = agreement_missing(children).select_related("village", "entrusted_care").order_by("village_id", "name")
    result = {
        "contact_missed": list(contact[:limit]),
        "contact_missed_n": contact.count(),
        "contact_unrecorded_n": contact_unrecorded(children).values("child_id").distinct().count(),
        "agreement_missed": list(agreements[:limit]),
        "agreement_missed_n": agreements.count(),
        "training_villages": [],
        "training_villages_n": 0,
        "training_townships": [],
        "milestones": milestone_table(user),
    }
    if year <= today.year:
        villages = villages_without_training(access.visible_villages(user), year).select_related("parent")
        result["training_villages"] = list(villages.order_by("code")[:limit])
        result["training_villages_n"] = villages.count()
        townships = access.visible_areas(user).filter(level=AreaLevel.TOWNSHIP)
        result["training_townships"] = list(townships_without_training(townships, year).order_by("code"))
    return result


def shown_children(gaps: dict) -> list[int]:
    """The children whose records the page shows (for the access log)."""
    return [m.child_id for m in gaps["contact_missed"]] + [c.pk for c in gaps["agreement_missed"]]


# ---------------------------------------------------------------- the weekly reminder


def _per_village(qs, village_field: str, child_field: str) -> dict[str, int]:
    return dict(
        qs.values_list(village_field).annotate(n=Count(child_field, distinct=True)).values_list(village_field, "n")
    )


def reminder_counts(today: datetime.date) -> dict[int, tuple[int, int, int]]:
    """Per user to remind: (children whose parents away contact them less than weekly, left-behind children without a
    signed agreement, villages without a parents' training this year). Directors get their villages' first two;
    county civil affairs all three for the county. Users with nothing missed are left out. Five queries."""
    children = Child.objects.all()
    contact = _per_village(contact_below_weekly(children), "child__village_id", "child_id")
    agreement = _per_village(agreement_missing(children), "village_id", "pk")
    untrained: dict[str, int] = {}
    villages = villages_without_training(Area.objects.filter(level=AreaLevel.VILLAGE), today.year)
    for code in villages.values_list("code", flat=True):
        county = enclosing_code(code, AreaLevel.COUNTY)
        untrained[county] = untrained.get(county, 0) + 1

    totals: dict[int, list[int]] = {}
    for user_id, village in User.areas.through.objects.filter(
        area_id__in=set(contact) | set(agreement), user__role=Role.DIRECTOR, user__is_active=True
    ).values_list("user_id", "area_id"):
        t = totals.setdefault(user_id, [0, 0, 0])
        t[0] += contact.get(village, 0)
        t[1] += agreement.get(village, 0)
    per_county: dict[str, list[int]] = {}
    for village, n in contact.items():
        per_county.setdefault(enclosing_code(village, AreaLevel.COUNTY), [0, 0, 0])[0] += n
    for village, n in agreement.items():
        per_county.setdefault(enclosing_code(village, AreaLevel.COUNTY), [0, 0, 0])[1] += n
    for county, n in untrained.items():
        per_county.setdefault(county, [0, 0, 0])[2] += n
    for user_id, county in User.areas.through.objects.filter(
        area_id__in=list(per_county), user__role=Role.CIVIL_AFFAIRS, user__is_active=True
    ).values_list("user_id", "area_id"):
        t = totals.setdefault(user_id, [0, 0, 0])
        for i in range(3):
            t[i] += per_county[county][i]
    return {user_id: tuple(t) for user_id, t in sorted(totals.items()) if any(t)}


def reminder_notes(today: datetime.date) -> list[Notification]:
    """One notification per user to remind per ISO week (its key), with the counts of `reminder_counts`."""
    year, week, _day = today.isocalendar()
    url = reverse("oversight:duties")
    return [
        Notification(
            user_id=user_id,
            key=f"duties-recorded:{year}-W{week:02d}",
            url=url,
            title=_(
                "Duties: %(contact)d children whose parents away contact them less than weekly, %(agreement)d "
                "left-behind children without a signed entrusted-care agreement, %(training)d villages without "
                "parents' training this year"
            )
            % {"contact": n_contact, "agreement": n_agreement, "training": n_training},
        )
        for user_id, (n_contact, n_agreement, n_training) in reminder_counts(today).items()
    ]


def send_reminders(*, today: datetime.date) -> dict:
    """The weekly reminder of the recorded-only duties; each notification written once (key per ISO week)."""
    from visits.reminders import send_pending_emails, write_notifications

    with translation.override(settings.LANGUAGE_CODE):
        notes = reminder_notes(today)
        write_notifications(notes)
        emailed = send_pending_emails(keys=[n.key for n in notes]) if notes else 0
    return {"notified": len(notes), "emailed": emailed}
