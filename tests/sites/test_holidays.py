import datetime

import pytest
from django.urls import reverse

from accounts.models import Notification
from children import access
from oversight.models import Activity
from sites import holidays
from sites.models import HolidayCalendar
from sites.tasks import holiday_safety_reminders
from tests.factories import UserFactory

D = datetime.date


@pytest.fixture
def calendar_world(users, tree):
    """County A sets its calendar: winter holiday from 31 January, lectures count 10 days before, reminders from 7
    days before. County B keeps the system's defaults (20 January). Lectures: v1 on 22 January 2027 (counts), v2 on
    10 January (too early), v3 none, v4 (county B) none; a township event in t1 does not count for its villages."""
    HolidayCalendar.objects.create(
        area=tree.county, winter_month=1, winter_day=31, summer_month=7, summer_day=5, window_days=10, remind_days=7
    )
    for area, day in ((tree.v1, D(2027, 1, 22)), (tree.v2, D(2027, 1, 10)), (tree.t1, D(2027, 1, 25))):
        Activity.objects.create(kind="safety_education", area=area, date=day, place="村委会", topic="寒假安全")
    Activity.objects.create(kind="parent_training", area=tree.v3, date=D(2027, 1, 25), place="村委会", topic="家长课")
    return SimpleWorld(director3=UserFactory(username="director3", role="director", areas=[tree.v3]))


class SimpleWorld:
    def __init__(self, **kw):
        self.__dict__.update(kw)


def test_the_list_groups_villages_by_their_regions_holiday(users, tree, calendar_world):
    table = holidays.calendars()
    mine = holidays.missing_list(access.visible_villages(users.county_staff), "winter", 2027, table)
    assert mine["n"] == 2
    (group,) = mine["groups"]
    assert group["start"] == D(2027, 1, 31) and group["first"] == D(2027, 1, 21)
    assert [v.code for v in group["villages"]] == [tree.v2.code, tree.v3.code]
    every = holidays.missing_list(access.visible_villages(UserFactory(is_superuser=True)), "winter", 2027, table)
    assert every["n"] == 3
    assert {g["start"]: [v.code for v in g["villages"]] for g in every["groups"]}[D(2027, 1, 20)] == [tree.v4.code]


def test_the_page_lists_them(client, users, tree, calendar_world):
    client.force_login(users.supervisor)
    body = client.get(reverse("sites:holiday_safety"), {"season": "winter", "year": 2027}).content.decode()
    assert body.count('class="missing-village"') == 1 and tree.v2.name in body  # t1's villages only
    assert client.get(reverse("sites:holiday_safety"), {"season": "x", "year": "y"}).status_code == 200


def test_the_daily_reminder_goes_to_the_villages_directors_and_supervisors_once_per_stage(users, tree, calendar_world):
    assert holiday_safety_reminders("2027-01-23") == {"notified": 0, "emailed": 0}  # 8 days before: not yet
    holiday_safety_reminders("2027-01-26")
    notes = {n.user.username: n for n in Notification.objects.select_related("user")}
    # v2's director and t1's supervisor (v2), v3's director and t2's supervisor (v3); v1 held one in time.
    assert set(notes) == {"other_director", "supervisor", "director3", "other_supervisor"}
    assert "1" in notes["supervisor"].title and notes["supervisor"].key == "holiday-safety:2027-01-31:first"
    holiday_safety_reminders("2027-01-27")  # the next day: the same stage, nothing new
    assert Notification.objects.count() == 4
    holiday_safety_reminders("2027-01-29")  # the last days: the final reminder
    assert Notification.objects.filter(key="holiday-safety:2027-01-31:final").count() == 4
    assert holiday_safety_reminders("2027-01-31") == {"notified": 0, "emailed": 0}  # the holiday has started
