"""Pairing demo data for the demo county (平度市): the county's civil affairs register six helpers (teachers of the
education bureau, a caring mother, a party member, a volunteer) and three social organisations (one child-welfare
organisation fostered this year, so 平度市 is not on the list of counties that missed 000 #52; 胶州市, the second
county, has none and is); the demo director pairs four children of the first village (one contacted lately, two
with no contact for over a month, so the no-contact list and its daily reminder show them, one pairing ended) and the
second village's director one child. Contacts are recorded by the director and, for a teacher, by the education
bureau's liaison. Run once (nothing is added when the county already has helpers)."""

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import Area, Department, User
from children.models import COLOUR_RANK, ArchiveStatus, Child
from pairing import services
from pairing.models import Helper, Organisation

from .children import DEMO_COUNTY

FIRST_VILLAGE = "370283001001"
SECOND_VILLAGE = "370283001002"

# (name, kind, work unit, of the education bureau)
HELPERS = [
    ("李春燕", "teacher", "平度市东阁街道中心小学", True),
    ("王海峰", "teacher", "平度市第二中学", True),
    ("张秀英", "caring_mother", "东阁街道妇联", False),
    ("刘志强", "party_member", "东阁街道党工委", False),
    ("陈晓雨", "volunteer", "平度市青年志愿者协会", False),
    ("赵丽华", "teacher", "平度市明村镇中心小学", True),
]
# (name, kind, child welfare, unified social credit code (check characters worked out by hand), services, years ago)
ORGANISATIONS = [
    ("平度市阳光儿童关爱服务中心", "social_work", True, "52370283MJ04123450", "个案辅导、心理疏导、课后托管", 0),
    ("平度市春晖社会工作服务中心", "social_work", True, "52370283MJ04567893", "困境儿童家庭走访、监护指导", 2),
    ("平度市爱心志愿者协会", "volunteer", False, "53370283MJ0501122R", "节假日陪伴、助学物资募集", 4),
]
# (helper's index, days paired ago, help agreed, contacts as (days ago, kind, summary), ended days ago or None)
FIRST_VILLAGE_PAIRINGS = [
    (
        0,
        120,
        "每周辅导数学和语文作业",
        [(100, "school", "在学校辅导数学作业"), (60, "home_visit", "家访，检查暑假作业"), (9, "school", "讲解试卷")],
        None,
    ),
    (2, 90, "节假日陪伴、生活照料", [(75, "home_visit", "陪孩子过端午节"), (41, "wechat", "视频聊天，了解近况")], None),
    (4, 45, "每月一次户外活动和读书分享", [], None),
    (3, 200, "帮助解决家庭生活困难", [(150, "home_visit", "送去冬衣和学习用品")], 30),
]


def _day(today: datetime.date, days_ago: int) -> datetime.date:
    return today - datetime.timedelta(days=days_ago)


@transaction.atomic
def seed_pairing(*, today: datetime.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    county = Area.objects.filter(code=DEMO_COUNTY[0]).first()
    staff = User.objects.filter(username="county").first()
    director = User.objects.filter(username="director").first()
    if county is None or staff is None or director is None or Helper.objects.filter(county=county).exists():
        return {}
    education = Department.objects.filter(area=county, kind="education").first()
    since = datetime.date(today.year - 1, 9, 1)
    helpers = [
        services.helper_save(
            user=staff,
            helper=Helper(
                name=name,
                kind=kind,
                unit=unit,
                department=education if of_education else None,
                county=county,
                from_on=since,
            ),
        )
        for name, kind, unit, of_education in HELPERS
    ]
    for name, kind, welfare, code, offered, years in ORGANISATIONS:
        fostered = min(today, datetime.date(today.year - years, 3, 15))
        services.organisation_save(
            user=staff,
            organisation=Organisation(
                name=name,
                kind=kind,
                child_welfare=welfare,
                county=county,
                registration_number=code,
                services=offered,
                service_area="平度市",
                from_on=fostered,
            ),
        )
    liaison = User.objects.filter(username="liaison", department=education).first() if education else None
    children = list(
        Child.objects.filter(village_id=FIRST_VILLAGE, status=ArchiveStatus.OPEN).order_by(COLOUR_RANK, "pk")[
            : len(FIRST_VILLAGE_PAIRINGS)
        ]
    )
    pairings = contacts = 0
    for child, (index, days, aims, visits, ended) in zip(children, FIRST_VILLAGE_PAIRINGS, strict=False):
        pairing = services.pairing_create(
            user=director, child=child, helper=helpers[index], from_on=_day(today, days), aims=aims
        )
        pairings += 1
        for n, (ago, kind, summary) in enumerate(visits):
            teacher = helpers[index].department_id is not None and liaison is not None and n % 2 == 0
            services.contact_record(
                user=liaison if teacher else director,
                pairing=pairing,
                contacted_on=_day(today, ago),
                kind=kind,
                summary=summary,
            )
            contacts += 1
        if ended is not None:
            services.pairing_end(user=director, pairing=pairing, to_on=_day(today, ended))
    second = User.objects.filter(username="director2").first()
    child = Child.objects.filter(village_id=SECOND_VILLAGE, status=ArchiveStatus.OPEN).order_by("pk").first()
    if second is not None and child is not None:
        pairing = services.pairing_create(
            user=second, child=child, helper=helpers[1], from_on=_day(today, 60), aims="每周一次学业辅导"
        )
        services.contact_record(
            user=second, pairing=pairing, contacted_on=_day(today, 6), kind="phone", summary="电话了解学习情况"
        )
        pairings += 1
        contacts += 1
    return {"helpers": len(helpers), "organisations": len(ORGANISATIONS), "pairings": pairings, "contacts": contacts}
