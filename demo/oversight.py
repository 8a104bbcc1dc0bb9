"""Oversight demo data for the demo county (平度市): ledger entries and trainings for its directors, activities
(a safety event in some villages, workstation activities, home-schooling visits), and one spot check with a
finding for the demo director. Set-based and bounded by the demo county's size, so the 1,000,000-child seed
is not noticeably slower."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from accounts.models import Area, AreaLevel, Role, User
from children.models import ArchiveStatus, Child, Enrolment
from demo.children import DEMO_COUNTY
from oversight.models import Activity, ActivityKind, DirectorProfile, SpotCheck, Training


@transaction.atomic
def seed_oversight(*, seed: int = 2024, today: datetime.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    rng = random.Random(seed)
    prefix = DEMO_COUNTY[0]
    county = Area.objects.filter(code=prefix).first()
    staff = User.objects.filter(username="county", role=Role.CIVIL_AFFAIRS).first()
    if county is None or staff is None or SpotCheck.objects.filter(county=county).exists():
        return {}
    directors = list(User.objects.filter(role=Role.DIRECTOR, areas__code__startswith=prefix).distinct().order_by("pk"))
    DirectorProfile.objects.bulk_create(
        [
            DirectorProfile(
                director=d,
                appointed_on=datetime.date(today.year - 2, 3, 1),
                contact=d.phone,
                qualification=rng.choice(["", "assistant", "social_worker"]),
                entry_checked_on=datetime.date(today.year - 2, 2, 20),
                entry_check_result="clear",
            )
            for d in directors
        ],
        ignore_conflicts=True,
    )
    for p in DirectorProfile.objects.filter(director__in=directors, qualification__gt="", certificate_number=""):
        p.certificate_number = f"SG{p.director_id:06d}"
        p.save(update_fields=["certificate_number"])
    trainings = [
        Training(
            director=d,
            course="儿童主任业务能力提升培训",
            date=datetime.date(today.year, 1, 1)
            + datetime.timedelta(days=rng.randrange(max(1, today.timetuple().tm_yday))),
            hours=8,
            exam_result="passed",
            created_by=staff,
        )
        for i, d in enumerate(directors)
        if i % 3 != 2  # every third director is not trained this year
    ]
    Training.objects.bulk_create(trainings)

    villages = list(Area.objects.filter(level=AreaLevel.VILLAGE, code__startswith=prefix).order_by("code"))
    townships = list(Area.objects.filter(level=AreaLevel.TOWNSHIP, code__startswith=prefix).order_by("code"))
    activities = [
        Activity(
            kind=ActivityKind.SAFETY_EDUCATION,
            date=datetime.date(today.year, 6, 1) if today.month > 6 else today,
            area=v,
            place=f"{v.name}村委会",
            organiser=v.name,
            topic="防溺水安全教育",
            guardian_count=rng.randrange(5, 30),
            created_by=staff,
        )
        for i, v in enumerate(villages)
        if i % 2 == 0
    ]
    finished_quarters = (today.month - 1) // 3
    activities += [
        Activity(
            kind=ActivityKind.WORKSTATION,
            date=datetime.date(today.year, 3 * q - 1, 15),
            area=t,
            place=f"{t.name}未成年人保护工作站",
            organiser=f"{t.name}未成年人保护工作站",
            topic="“护苗”主题活动",
            created_by=staff,
        )
        for t in townships
        for q in range(1, finished_quarters + 1)
        if (q + int(t.code[-1])) % 4  # some quarters missed
    ]
    Activity.objects.bulk_create(activities)
    # Participants: the first demo village's open children joined its safety event.
    first_event = Activity.objects.filter(kind=ActivityKind.SAFETY_EDUCATION, area=villages[0]).first()
    through = Activity.children.through
    if first_event:
        ids = Child.objects.filter(village=villages[0], status=ArchiveStatus.OPEN).values_list("pk", flat=True)[:15]
        through.objects.bulk_create([through(activity_id=first_event.pk, child_id=pk) for pk in ids])
    # Home schooling: children taught at home in the first township got one visit last month (a miss to show).
    taught = list(
        Child.objects.filter(
            village__code__startswith=townships[0].code, status=ArchiveStatus.OPEN, enrolment=Enrolment.HOME_SCHOOLING
        ).values_list("pk", "village_id")[:20]
    )
    last_month = today.replace(day=1) - datetime.timedelta(days=1)
    for pk, village_id in taught:
        visit = Activity.objects.create(
            kind=ActivityKind.HOME_SCHOOLING,
            date=last_month.replace(day=10),
            area_id=village_id,
            place="学生家中",
            organiser="特殊教育学校",
            topic="送教上门",
            created_by=staff,
        )
        through.objects.create(activity_id=visit.pk, child_id=pk)

    from oversight import spotchecks

    check = spotchecks.spot_check_start(user=staff, county=county, per_township=5, seed=seed, today=today)
    items = list(check.items.order_by("pk")[:4])
    demo_item = check.items.filter(child__village_id="370283001001").first()
    if demo_item is not None and demo_item not in items:
        items.append(demo_item)
    passes = dict.fromkeys(spotchecks.CHECK_FIELDS, True)
    for i, item in enumerate(items):
        failed = i % 2 == 1 or item == demo_item
        spotchecks.item_record(
            user=staff,
            item=item,
            results={**passes, "visits_on_time": not failed},
            finding="近三个月未入户走访，请补访并更新档案" if failed else "",
            due_on=today + datetime.timedelta(days=14) if failed else None,
            today=today,
        )
    return {"directors": len(directors), "trainings": len(trainings), "activities": len(activities) + len(taught)}
