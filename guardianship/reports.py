"""Mandatory reports: filing, the status workflow, and the 24-hour acknowledgement escalation."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.areas import ancestor_prefixes
from accounts.models import PREFIX_LENGTH, Department, Notification, Role, User
from accounts.selectors import civil_affairs_over
from children import access

from . import rules
from .models import HarmType, Report, ReportStatus


def reports_for(user: User) -> QuerySet[Report]:
    """Reports a user may see: filed by them, in their area (civil affairs, supervisors, directors), or sent to
    their department; every report for an administrator."""
    related = ("child", "area", "handling_department", "reporter")
    if user.is_administrator:
        # Not through the Q below: in_areas_q is an empty Q() for them, and `Q(reporter=user) | Q()` is just
        # Q(reporter=user), which showed administrators only the reports they filed themselves.
        return Report.objects.select_related(*related)
    q = Q(reporter=user) | access.in_areas_q(user, "area__code")
    if user.department_id:
        q |= Q(handling_department_id=user.department_id)
    return Report.objects.filter(q).select_related(*related)


ONLINE_HARM_TYPES = (HarmType.ONLINE_HARM, HarmType.INTERNET_ADDICTION)


def online_counts(reports: QuerySet[Report]) -> list[tuple[str, str, int]]:
    """(kind, label, how many) of the online-protection kinds of harm among `reports` (000 #42–43, 004 §15), for
    the report list; one query."""
    counts = dict(
        reports.filter(harm_type__in=ONLINE_HARM_TYPES)
        .order_by()
        .values_list("harm_type")
        .annotate(n=Count("pk"))
        .values_list("harm_type", "n")
    )
    return [(kind.value, kind.label, counts.get(kind.value, 0)) for kind in ONLINE_HARM_TYPES]


def handling_departments(area_code: str) -> QuerySet[Department]:
    """The departments a report about a child of `area_code` (a village, or the area typed in for a child not
    registered) may be addressed to: those of the child's county and of the city and province above it, i.e. whose
    area's code prefix begins the child's code. The rule's one home: the form offers these, the service takes no
    other."""
    prefixes = [p for p in ancestor_prefixes(area_code) if len(p) <= PREFIX_LENGTH["county"]]
    return Department.objects.filter(area__prefix__in=prefixes)


def handling_department_choices(user: User, child=None) -> QuerySet[Department]:
    """What the report form offers: for a registered child, exactly its `handling_departments`; for a child not
    registered (the area is typed in on the same form), the departments of the user's areas and those above them,
    and the service checks the typed area."""
    if child is not None:
        departments = handling_departments(child.village_id)
    elif user.is_administrator:
        departments = Department.objects.all()
    else:
        q = Q(area__in=access.related_areas(user))
        if user.department_id:
            q |= Q(pk__in=handling_departments(user.department.area_id))
        departments = Department.objects.filter(q)
    return departments.select_related("area").order_by("area__code", "name")


def _check_handling_department(area_code: str, department_id: int | None) -> None:
    if department_id is not None and not handling_departments(area_code).filter(pk=department_id).exists():
        raise ValidationError(
            {
                "handling_department": _(
                    "A report can only go to a department of the child's county, or of the city or province above it."
                )
            }
        )


def can_act(user: User, report: Report) -> bool:
    """Civil affairs of the report's area, or the handling department's liaison, move it along."""
    if user.is_administrator:
        return True
    if user.role == Role.CIVIL_AFFAIRS and access.in_user_areas(user, report.area_id):
        return True
    return (
        user.role == Role.LIAISON
        and user.department_id is not None
        and user.department_id == report.handling_department_id
    )


@transaction.atomic
def report_file(*, user: User, report: Report) -> Report:
    """`report` is unsaved with its fields set. A child named must be one the user may see."""
    now = timezone.now()
    if report.child_id:
        child = access.get_child_for_user(user, report.child_id, level=access.Level.SHARED)
        report.area_id = child.village_id
    if not report.area_id:
        raise ValidationError({"area": _("Say where the child was found.")})
    _check_handling_department(report.area_id, report.handling_department_id)
    _check_found_at(report)
    for field in ("found_at", "reported_at"):
        if getattr(report, field) and getattr(report, field) > now + datetime.timedelta(minutes=10):
            raise ValidationError({field: _("This time cannot be in the future.")})
    report.reporter = user
    report.status = ReportStatus.FILED
    report.full_clean()
    report.save()
    from .notify import notify_new_report

    notify_new_report(report)  # at once, in this transaction: the liaisons, else the area's civil affairs
    return report


def _check_found_at(report: Report) -> None:
    """When the harm was found: filed from a visit, at the visit unless said otherwise, and never after it (the
    visit found it); never after it was reported. Whether the report is late follows (rules.reported_late)."""
    visit = report.visit if report.visit_id else None
    if visit is not None and report.found_at is None:
        report.found_at = visit.visited_at
    if visit is not None and report.found_at > visit.visited_at:
        raise ValidationError(
            {
                "found_at": _("The visit of %(time)s found this harm: it cannot have been found later.")
                % {"time": timezone.localtime(visit.visited_at).strftime("%Y-%m-%d %H:%M")}
            }
        )
    if report.found_at and report.reported_at and report.found_at > report.reported_at:
        raise ValidationError({"found_at": _("The harm cannot have been found after it was reported.")})


def late_q() -> Q:
    """Reports made late (rules.reported_late) as a query, from the same constant: for the list's "late" filter."""
    return Q(reported_at__gt=F("found_at") + rules.REPORT_WITHIN)


@transaction.atomic
def report_move(
    *,
    user: User,
    report: Report,
    status: str,
    handling_steps: str = "",
    outcome: str = "",
    reporter_informed: bool = False,
    handling_department=None,
) -> Report:
    report = Report.objects.select_for_update().get(pk=report.pk)
    if not can_act(user, report):
        raise PermissionDenied(_("Only civil affairs of the area or the handling department can do this."))
    if not rules.can_move(report.status, status):
        raise ValidationError(
            _("A report that is “%(now)s” cannot become “%(new)s”.")
            % {"now": report.get_status_display(), "new": ReportStatus(status).label}
        )
    if status == ReportStatus.CLOSED and not (outcome or report.outcome):
        raise ValidationError({"outcome": _("Record the outcome before closing the report.")})
    if status == ReportStatus.CLOSED and not (reporter_informed or report.reporter_informed):
        raise ValidationError({"reporter_informed": _("Tell the reporter the outcome before closing (004 §6).")})
    now = timezone.now()
    if status == ReportStatus.ACKNOWLEDGED:
        report.acknowledged_at, report.acknowledged_by = now, user
    if status == ReportStatus.CLOSED:
        report.closed_at = now
    report.status = status
    report.handling_steps = handling_steps or report.handling_steps
    report.outcome = outcome or report.outcome
    report.reporter_informed = reporter_informed or report.reporter_informed
    moved_to = None
    if handling_department is not None:
        _check_handling_department(report.area_id, handling_department.pk)
        if handling_department.pk != report.handling_department_id:
            moved_to = handling_department
        report.handling_department = handling_department
    report.save()
    if moved_to is not None:
        from .notify import notify_new_report

        notify_new_report(report)  # the new department hears of it as if it had been filed to them
    return report


def escalate_unacknowledged(*, now: datetime.datetime | None = None) -> int:
    """Reports not acknowledged within 24 hours go to the civil-affairs staff over their area (once each)."""
    now = now or timezone.now()
    late = Report.objects.filter(
        status=ReportStatus.FILED, created_at__lt=now - datetime.timedelta(hours=rules.ACKNOWLEDGE_WITHIN_HOURS)
    )
    notes = []
    with translation.override(settings.LANGUAGE_CODE):
        for report in late.select_related("area"):
            staff = civil_affairs_over(report.area_id)
            for user_id in staff.values_list("pk", flat=True).distinct():
                notes.append(
                    Notification(
                        user_id=user_id,
                        key=f"report-unacknowledged:{report.pk}",
                        title=_("A mandatory report has not been acknowledged within 24 hours"),
                        body=f"{report.area.name} · {report.get_harm_type_display()}",
                        url=reverse("guardianship:report", args=[report.pk]),
                    )
                )
    Notification.objects.bulk_create(notes, ignore_conflicts=True)
    return len(notes)
