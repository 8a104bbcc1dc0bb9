"""The archives' daily sweep (children.sweep, run first by the visit sweep): archives close at 18, directors are told
the week before, left-behind categories end at the region's age limit. ID numbers and birth dates typed in."""

import datetime

import pytest

from accounts.models import Notification
from children import sweep
from children.models import ArchiveStatus, Child, ChildCategory, IdentificationRules
from tests.factories import CategoryFactory, ChildFactory
from visits import reminders, schedule
from visits.models import VisitSchedule

D = datetime.date
TODAY = D(2026, 11, 29)


def child(village, id_number, birth, **kw):
    c = ChildFactory(village=village, id_number=id_number, birth_date=birth, registered_on=D(2026, 1, 5), **kw)
    schedule.refresh(child_ids=[c.pk])
    return c


@pytest.fixture
def kids(tree, users):
    return {
        "today": child(tree.v1, "370283200811290016", D(2008, 11, 29), name="今天满十八"),
        "tomorrow": child(tree.v1, "370283200811300034", D(2008, 11, 30), name="明天满十八"),
        "in_7": child(tree.v1, "370283200812060052", D(2008, 12, 6), name="七天后满十八"),
        "in_8": child(tree.v1, "370283200812070074", D(2008, 12, 7), name="八天后满十八"),
    }


@pytest.mark.django_db
def test_an_archive_closes_on_the_18th_birthday_with_history_and_no_schedule(kids):
    assert VisitSchedule.objects.filter(child=kids["today"]).exists()
    closed = sweep.close_adults(TODAY)

    assert closed == [kids["today"].pk]
    c = Child.objects.get(pk=kids["today"].pk)
    assert (c.status, c.close_reason, c.closed_on) == (ArchiveStatus.CLOSED, "turned_18", D(2026, 11, 29))
    last = c.history.order_by("-history_id").first()
    assert (last.status, last.history_type, last.history_change_reason) == ("closed", "~", "turned 18")
    assert not VisitSchedule.objects.filter(child=c).exists()
    assert Child.objects.get(pk=kids["tomorrow"].pk).status == ArchiveStatus.OPEN  # the day before: open
    assert sweep.close_adults(TODAY) == []  # twice: nothing more
    assert c.history.count() == 2


@pytest.mark.django_db
def test_a_sweep_after_missed_days_dates_the_closing_on_the_birthday(kids):
    sweep.close_adults(D(2026, 12, 3))
    assert Child.objects.get(pk=kids["tomorrow"].pk).closed_on == D(2026, 11, 30)
    assert Child.objects.get(pk=kids["in_7"].pk).status == ArchiveStatus.OPEN


@pytest.mark.django_db
def test_the_director_is_told_the_week_before_once(kids, users):
    notes = sweep.turning_18_notes(TODAY)
    told = {n.key.split(":")[1] for n in notes}
    assert told == {str(kids["tomorrow"].pk), str(kids["in_7"].pk)}  # not today's (closing), not in 8 days
    assert {n.user_id for n in notes} == {users.director.pk}  # the village's director only
    sweep.daily(TODAY)
    sweep.daily(TODAY + datetime.timedelta(days=1))
    assert Notification.objects.filter(key__startswith="turning-18:", user=users.director).count() == 3  # + in_8


@pytest.mark.django_db
def test_left_behind_ends_at_the_regions_age_limit(tree, users):
    sixteen = child(tree.v1, "370283201006150090", D(2010, 6, 15))
    younger = child(tree.v1, "370283201006160010", D(2010, 6, 16))
    for c in (sixteen, younger):
        CategoryFactory(child=c, category="left_behind_rural", started_on=D(2026, 1, 5))
        CategoryFactory(child=c, category="dropout", started_on=D(2026, 1, 5))
    schedule.refresh(child_ids=[sixteen.pk, younger.pk])

    assert sweep.end_left_behind(D(2026, 6, 14)) == []  # the day before the 16th birthday
    assert sweep.end_left_behind(D(2026, 6, 15)) == [sixteen.pk]

    ended = ChildCategory.objects.get(child=sixteen, category="left_behind_rural")
    assert ended.ended_on == D(2026, 6, 15) and ended.history.order_by("-history_id").first().ended_on == ended.ended_on
    sixteen.refresh_from_db()
    assert sixteen.category_flags == 1 << 10  # dropout only
    assert ChildCategory.objects.get(child=sixteen, category="dropout").ended_on is None
    assert ChildCategory.objects.get(child=younger, category="left_behind_rural").ended_on is None
    assert sweep.end_left_behind(D(2026, 6, 15)) == []


@pytest.mark.django_db
def test_a_region_sets_its_own_age_limit(tree, users):
    IdentificationRules.objects.create(name="平度市", area=tree.county, left_behind_max_age=14)
    c = child(tree.v1, "370283201006150090", D(2010, 6, 15))
    other = child(tree.v4, "370281201006150012", D(2010, 6, 15))
    for x in (c, other):
        CategoryFactory(child=x, category="left_behind_rural", started_on=D(2020, 1, 5))
    assert sweep.end_left_behind(D(2026, 1, 1)) == [c.pk]  # 15 years old: over Pingdu's 14, under the default 16
    assert ChildCategory.objects.get(child=c).ended_on == D(2024, 6, 15)


@pytest.mark.django_db
def test_the_visit_sweep_closes_first_so_nobody_18_is_reminded(kids, users):
    reminders.daily_sweep(today=TODAY)
    note = Notification.objects.get(user=users.director, key=f"visits-due:{TODAY}")
    assert "今天满十八" not in note.body and "明天满十八" in note.body
    assert Child.objects.get(pk=kids["today"].pk).status == ArchiveStatus.CLOSED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("birth", "id_number", "refused"),
    [
        (D(2008, 11, 29), "370283200811290016", True),  # 18 today
        (D(2008, 11, 30), "370283200811300034", False),  # 18 tomorrow
    ],
)
def test_registration_refuses_at_18_by_the_same_rule(tree, users, birth, id_number, refused):
    import time_machine
    from django.core.exceptions import ValidationError

    from children import services
    from children.models import Child

    new = Child(name="登记测试", id_number=id_number, sex="M", birth_date=birth, village=tree.v1, registered_on=TODAY)
    with time_machine.travel(
        datetime.datetime(2026, 11, 29, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8))), tick=False
    ):
        if refused:
            with pytest.raises(ValidationError, match="18"):
                services.child_register(user=users.director, child=new)
        else:
            assert services.child_register(user=users.director, child=new).pk


# --- Boundaries written by hand: 29 February ---------------------------------------------------------------------
@pytest.mark.django_db
def test_born_on_29_february_the_archive_closes_on_1_march_in_a_common_year(tree, users):
    leap = child(tree.v1, "370283200802290110", D(2008, 2, 29), name="闰日生")
    day_before = child(tree.v1, "370283200802280131", D(2008, 2, 28), name="二月廿八生")

    assert sweep.close_adults(D(2026, 2, 27)) == []
    assert {n.key for n in sweep.turning_18_notes(D(2026, 2, 27))} == {
        f"turning-18:{leap.pk}:2026-03-01",
        f"turning-18:{day_before.pk}:2026-02-28",
    }
    assert sweep.close_adults(D(2026, 2, 28)) == [day_before.pk]  # 2026 has no 29 February: still 17
    assert Child.objects.get(pk=leap.pk).status == ArchiveStatus.OPEN
    assert sweep.close_adults(D(2026, 3, 1)) == [leap.pk]
    assert Child.objects.get(pk=leap.pk).closed_on == D(2026, 3, 1)


@pytest.mark.django_db
def test_on_29_february_whoever_was_born_on_the_28th_is_18(tree, users):
    born_28 = child(tree.v1, "370283201002280154", D(2010, 2, 28))
    born_1_march = child(tree.v1, "370283201003010172", D(2010, 3, 1))

    assert sweep.close_adults(D(2028, 2, 29)) == [born_28.pk]  # a sweep that missed the 28th dates it the birthday
    assert Child.objects.get(pk=born_28.pk).closed_on == D(2028, 2, 28)
    assert Child.objects.get(pk=born_1_march.pk).status == ArchiveStatus.OPEN
    assert [n.key for n in sweep.turning_18_notes(D(2028, 2, 29))] == [f"turning-18:{born_1_march.pk}:2028-03-01"]


@pytest.mark.django_db
def test_left_behind_ends_on_a_29_february_birthday_in_a_leap_year(tree, users):
    leap = child(tree.v1, "370283201202290197", D(2012, 2, 29))
    later = child(tree.v1, "370283201203010214", D(2012, 3, 1))
    for c in (leap, later):
        CategoryFactory(child=c, category="left_behind_rural", started_on=D(2020, 1, 5))

    assert sweep.end_left_behind(D(2028, 2, 28)) == []  # 15 the day before the 16th birthday
    assert sweep.end_left_behind(D(2028, 2, 29)) == [leap.pk]  # 2028 has a 29 February: 16 that day
    assert ChildCategory.objects.get(child=leap).ended_on == D(2028, 2, 29)
    assert ChildCategory.objects.get(child=later).ended_on is None


@pytest.mark.django_db
def test_left_behind_of_a_child_born_on_29_february_ends_on_1_march_in_a_common_year(tree, users):
    IdentificationRules.objects.create(name="平度市", area=tree.county, left_behind_max_age=14)
    leap = child(tree.v1, "370283201202290197", D(2012, 2, 29))
    born_28 = child(tree.v1, "370283201202280239", D(2012, 2, 28))
    for c in (leap, born_28):
        CategoryFactory(child=c, category="left_behind_rural", started_on=D(2020, 1, 5))

    assert sweep.end_left_behind(D(2026, 2, 28)) == [born_28.pk]  # 2026 has no 29 February
    assert sweep.end_left_behind(D(2026, 3, 1)) == [leap.pk]
    assert ChildCategory.objects.get(child=leap).ended_on == D(2026, 3, 1)
