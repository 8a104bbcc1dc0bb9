import datetime

import pytest
from django.utils import timezone

from accounts.models import Role
from pairing.models import Helper, Organisation
from tests.factories import ChildFactory, DepartmentFactory, UserFactory

TODAY = timezone.localdate()


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


@pytest.fixture
def helper(tree, users):
    """A teacher of the county's education bureau (the `users.department` of the shared fixtures)."""
    return Helper.objects.create(
        name="李老师",
        kind="teacher",
        unit="东阁小学",
        department=users.department,
        county=tree.county,
        from_on=days_ago(400),
    )


@pytest.fixture
def other_liaison(tree):
    dept = DepartmentFactory(area=tree.county, name="平度市妇联", kind="womens_federation")
    return UserFactory(username="other_liaison", role=Role.LIAISON, department=dept)


@pytest.fixture
def other_county_child(tree):
    return ChildFactory(village=tree.v4)


def organisation(county, code: str, *, fostered: datetime.date, child_welfare: bool = True, **kw) -> Organisation:
    return Organisation.objects.create(
        name=kw.pop("name", f"社工机构{code[-4:]}"),
        kind=kw.pop("kind", "social_work"),
        child_welfare=child_welfare,
        county=county,
        registration_number=code,
        services="个案辅导、心理疏导",
        service_area="全市",
        from_on=fostered,
        **kw,
    )
