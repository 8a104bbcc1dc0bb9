"""Daily guardianship reminders, idempotent by notification key: overdue referrals and case-conference follow-ups
are escalated, and reassessments falling due are reminded to the child's directors."""

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Notification, Role, User
from accounts.selectors import civil_affairs_over

from .models import Assessment, FollowUp, Referral, ReferralStatus

REASSESS_NOTICE_DAYS = 7


def _county_staff(village_code: str) -> list[int]:
    return list(
        User.objects.filter(role=Role.CIVIL_AFFAIRS, is_active=True, areas__code=village_code[:6]).values_list(
            "pk", flat=True
        )
    )


def _directors(village_code: str) -> list[int]:
    return list(
        User.objects.filter(role=Role.DIRECTOR, is_active=True, areas__code=village_code).values_list("pk", flat=True)
    )


def daily(*, today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    notes: list[Notification] = []
    with translation.override(settings.LANGUAGE_CODE):
        open_referrals = (
            Referral.objects.filter(due_on__lt=today)
            .exclude(status__in=[ReferralStatus.DONE, ReferralStatus.DECLINED])
            .select_related("child", "department")
        )
        for r in open_referrals:
            title = _("Referral overdue: %(child)s, %(service)s at %(dept)s (due %(date)s)") % {
                "child": r.child.name,
                "service": r.get_service_display(),
                "dept": r.department,
                "date": r.due_on.isoformat(),
            }
            for user_id in {
                *(p for p in [r.sent_by_id] if p),
                *_county_staff(r.child.village_id),
                *User.objects.filter(department=r.department, role=Role.LIAISON, is_active=True).values_list(
                    "pk", flat=True
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
        for f in FollowUp.objects.filter(done_on__isnull=True, due_on__lt=today).select_related("conference__child"):
            title = _("Case-conference follow-up overdue: %(child)s, %(what)s") % {
                "child": f.conference.child.name,
                "what": f.description,
            }
            for user_id in {f.owner_id, *_county_staff(f.conference.child.village_id)}:
                notes.append(
                    Notification(
                        user_id=user_id,
                        key=f"followup-overdue:{f.pk}",
                        title=title,
                        url=reverse("children:detail", args=[f.conference.child_id]),
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
    with transaction.atomic():
        Notification.objects.bulk_create(notes, ignore_conflicts=True)
    return len(notes)


def notify_new_report(report) -> None:
    """A new mandatory report reaches the handling department's liaisons, or the area's civil affairs."""
    with translation.override(settings.LANGUAGE_CODE):
        title = _("New mandatory report: %(harm)s in %(area)s") % {
            "harm": report.get_harm_type_display(),
            "area": report.area.name,
        }
        if report.handling_department_id:
            users = User.objects.filter(department_id=report.handling_department_id, role=Role.LIAISON, is_active=True)
        else:
            users = civil_affairs_over(report.area_id)
        Notification.objects.bulk_create(
            [
                Notification(
                    user_id=pk,
                    key=f"report-new:{report.pk}",
                    title=title,
                    url=reverse("guardianship:report", args=[report.pk]),
                )
                for pk in users.values_list("pk", flat=True).distinct()
            ],
            ignore_conflicts=True,
        )
