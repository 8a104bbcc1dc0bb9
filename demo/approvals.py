"""Approvals demo data: the second demo county (胶州市) lets its child directors close archives and change categories
directly (a local choice some counties make, issue 18; here only to show the setting), and in the demo county the
director of the first village has proposed adding a category to one child, waiting in the township supervisor's
worklist. Run once (nothing is added when a setting of that county or any request exists)."""

from django.db import transaction
from django.utils import timezone

from accounts.models import Area, User
from approvals import kinds, services
from approvals.models import Approval, ApprovalSetting
from children.models import ArchiveStatus, Child, ChildCategory

DIRECT_COUNTY = "370281"  # 胶州市, the demo's second county
FIRST_VILLAGE = "370283001001"


@transaction.atomic
def seed_approvals() -> dict[str, int]:
    made = {}
    county = Area.objects.filter(code=DIRECT_COUNTY).first()
    if county and not ApprovalSetting.objects.filter(area=county).exists():
        ApprovalSetting.objects.create(
            name="胶州市：儿童主任直接办理（演示）",
            area=county,
            required=False,
            source="演示数据：部分县区允许儿童主任直接办理（地方取值）",
        )
        made["settings"] = 1
    director = User.objects.filter(username="director").first()
    if director is None or Approval.objects.exists():
        return made
    held = ChildCategory.objects.filter(category="dropout", ended_on__isnull=True).values("child_id")
    child = (
        Child.objects.filter(village_id=FIRST_VILLAGE, status=ArchiveStatus.OPEN)
        .exclude(pk__in=held)
        .order_by("pk")
        .first()
    )
    if child is None:
        return made
    approval = services.request_or_apply(
        kind=kinds.CATEGORY_ADD,
        child=child,
        user=director,
        payload={"category": "dropout", "started_on": timezone.localdate(), "note": "连续两周未到校，学校已告知"},
        reason="连续两周未到校，学校已告知",
    )
    made["requests"] = 1 if approval else 0
    return made
