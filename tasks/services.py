"""Writes to the task matrix: only a department's own liaison changes its assignments."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from children.uploads import check_upload

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
    if evidence:
        try:
            check_upload(evidence, kinds=EVIDENCE_KINDS)
        except ValidationError as exc:
            raise ValidationError({"evidence": exc.messages}) from None
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
