"""Who hears of a mandatory report at once, and who heard.

The rule's one home (issue 15, "harm must reach someone, at once"): a new report goes to the active liaisons of its
handling department; when there is none (no department named, or a department without an active liaison account)
it goes to the civil-affairs staff answering for the child's area (accounts.selectors.civil_affairs_of), at once and
not only after the 24-hour escalation. A department that gets a liaison later is caught up (`liaison_catch_up`).
Every notification has a key, so writing again never writes twice.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Notification, Role, User
from accounts.selectors import civil_affairs_of

from .models import Referral, ReferralStatus, Report, ReportStatus


def report_key(report: Report) -> str:
    return f"report-new:{report.pk}"


def department_liaisons(department_id: int | None) -> QuerySet[User]:
    if department_id is None:
        return User.objects.none()
    return User.objects.filter(department_id=department_id, role=Role.LIAISON, is_active=True)


def report_recipients(report: Report) -> list[User]:
    """Who must hear of this report now: the handling department's active liaisons, else the area's civil affairs."""
    liaisons = list(department_liaisons(report.handling_department_id))
    return liaisons or list(civil_affairs_of(report.area_id))


def _report_note(report: Report, user_id: int) -> Notification:
    return Notification(
        user_id=user_id,
        key=report_key(report),
        title=_("New mandatory report: %(harm)s in %(area)s")
        % {"harm": report.get_harm_type_display(), "area": report.area.name},
        url=reverse("guardianship:report", args=[report.pk]),
    )


@transaction.atomic
def notify_new_report(report: Report) -> list[User]:
    """Notify `report_recipients` (once each) and return them."""
    recipients = report_recipients(report)
    with translation.override(settings.LANGUAGE_CODE):
        Notification.objects.bulk_create([_report_note(report, u.pk) for u in recipients], ignore_conflicts=True)
    return recipients


@dataclass(frozen=True)
class Notified:
    """One line of "who was notified": an office (department, or civil affairs of an area) and its people."""

    office: str
    names: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.office} {'、'.join(self.names)}"


def _office(user: User) -> str:
    if user.role == Role.LIAISON and user.department_id:
        return str(user.department)
    if user.role == Role.CIVIL_AFFAIRS:
        areas = "、".join(a.name for a in user.areas.all())
        return _("%(area)s civil affairs") % {"area": areas} if areas else str(user.get_role_display())
    return str(user.get_role_display())


def notified_about(report: Report) -> list[Notified]:
    """Who has been notified of the report (by anyone's hand: at filing, a department's new liaison, a change of
    department), grouped by office; two queries."""
    notes = (
        Notification.objects.filter(key=report_key(report))
        .select_related("user__department")
        .prefetch_related("user__areas")
        .order_by("user__role", "user__department_id", "user_id")
    )
    offices: dict[str, list[str]] = {}
    for note in notes:
        offices.setdefault(_office(note.user), []).append(str(note.user))
    return [Notified(office, tuple(names)) for office, names in offices.items()]


def notified_line(notified: list[Notified]) -> str:
    return "；".join(str(n) for n in notified)


@transaction.atomic
def liaison_catch_up(*, user: User) -> int:
    """A liaison account created or activated for a department: tell them of its open reports and referrals (with
    the keys those notifications have when sent, so nobody hears twice) and let them see the referred children
    (the department's group). Called when an administrator saves the user, and for every liaison by the daily
    sweep. Returns the number of notifications written."""
    if not (user.is_active and user.role == Role.LIAISON and user.department_id):
        return 0
    from .referrals import department_group

    reports = (
        Report.objects.filter(handling_department_id=user.department_id)
        .exclude(status=ReportStatus.CLOSED)
        .select_related("area")
    )
    referrals = (
        Referral.objects.filter(department_id=user.department_id)
        .exclude(status__in=[ReferralStatus.DONE, ReferralStatus.DECLINED])
        .select_related("department")
    )
    notes = []
    with translation.override(settings.LANGUAGE_CODE):
        notes += [_report_note(r, user.pk) for r in reports]
        notes += [
            Notification(
                user_id=user.pk,
                key=f"referral:{r.pk}",
                url=reverse("guardianship:referral", args=[r.pk]),
                title=_("New referral: %(service)s, due %(date)s")
                % {"service": r.get_service_display(), "date": r.due_on.isoformat()},
            )
            for r in referrals
        ]
    if referrals:
        department_group(user.department)  # adds the department's current liaisons to its group
    existing = set(Notification.objects.filter(user=user, key__in=[n.key for n in notes]).values_list("key", flat=True))
    new = [n for n in notes if n.key not in existing]
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def liaisons_catch_up() -> int:
    """`liaison_catch_up` for every active liaison of a department with open reports or referrals (daily sweep)."""
    departments = set(
        Report.objects.exclude(status=ReportStatus.CLOSED)
        .filter(handling_department__isnull=False)
        .values_list("handling_department_id", flat=True)
    ) | set(
        Referral.objects.exclude(status__in=[ReferralStatus.DONE, ReferralStatus.DECLINED]).values_list(
            "department_id", flat=True
        )
    )
    users = User.objects.filter(role=Role.LIAISON, is_active=True, department_id__in=departments)
    return sum(liaison_catch_up(user=u) for u in users)
