"""Yearly progress reports: remind the departments' liaisons 14 and 3 days before the plan's deadline, and
escalate to the region's civil affairs once it has passed. Idempotent by notification key."""

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Department, Notification, Role, User
from accounts.selectors import civil_affairs_over

from . import rules
from .models import Assignment, Plan, YearlyReport


def report_reminders(*, today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    notes: list[Notification] = []
    with translation.override(settings.LANGUAGE_CODE):
        for plan in Plan.objects.exclude(report_deadline="").select_related("region"):
            if not plan.start_year <= today.year <= plan.end_year:
                continue
            due = rules.report_due(plan.report_deadline, today.year)
            days_left = (due - today).days
            dept_ids = set(Assignment.objects.filter(task__action__plan=plan).values_list("department_id", flat=True))
            done = set(YearlyReport.objects.filter(plan=plan, year=today.year).values_list("department_id", flat=True))
            missing = dept_ids - done
            if not missing:
                continue
            if 0 <= days_left <= max(rules.REMIND_DAYS_BEFORE):
                stage = min(d for d in rules.REMIND_DAYS_BEFORE if days_left <= d)
                title = _("The %(year)d progress report for %(plan)s is due on %(date)s (%(n)d days left)") % {
                    "year": today.year,
                    "plan": plan.region.name,
                    "date": due.isoformat(),
                    "n": days_left,
                }
                for user_id in User.objects.filter(
                    role=Role.LIAISON, is_active=True, department_id__in=missing
                ).values_list("pk", flat=True):
                    notes.append(
                        Notification(
                            user_id=user_id,
                            key=f"report-due:{plan.pk}:{today.year}:{stage}",
                            title=title,
                            url=reverse("tasks:mine"),
                        )
                    )
            elif days_left < 0:
                names = "、".join(
                    Department.objects.filter(pk__in=missing).order_by("name").values_list("name", flat=True)
                )
                title = _("%(n)d departments missed the %(year)d progress report for %(plan)s") % {
                    "n": len(missing),
                    "year": today.year,
                    "plan": plan.region.name,
                }
                for user_id in civil_affairs_over(plan.region.prefix).values_list("pk", flat=True):
                    notes.append(
                        Notification(
                            user_id=user_id,
                            key=f"report-missed:{plan.pk}:{today.year}",
                            title=title,
                            body=names,
                            url=reverse("tasks:matrix"),
                        )
                    )
    with transaction.atomic():
        Notification.objects.bulk_create(notes, ignore_conflicts=True)
    return len(notes)
