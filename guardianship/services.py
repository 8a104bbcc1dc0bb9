"""Writes of guardianship assessments. The grade becomes the child's risk grade, which the visit rules read."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from children import access
from children.models import Child

from . import rules
from .models import Assessment, AssessmentAnswer, Instrument, Item, Option


@transaction.atomic
def assessment_create(
    *,
    user: User,
    child: Child,
    instrument: Instrument,
    answers: dict[int, int],
    assessed_on: datetime.date,
    narrative: str = "",
    measures: str = "",
    next_on: datetime.date | None = None,
) -> Assessment:
    """`answers` maps every item of the instrument to one of its options."""
    if not access.can_edit_child(user, child):
        raise PermissionDenied(_("You may read this archive but not change it."))
    if assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": _("This date cannot be in the future.")})
    items = list(Item.objects.filter(dimension__instrument=instrument))
    options = {o.pk: o for o in Option.objects.filter(item__dimension__instrument=instrument)}
    missing = [i.text for i in items if i.pk not in answers]
    if missing:
        raise ValidationError(_("Answer every question: %(items)s.") % {"items": "、".join(missing)})
    chosen = []
    for item in items:
        option = options.get(answers[item.pk])
        if option is None or option.item_id != item.pk:
            raise ValidationError(_("The answer to “%(item)s” is not one of its options.") % {"item": item.text})
        chosen.append(option)
    score, grade = rules.grade_for([rules.Answer(o.score, o.critical) for o in chosen], instrument.thresholds)
    assessment = Assessment.objects.create(
        child=child,
        instrument=instrument,
        assessor=user,
        assessed_on=assessed_on,
        score=score,
        grade=grade,
        narrative=narrative,
        measures=measures,
        next_on=next_on,
    )
    AssessmentAnswer.objects.bulk_create(
        [AssessmentAnswer(assessment=assessment, item_id=o.item_id, option=o) for o in chosen]
    )
    latest = Assessment.objects.filter(child=child).order_by("-assessed_on", "-id").first()
    Child.objects.filter(pk=child.pk).update(risk_grade=latest.grade)
    from visits import schedule

    # A medium or high risk makes visits more frequent where rules say so, counting from the assessment.
    schedule.refresh(child_ids=[child.pk], changed_on=latest.assessed_on)
    return assessment
