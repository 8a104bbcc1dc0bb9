"""Exports through a profile: the profile's columns, the ID number masked for those who do not see it in full,
one access-log row per child exported, only the archives the user reads."""

import csv
import io

import pytest
from django.urls import reverse

from children.models import AccessLog
from exchange import exports
from exchange.models import MappingProfile
from tests.exchange.conftest import ID_DROPOUT, ID_PUPIL

pytestmark = pytest.mark.django_db


@pytest.fixture
def national(db):
    """A province's mapping of another system's template, added as data (headers typed in here)."""
    return MappingProfile.objects.create(
        name="全国儿童福利信息系统",
        columns={"name": ["儿童姓名"], "id_number": ["公民身份号码"], "birth_date": ["出生日期"]},
    )


def _rows(content: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.lstrip("\ufeff"))))


def test_civil_affairs_export_their_area_in_the_profiles_columns(client, users, lists, national):
    client.force_login(users.county_staff)
    response = client.get(reverse("exchange:profile_export") + f"?profile={national.pk}&format=csv")
    assert response.status_code == 200
    rows = _rows(response.content.decode("utf-8"))
    assert rows[0] == ["儿童姓名", "公民身份号码", "出生日期"]
    assert ["李小辍", ID_DROPOUT, "2015-06-01"] in rows
    assert len(rows) == 1 + 5  # the five open archives of county A (lists fixture)
    assert AccessLog.objects.filter(user=users.county_staff, action="export").count() == 5


def test_the_id_number_is_masked_for_a_role_that_does_not_see_it(users, lists, national):
    content, _name, _type = exports.export(users.other_supervisor, national, "csv")
    rows = _rows(content)
    assert rows[1:] == [["孙小学", ID_PUPIL[:6] + "********" + ID_PUPIL[-4:], "2012-01-15"]]  # only township 2's
    assert AccessLog.objects.filter(user=users.other_supervisor).count() == 1


def test_directors_and_liaisons_cannot_export(client, users, lists, national):
    for user in (users.director, users.liaison):
        client.force_login(user)
        assert client.get(reverse("exchange:profile_export") + f"?profile={national.pk}").status_code == 404
    assert not AccessLog.objects.exists()
