"""Daily guardianship reminders, idempotent by notification key: overdue referrals and follow-ups are escalated,
reassessments falling due are reminded to the child's directors, visits that found harm with no report yet are
reminded every day to the village's directors, the township's supervisors and the county (until a report or the
director's reason exists), intervention and placement reviews to the county staff (before, on the day, and once when
missed), and liaisons new to a department with open reports or referrals are caught up."""

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import CODE_LENGTH, AreaLevel, Notification, Role, User, enclosing_code

from . import harm, notify, rules
from .models import Assessment, FollowUp, Intervention, Referral, ReferralStatus, TemporaryPlacement

REASSESS_NOTICE_DAYS = 7
COUNTY, TOWNSHIP, VILLAGE = AreaLevel.COUNTY, AreaLevel.TOWNSHIP, AreaLevel.VILLAGE


def _county_staff(village_code: str) -> list[int]:
    return list(
        User.objects.filter(
            role=Role.CIVIL_AFFAIRS, is_active=True, areas__code=enclosing_code(village_code, COUNTY)
        ).values_list("pk", flat=True)
    )


def _directors(village_code: str) -> list[int]:
    return list(
        User.objects.filter(role=Role.DIRECTOR, is_active=True, areas__code=village_code).values_list("pk", flat=True)
    )


def _area_staff(village_codes: set[str]) -> dict[int, tuple[str, set[str]]]:
    """For the villages given: user id -> (role, the villages among them the user answers for), for the active
    directors of each village, supervisors of its township and civil-affairs staff of its county (one query)."""
    codes = {c for v in village_codes for c in (v, enclosing_code(v, TOWNSHIP), enclosing_code(v, COUNTY))}
    rows = User.areas.through.objects.filter(
        area_id__in=codes,
        user__is_active=True,
        user__role__in=[Role.DIRECTOR, Role.SUPERVISOR, Role.CIVIL_AFFAIRS],
    ).values_list("user_id", "user__role", "area_id")
    level = {Role.DIRECTOR: VILLAGE, Role.SUPERVISOR: TOWNSHIP, Role.CIVIL_AFFAIRS: COUNTY}  # the area each answers at
    out: dict[int, tuple[str, set[str]]] = {}
    for user_id, role, area in rows:
        if len(area) != CODE_LENGTH[level[role]]:
            continue
        villages = {v for v in village_codes if v.startswith(area)}
        if villages:
            out.setdefault(user_id, (role, set()))[1].update(villages)
    return out


def unanswered_harm_notes(today: datetime.date) -> list[Notification]:
    """One reminder a day per person while visits that found harm have neither a report nor a recorded reason
    (guardianship.harm): to the village's directors, the township's supervisors and the county's staff."""
    visits = list(harm.unanswered_harm_visits().select_related("child").order_by("visited_at", "pk"))
    if not visits:
        return []
    staff = _area_staff({v.child.village_id for v in visits})
    notes = []
    for user_id, (role, villages) in staff.items():
        mine = [v for v in visits if v.child.village_id in villages]
        url = reverse("visits:worklist") if role == Role.DIRECTOR else reverse("guardianship:unreported_harm")
        notes.append(
            Notification(
                user_id=user_id,
                key=f"harm-unreported:{today}",
                url=url,
                title=_("%(n)d visits found harm and no mandatory report has been filed") % {"n": len(mine)},
                body="、".join(f"{v.child.name}（{timezone.localtime(v.visited_at):%m-%d}）" for v in mine[:60]),
            )
        )
    return notes


def review_notes(today: datetime.date) -> list[Notification]:
    """Intervention and temporary-placement reviews: to the county staff of the child's area REVIEW_NOTICE_DAYS
    before the date, on the date, and once when missed (rules.review_stage); the key names the date, so a new date
    is reminded afresh."""
    horizon = today + datetime.timedelta(days=rules.REVIEW_NOTICE_DAYS)
    titles = {
        "soon": _("Review due on %(date)s: %(child)s, %(what)s"),
        "due": _("Review due today: %(child)s, %(what)s"),
        "overdue": _("Review missed (due %(date)s): %(child)s, %(what)s"),
    }
    rows = [
        ("intervention", i, i.get_kind_display())
        for i in Intervention.objects.filter(active=True, review_on__lte=horizon).select_related("child")
    ] + [
        ("placement", p, _("temporary placement: %(where)s") % {"where": p.institution})
        for p in TemporaryPlacement.objects.filter(to_on__isnull=True, review_on__lte=horizon).select_related("child")
    ]
    notes = []
    for kind, row, what in rows:
        stage = rules.review_stage(row.review_on, today)
        if stage is None or row.child.status != "open":
            continue
        title = titles[stage] % {"date": row.review_on.isoformat(), "child": row.child.name, "what": what}
        for user_id in _county_staff(row.child.village_id):
            notes.append(
                Notification(
                    user_id=user_id,
                    key=f"{kind}-review:{row.pk}:{row.review_on}:{stage}",
                    title=title[:200],
                    url=reverse("children:detail", args=[row.child_id]) + "#guardianship",
                )
            )
    return notes


def daily(*, today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    notes: list[Notification] = []
    with translation.override(settings.LANGUAGE_CODE):
        open_referrals = (
            Referral.objects.filter(due_on__lt=today)
            .exclude(status__in=[ReferralStatus.DONE, ReferralStatus.DECLINED])
            .select_related("child", "department", "organisation")
        )
        for r in open_referrals:
            title = _("Referral overdue: %(child)s, %(service)s at %(dept)s (due %(date)s)") % {
                "child": r.child.name,
                "service": r.get_service_display(),
                "dept": r.recipient,
                "date": r.due_on.isoformat(),
            }
            for user_id in {
                *(p for p in [r.sent_by_id] if p),
                *_county_staff(r.child.village_id),
                *(
                    User.objects.filter(department=r.department, role=Role.LIAISON, is_active=True).values_list(
                        "pk", flat=True
                    )
                    if r.department_id
                    else ()
                ),
            }:
                notes.append(
                    Notification(
                        user_id=user_id,
                        key=f"referral-overdue:{r.pk}",
                        title=title,
                        url=reverse("guardianship:referral", args=[r.pk]),
                    )
                )
        for f in FollowUp.objects.filter(done_on__isnull=True, due_on__lt=today).select_related("child"):
            title = _("Follow-up overdue: %(child)s, %(what)s") % {"child": f.child.name, "what": f.description}
            for user_id in {f.owner_id, *_county_staff(f.child.village_id)}:
                notes.append(
                    Notification(
                        user_id=user_id,
                        key=f"followup-overdue:{f.pk}",
                        title=title[:200],
                        url=reverse("children:detail", args=[f.child_id]),
                    )
                )
        soon = today + datetime.timedelta(days=REASSESS_NOTICE_DAYS)
        latest = {}
        for a in (
            Assessment.objects.filter(next_on__isnull=False)
            .select_related("child")
            .order_by("child_id", "-assessed_on", "-id")
        ):
            latest.setdefault(a.child_id, a)
        for a in latest.values():
            if a.next_on <= soon and a.child.status == "open":
                title = _("Guardianship reassessment due by %(date)s: %(child)s") % {
                    "date": a.next_on.isoformat(),
                    "child": a.child.name,
                }
                for user_id in _directors(a.child.village_id):
                    notes.append(
                        Notification(
                            user_id=user_id,
                            key=f"reassess:{a.pk}",
                            title=title,
                            url=reverse("guardianship:assessment_new", args=[a.child_id]),
                        )
                    )
        notes += unanswered_harm_notes(today)
        notes += review_notes(today)
    with transaction.atomic():
        Notification.objects.bulk_create(notes, ignore_conflicts=True)
    return len(notes) + notify.liaisons_catch_up()
