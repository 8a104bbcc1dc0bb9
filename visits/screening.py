"""Screening campaigns (全面摸底排查; Jiangsu's 一年两排, 002) beyond their pages: who hears of them and when.

- Launching a campaign tells every active director of a village in its area (``notify_launch``; the key
  ``screening-launched:<id>`` makes it idempotent). A province's campaign tells tens of thousands of directors, so
  visits.services.campaign_create queues it (``queue_launch_notices``, Celery task visits.tasks.screening_launched)
  once the campaign is committed; with the broker down it is done at once in the request rather than never.
- The daily screening sweep (``sweep``, Celery task visits.tasks.screening_sweep) reminds each director with children
  still to confirm 7 and 1 days before the deadline (rules.CAMPAIGN_REMINDER_DAYS), and tells a county's civil
  affairs when its region asks for n screenings a year (RuleSet.screenings_per_year, from the seed quoted there) and
  12 / n months pass without one (rules.screening_lapse).

Where the seeds stand: only 002 asks for a number of screenings ("建立"一年两排""一月一访"制度,开展一年至少2次全面摸底
排查"); 000 #26, 001 §10, 003 §8 and 004 §8 ask for a full screening (摸底排查) without a yearly count, so their
regions' rule sets leave the number empty. The reminder days before a deadline are this system's choice.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.areas import ancestor_prefixes
from accounts.models import Area, AreaLevel, Notification, Role, User
from children import access
from children.models import ArchiveStatus, Child

from . import rules
from .models import RuleSet, ScreeningCampaign, ScreeningConfirmation


def launch_key(campaign: ScreeningCampaign) -> str:
    return f"screening-launched:{campaign.pk}"


def directors_in(area: Area):
    """Active directors serving a village of the area."""
    return User.objects.filter(
        role=Role.DIRECTOR, is_active=True, areas__level=AreaLevel.VILLAGE, areas__code__startswith=area.prefix
    ).distinct()


def notify_launch(campaign: ScreeningCampaign) -> int:
    """Tell every director of the campaign's area (once each, however often called). Returns the directors told."""
    directors = list(directors_in(campaign.area).values_list("pk", flat=True))
    with translation.override(settings.LANGUAGE_CODE):
        title = _("New screening: %(name)s in %(area)s, %(start)s to %(deadline)s") % {
            "name": campaign.name,
            "area": campaign.area.name,
            "start": campaign.starts_on.isoformat(),
            "deadline": campaign.deadline.isoformat(),
        }
        body = _("Confirm every open archive of your villages before the deadline.")
        url = reverse("visits:campaign", args=[campaign.pk])
    Notification.objects.bulk_create(
        [Notification(user_id=pk, key=launch_key(campaign), title=title, body=body, url=url) for pk in directors],
        ignore_conflicts=True,
    )
    return len(directors)


def queue_launch_notices(campaign_id: int) -> None:
    """Queue `notify_launch` for a committed campaign (transaction.on_commit); the broker down: do it now."""
    from config.queue import enqueue

    from .tasks import screening_launched

    if not enqueue(screening_launched, campaign_id):
        screening_launched(campaign_id)


def pending_children(campaign: ScreeningCampaign):
    """Open archives of the campaign's area not yet confirmed in it (every child, not scoped to a user)."""
    return Child.objects.filter(status=ArchiveStatus.OPEN, village__code__startswith=campaign.area.prefix).exclude(
        pk__in=ScreeningConfirmation.objects.filter(campaign=campaign).values("child_id")
    )


def _deadline_notes(today: datetime.date) -> list[Notification]:
    """Directors with children still to confirm in a campaign whose deadline is a reminder day away (two queries a
    campaign due; only those campaigns are read)."""
    days = [today + datetime.timedelta(days=n) for n in rules.CAMPAIGN_REMINDER_DAYS]
    notes = []
    for campaign in ScreeningCampaign.objects.filter(deadline__in=days, starts_on__lte=today).select_related("area"):
        left = rules.campaign_reminder_due(campaign.deadline, today)
        per_village = dict(
            pending_children(campaign).values_list("village_id").annotate(n=Count("pk")).values_list("village_id", "n")
        )
        per_director: dict[int, int] = {}
        for user_id, village in User.areas.through.objects.filter(
            area_id__in=list(per_village), user__role=Role.DIRECTOR, user__is_active=True
        ).values_list("user_id", "area_id"):
            per_director[user_id] = per_director.get(user_id, 0) + per_village[village]
        url = reverse("visits:campaign", args=[campaign.pk])
        for user_id, n in sorted(per_director.items()):
            notes.append(
                Notification(
                    user_id=user_id,
                    key=f"screening-deadline:{campaign.pk}:{left}",
                    url=url,
                    title=_("Screening %(name)s ends in %(days)d days: %(n)d children still to confirm")
                    % {"name": campaign.name, "days": left, "n": n},
                )
            )
    return notes


@dataclass(frozen=True)
class ScreeningRule:
    per_year: int
    source: str
    clause: str
    rule_set: str


def screening_rules() -> list[tuple[str, ScreeningRule]]:
    """(area prefix, rule) of every active rule set that says how many screenings a year, longest prefix first."""
    sets = RuleSet.objects.filter(active=True, screenings_per_year__isnull=False)
    return [
        (s.prefix, ScreeningRule(s.screenings_per_year, s.screenings_source, s.screenings_clause, s.name))
        for s in sorted(sets, key=lambda s: -len(s.prefix))
    ]


def screening_rule_for(code: str, rule_list: list[tuple[str, ScreeningRule]]) -> ScreeningRule | None:
    """The nearest rule set above the area that sets a number (a set leaving it empty defers to the next above)."""
    for prefix, rule in rule_list:
        if code.startswith(prefix):
            return rule
    return None


@dataclass
class CountyScreening:
    county: Area
    rule: ScreeningRule
    last_started: datetime.date | None
    lapsed_since: datetime.date | None  # the date the next screening was due by, when it has passed


def county_screenings(counties, today: datetime.date) -> list[CountyScreening]:
    """For each county whose region asks for screenings: its last screening covering the whole county (a campaign
    of the county or an area above it, started by today) and whether it has lapsed. Three queries."""
    rule_list = screening_rules()
    if not rule_list:
        return []
    ruled = [(c, r) for c in counties if (r := screening_rule_for(c.code, rule_list)) and r.per_year]
    if not ruled:
        return []
    prefixes = {p for c, _r in ruled for p in _ancestor_or_self_prefixes(c)}
    latest: dict[str, datetime.date] = {}
    for prefix, started in (
        ScreeningCampaign.objects.filter(area__prefix__in=prefixes, starts_on__lte=today)
        .values_list("area__prefix")
        .annotate(last=Max("starts_on"))
        .values_list("area__prefix", "last")
    ):
        latest[prefix] = started
    out = []
    for county, rule in ruled:
        dates = [latest[p] for p in _ancestor_or_self_prefixes(county) if p in latest]
        last = max(dates, default=None)
        out.append(CountyScreening(county, rule, last, rules.screening_lapse(last, today, rule.per_year)))
    return out


def _ancestor_or_self_prefixes(county: Area) -> list[str]:
    return ancestor_prefixes(county.code)


def lapsed_for(user: User, today: datetime.date) -> list[CountyScreening]:
    """Counties of the user's areas whose screenings have lapsed (the campaigns page)."""
    counties = access.visible_areas(user).filter(level=AreaLevel.COUNTY).order_by("code")
    return [c for c in county_screenings(counties, today) if c.lapsed_since]


def _lapse_notes(today: datetime.date) -> list[Notification]:
    lapsed = [c for c in county_screenings(Area.objects.filter(level=AreaLevel.COUNTY), today) if c.lapsed_since]
    if not lapsed:
        return []
    by_code = {c.county.code: c for c in lapsed}
    staff = User.areas.through.objects.filter(
        area_id__in=list(by_code), user__role=Role.CIVIL_AFFAIRS, user__is_active=True
    ).values_list("user_id", "area_id")
    url = reverse("visits:campaigns")
    notes = []
    for user_id, code in sorted(staff):
        c = by_code[code]
        title = _("%(county)s: no full screening since %(last)s; the rules ask for %(n)d a year (%(source)s)") % {
            "county": c.county.name,
            "last": c.last_started.isoformat() if c.last_started else _("no screening yet"),
            "n": c.rule.per_year,
            "source": c.rule.source or c.rule.rule_set,
        }
        notes.append(
            Notification(
                user_id=user_id,
                key=f"screening-lapse:{code}:{c.lapsed_since.isoformat()}",
                url=url,
                title=title[:200],
                body=c.rule.clause,
            )
        )
    return notes


def sweep(*, today: datetime.date) -> dict:
    """The daily screening sweep: deadline reminders and lapsed counties, each notification written once."""
    from .reminders import send_pending_emails, write_notifications

    with translation.override(settings.LANGUAGE_CODE):
        deadline = _deadline_notes(today)
        lapse = _lapse_notes(today)
        write_notifications(deadline + lapse)
        emailed = send_pending_emails(keys=[n.key for n in deadline + lapse]) if deadline or lapse else 0
    return {"deadline": len(deadline), "lapse": len(lapse), "emailed": emailed}


def not_finished(progress: list[dict]) -> list[dict]:
    """The villages of a campaign's progress rows with archives still to confirm, fewest done first."""
    rows = [dict(p, left=p["total"] - p["done"]) for p in progress if p["done"] < p["total"]]
    return sorted(rows, key=lambda p: (p["rate"] or 0, p["code"]))
