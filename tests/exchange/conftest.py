"""Fixtures of the list-submission tests: a school list and a police list of county A's departments, and children
with ID numbers typed in (tests.idnumbers.KNOWN_VALID, region 370283)."""

import datetime
from types import SimpleNamespace

import pytest

from accounts.models import Role
from exchange import matching, profiles
from exchange.models import Source
from tests.factories import CategoryFactory, ChildFactory, DepartmentFactory, FamilyMemberFactory, UserFactory

# Typed in (tests/idnumbers.py KNOWN_VALID): region 370283, birth date in digits 7-14.
ID_DROPOUT = "370283201506010115"  # 2015-06-01
ID_DETAINED = "370283201407190114"  # 2014-07-19
ID_RETURNED = "370283201303040111"  # 2013-03-04
ID_DIED = "370283201812310116"  # 2018-12-31
ID_PUPIL = "370283201201150133"  # 2012-01-15
ID_UNREGISTERED = "370283201710080137"  # 2017-10-08, no archive


def receive(user, source, rows, profile=None):
    return matching.submission_receive(
        user=user, source=source, records=profiles.json_records(rows, profile), via="api", profile=profile
    )


@pytest.fixture
def lists(tree, users):
    police_dept = DepartmentFactory(area=tree.county, name="平度市公安局", kind="public_security")
    police_liaison = UserFactory(username="police", role=Role.LIAISON, department=police_dept)
    returned = ChildFactory(village=tree.v1, id_number=ID_RETURNED, birth_date=datetime.date(2013, 3, 4), name="王小返")
    CategoryFactory(child=returned, category="left_behind_rural", started_on=datetime.date(2026, 1, 5))
    FamilyMemberFactory(child=returned, relation="father", name="王大明", situation="working_away")
    return SimpleNamespace(
        school=Source.objects.create(department=users.department, kind="school", expected_every_days=31),
        police=Source.objects.create(department=police_dept, kind="police"),
        police_liaison=police_liaison,
        dropout=ChildFactory(
            village=tree.v1, id_number=ID_DROPOUT, birth_date=datetime.date(2015, 6, 1), name="李小辍"
        ),
        detained=ChildFactory(
            village=tree.v1, id_number=ID_DETAINED, birth_date=datetime.date(2014, 7, 19), name="张小押"
        ),
        returned=returned,
        died=ChildFactory(village=tree.v1, id_number=ID_DIED, birth_date=datetime.date(2018, 12, 31), name="赵小故"),
        pupil=ChildFactory(village=tree.v3, id_number=ID_PUPIL, birth_date=datetime.date(2012, 1, 15), name="孙小学"),
    )
