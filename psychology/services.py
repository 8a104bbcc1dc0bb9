"""Writes of the psychological record. Only the child's area staff write (psychology.access.may_write).

- A screening is recorded with who screened, the instrument, the result level and the follow-up. A positive result
  proposes the psychological category (children.identification.propose_from_record: the director or county confirms
  it as any proposal) and the page then offers the referral (`screening_refer`, through guardianship.referrals).
- A counselling session is written as a care record of the archive (kind psychological, the counsellor, no notes:
  children.services.record_save) and as a session of this record holding the notes.
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Department, User
from children import identification
from children import services as child_services
from children.categories import Category
from children.models import CareKind, CareRecord, Child
from guardianship import referrals
from guardianship.models import Referral, ServiceType

from .access import POSITIVE_FACT, may_write
from .models import CounsellingSession, ResultLevel, Screening


def _require_write(user: User, child: Child) -> None:
    if not may_write(user, child):
        raise PermissionDenied(_("Only the child's area staff may change the psychological record."))
    if not child.is_open:
        raise ValidationError(_("This archive is closed and can no longer be changed."))


def _not_future(field: str, value: datetime.date | None, today: datetime.date) -> None:
    if value is not None and value > today:
        raise ValidationError({field: _("This date cannot be in the future.")})


@transaction.atomic
def screening_record(
    *, user: User, child: Child, screening: Screening, today: datetime.date | None = None
) -> Screening:
    today = today or timezone.localdate()
    _require_write(user, child)
    _not_future("screened_on", screening.screened_on, today)
    if screening.follow_up_due is not None and screening.follow_up_due < screening.screened_on:
        raise ValidationError({"follow_up_due": _("The follow-up cannot be due before the screening.")})
    if screening.level != ResultLevel.NORMAL and not screening.follow_up.strip():
        raise ValidationError({"follow_up": _("Say what follow-up is planned for this result.")})
    screening.child = child
    screening.created_by = user
    screening.full_clean(exclude=["child", "created_by", "proposal", "referral"])
    if screening.level == ResultLevel.POSITIVE:
        screening.proposal = identification.propose_from_record(
            child=child, category=Category.PSYCH_ABNORMAL, facts=POSITIVE_FACT
        )
    screening.save()
    return screening


@transaction.atomic
def follow_up_done(
    *, user: User, screening: Screening, on: datetime.date, note: str, today: datetime.date | None = None
) -> Screening:
    today = today or timezone.localdate()
    screening = Screening.objects.select_for_update().select_related("child").get(pk=screening.pk)
    _require_write(user, screening.child)
    if screening.follow_up_done_on is not None:
        raise ValidationError(_("This follow-up is already recorded as done."))
    _not_future("on", on, today)
    if on < screening.screened_on:
        raise ValidationError({"on": _("The follow-up cannot be before the screening.")})
    if not note.strip():
        raise ValidationError({"note": _("Say what was done.")})
    screening.follow_up_done_on = on
    screening.follow_up_note = note.strip()
    screening.save()
    return screening


@transaction.atomic
def screening_refer(
    *, user: User, screening: Screening, department: Department, reason: str, due_on: datetime.date
) -> Referral:
    """Refer the child of a positive (or needs-attention) screening for psychological counselling or treatment:
    guardianship.referrals.referral_send, which checks the department and shares the child with its liaisons."""
    screening = Screening.objects.select_for_update().select_related("child").get(pk=screening.pk)
    _require_write(user, screening.child)
    if screening.level == ResultLevel.NORMAL:
        raise ValidationError(_("Only a screening that found a difficulty is referred from here."))
    if screening.referral_id is not None:
        raise ValidationError(_("This screening has already been referred."))
    referral = referrals.referral_send(
        user=user,
        child=screening.child,
        department=department,
        service=ServiceType.PSYCHOLOGICAL,
        reason=reason,
        due_on=due_on,
    )
    screening.referral = referral
    screening.save(update_fields=["referral"])
    return referral


@transaction.atomic
def session_record(
    *, user: User, child: Child, session: CounsellingSession, today: datetime.date | None = None
) -> CounsellingSession:
    today = today or timezone.localdate()
    _require_write(user, child)
    _not_future("held_on", session.held_on, today)
    if session.next_on is not None and session.next_on <= session.held_on:
        raise ValidationError({"next_on": _("The next session comes after this one.")})
    session.child = child
    session.created_by = user
    session.full_clean(exclude=["child", "care_record", "created_by"])
    with translation.override(settings.LANGUAGE_CODE):  # stored text of the archive: in the system's language
        description = _("Psychological counselling session (notes in the psychological record)")
    record = CareRecord(
        kind=CareKind.PSYCHOLOGICAL, date=session.held_on, description=description, provider=session.counsellor
    )
    session.care_record = child_services.record_save(user=user, child=child, record=record)
    session.save()
    return session
