"""Sites demo data for the demo county (平度市): a workstation in every township (most in operation), a children's
home in two villages of three (some only planned), a week of opening days at the first home, and a positive
psychological screening of one child of the first village (with its category proposal). Bounded by the demo county's
size; run once (nothing is added when the county already has sites)."""

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import Area, AreaLevel, Role, User
from children.models import ArchiveStatus, Child
from demo.children import DEMO_COUNTY
from sites.models import Site, SiteKind, SiteOpening, SiteStaff, SiteStatus


@transaction.atomic
def seed_sites(*, today: datetime.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    prefix = DEMO_COUNTY[0]
    staff = User.objects.filter(username="county", role=Role.CIVIL_AFFAIRS).first()
    if staff is None or Site.objects.filter(area__code__startswith=prefix).exists():
        return {}
    since = datetime.date(today.year - 1, 9, 1)
    townships = list(Area.objects.filter(level=AreaLevel.TOWNSHIP, code__startswith=prefix).order_by("code"))
    villages = list(Area.objects.filter(level=AreaLevel.VILLAGE, code__startswith=prefix).order_by("code"))
    sites = [
        Site(
            kind=SiteKind.WORKSTATION,
            area=t,
            name=f"{t.name}未成年人保护工作站",
            status=SiteStatus.OPERATING if i % 4 else SiteStatus.BUILT,
            built_on=since,
            operating_since=since if i % 4 else None,
            created_by=staff,
        )
        for i, t in enumerate(townships)
    ]
    sites += [
        Site(
            kind=SiteKind.CHILDREN_HOME,
            area=v,
            name=f"{v.name}儿童之家",
            status=SiteStatus.OPERATING if i % 6 else SiteStatus.PLANNED,
            built_on=since if i % 6 else None,
            operating_since=since if i % 6 else None,
            created_by=staff,
        )
        for i, v in enumerate(villages)
        if i % 3 != 2
    ]
    Site.objects.bulk_create(sites)
    homes = Site.objects.filter(area__code__startswith=prefix, kind=SiteKind.CHILDREN_HOME, status=SiteStatus.OPERATING)
    first_home = homes.order_by("area_id").first()
    openings = 0
    if first_home:
        SiteStaff.objects.create(site=first_home, name="王主任", role="director", since=since)
        SiteOpening.objects.bulk_create(
            [
                SiteOpening(site=first_home, date=today - datetime.timedelta(days=d), hours=3, children_count=8 + d)
                for d in range(1, 8)
            ]
        )
        openings = 7
    screened = _screening(villages[0] if villages else None, today)
    return {"sites": len(sites), "openings": openings, "screenings": screened}


def _screening(village, today: datetime.date) -> int:
    from psychology import services
    from psychology.models import Screening

    director = User.objects.filter(role=Role.DIRECTOR, areas=village).first() if village else None
    child = Child.objects.filter(village=village, status=ArchiveStatus.OPEN).order_by("pk").first()
    if director is None or child is None:
        return 0
    services.screening_record(
        user=director,
        child=child,
        screening=Screening(
            screened_on=today - datetime.timedelta(days=3),
            screener="镇中学心理健康教师",
            instrument="中小学生心理健康量表（MHT）",
            level="positive",
            follow_up="一周内家访，联系卫健部门评估",
            follow_up_due=today + datetime.timedelta(days=7),
        ),
    )
    return 1
