"""Help-plan demo data: in the demo director's first village, the most urgent open child without a plan gets one
(a need, a goal, a measure of the director's due soon and one of a paired helper by name), and a dropout, if the
village has one, a return-to-school plan. The other children the rules name stay on the "missing help plans" list.
Run once (nothing is added when any plan exists)."""

import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from children.categories import CATEGORY_BITS, Category
from children.models import COLOUR_RANK, ArchiveStatus, Child
from plans import services
from plans.models import HelpPlan
from plans.services import NeedInput

FIRST_VILLAGE = "370283001001"


@transaction.atomic
def seed_plans(*, today: datetime.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    director = User.objects.filter(username="director").first()
    if director is None or HelpPlan.objects.exists():
        return {}
    open_children = Child.objects.filter(village_id=FIRST_VILLAGE, status=ArchiveStatus.OPEN)
    made = {}
    urgent = open_children.filter(colour__in=["red", "orange"]).order_by(COLOUR_RANK, "pk").first()
    if urgent is not None:
        plan = services.plan_create(
            user=director,
            child=urgent,
            kind="general",
            opened_on=today - datetime.timedelta(days=20),
            lead=director,
            summary="父母均在外务工，祖母年迈，孩子放学后无人看护。",
            needs=[NeedInput(description="放学后无人看护，晚饭不规律")],
        )
        goal = services.goal_add(user=director, plan=plan, description="每个上学日放学后有人看护")
        services.measure_add(
            user=director,
            plan=plan,
            goal=goal,
            description="联系在外务工的父母，商定委托照护安排",
            owner_kind="staff",
            owner=director,
            due_on=today + datetime.timedelta(days=3),
        )
        services.measure_add(
            user=director,
            plan=plan,
            goal=goal,
            description="每周两次放学后陪伴和辅导作业",
            owner_kind="helper",
            owner_name="王老师（结对帮扶）",
            due_on=today + datetime.timedelta(days=30),
        )
        made["plans"] = 1
    dropout = (
        open_children.exclude(pk=getattr(urgent, "pk", None))
        .alias(dropout=F("category_flags").bitand(CATEGORY_BITS[Category.DROPOUT]))
        .filter(dropout__gt=0)
        .order_by("pk")
        .first()
    )
    if dropout is not None:
        services.plan_create(
            user=director,
            child=dropout,
            kind="return_to_school",
            opened_on=today - datetime.timedelta(days=5),
            lead=director,
            school="平度市东阁街道中心中学",
            school_contact="班主任李老师",
            needs=[NeedInput(description="连续两周未到校，家长称孩子不愿上学")],
        )
        made["plans"] = made.get("plans", 0) + 1
    return made
