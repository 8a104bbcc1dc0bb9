"""Writes to the task matrix: only a department's own liaison changes its assignments."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from children.uploads import check_upload_for

from .models import Assignment, ProgressNote, Status

EVIDENCE_KINDS = {"pdf", "jpeg", "png"}


def can_update(user: User, assignment: Assignment) -> bool:
    return user.is_administrator or (user.department_id is not None and user.department_id == assignment.department_id)


@transaction.atomic
def assignment_update(
    *, user: User, assignment: Assignment, status: str, note: str = "", evidence=None, on=None
) -> Assignment:
    if not can_update(user, assignment):
        raise PermissionDenied(_("Only the department's own liaison can update this task."))
    if status not in Status.values:
        raise ValidationError({"status": _("Choose a status.")})
    if status == Status.DONE and not note and not assignment.notes.exists():
        raise ValidationError({"note": _("Say what was done before marking the task done.")})
    _check_evidence(evidence)
    if note or evidence:
        ProgressNote.objects.create(
            assignment=assignment,
            date=on or timezone.localdate(),
            note=note or "",
            evidence=evidence or "",
            created_by=user,
        )
    assignment.status = status
    assignment.updated_by = user
    assignment.updated_at = timezone.now()
    assignment.save()
    return assignment


def _check_evidence(evidence) -> None:
    if evidence:
        check_upload_for("evidence", evidence, kinds=EVIDENCE_KINDS)


@transaction.atomic
def period_record_create(
    *,
    user: User,
    assignment: Assignment,
    period_start,
    done_on,
    place: str = "",
    children_reached: int = 0,
    guardians_reached: int = 0,
    note: str = "",
    evidence=None,
):
    """Record what was done in one period of a recurring task."""
    from . import rules
    from .models import PeriodRecord

    if not can_update(user, assignment):
        raise PermissionDenied(_("Only the department's own liaison can update this task."))
    plan = assignment.task.action.plan
    today = timezone.localdate()
    period = next(
        (
            p
            for p in rules.periods(assignment.task.recurrence, plan.start_year, plan.end_year, today)
            if p.start == period_start
        ),
        None,
    )
    if period is None:
        raise ValidationError({"period_start": _("Choose one of the task's periods.")})
    if done_on > today:
        raise ValidationError({"done_on": _("This date cannot be in the future.")})
    if not period.start <= done_on <= period.end:
        raise ValidationError({"done_on": _("The date must fall within the period.")})
    _check_evidence(evidence)
    return PeriodRecord.objects.create(
        assignment=assignment,
        period_start=period.start,
        period_end=period.end,
        done_on=done_on,
        place=place,
        children_reached=children_reached,
        guardians_reached=guardians_reached,
        note=note,
        evidence=evidence or "",
        created_by=user,
    )


@transaction.atomic
def yearly_report_submit(*, user: User, plan, year: int, summary: str, evidence=None):
    from django.db import IntegrityError

    from .models import YearlyReport

    if not user.department_id or not plan.assignments_exist_for(user.department_id):
        raise PermissionDenied(_("Only a liaison of one of the plan's departments can submit its report."))
    if not summary.strip():
        raise ValidationError({"summary": _("Write the report.")})
    _check_evidence(evidence)
    try:
        with transaction.atomic():
            return YearlyReport.objects.create(
                plan=plan,
                department_id=user.department_id,
                year=year,
                summary=summary,
                evidence=evidence or "",
                submitted_by=user,
            )
    except IntegrityError:
        raise ValidationError(_("Your department has already submitted this year's report.")) from None
