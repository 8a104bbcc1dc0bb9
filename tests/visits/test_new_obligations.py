"""New obligations are not back-dated (issue 15): a stricter interval that comes with a transfer, a category, a colour
or a risk grade counts from the day of the change, unless a visit since then satisfies it, and never makes a child due
later than it already was. The due dates below are counted by hand from the rule set written here.
"""

import datetime

import pytest
from django.utils import timezone

from children import services as child_services
from children.models import Child
from tests.factories import ChildFactory, visit_fields
from visits import schedule_check, services
from visits.models import RuleSet, Visit, VisitRule, VisitSchedule

D = datetime.date


@pytest.fixture
def rule_sets(tree):
    """Everyone: a home visit every 90 days, a red child every 14, a scattered orphan every 30; county 370281
    (other_county, village v4): every 30 days."""
    RuleSet.objects.all().delete()
    default = RuleSet.objects.create(name="默认", active=True)
    VisitRule.objects.create(rule_set=default, description="全部", source="测试", home_visit_days=90)
    VisitRule.objects.create(rule_set=default, description="红色", source="测试", colours="red", home_visit_days=14)
    VisitRule.objects.create(
        rule_set=default, description="散居孤儿", source="测试", category_mask=1 << 2, home_visit_days=30
    )
    county = RuleSet.objects.create(name="胶州", area=tree.other_county, active=True)
    VisitRule.objects.create(rule_set=county, description="全部", source="测试", home_visit_days=30)


def home_visit(user, child: Child, day: datetime.date) -> None:
    at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    services.visit_create(user=user, child=child, visit=Visit(**visit_fields(visited_at=at)))


def due(child: Child) -> datetime.date:
    return VisitSchedule.objects.get(child=child).due_on


@pytest.fixture
def visited(users, tree, rule_sets):
    """A child of v1 registered 2026-01-05, last visited at home on 2026-10-01: due 2026-12-30 under 90 days."""
    child = ChildFactory(village=tree.v1, registered_on=D(2026, 1, 5))
    home_visit(users.director, child, D(2026, 10, 1))
    assert due(child) == D(2026, 12, 30)
    return child


def test_a_child_moving_to_a_stricter_county_is_due_counting_from_the_move(users, tree, visited):
    child_services.child_transfer(
        user=users.county_staff, child=visited, to_village=tree.v4, on=D(2026, 11, 20), reason="随父母迁居"
    )
    # 30 days from the move, not from the last visit (2026-10-31, overdue the day it arrives).
    assert due(visited) == D(2026, 12, 20)
    row = VisitSchedule.objects.get(child=visited)
    assert (row.home_days, row.home_since, row.home_cap) == (30, D(2026, 11, 20), D(2026, 12, 30))


def test_a_stricter_interval_never_makes_a_child_due_later_than_before(users, tree, visited):
    # Moving on 2026-12-20 would give 2027-01-19; the old due date 2026-12-30 is earlier and stays.
    child_services.child_transfer(
        user=users.county_staff, child=visited, to_village=tree.v4, on=D(2026, 11, 25), reason="随父母迁居"
    )
    assert due(visited) == D(2026, 12, 25)
    overdue_child = ChildFactory(village=tree.v1, registered_on=D(2026, 1, 5))
    home_visit(users.director, overdue_child, D(2026, 8, 1))  # due 2026-10-30 under 90 days: overdue now
    child_services.category_add(
        user=users.director, child=overdue_child, category="orphan_scattered", started_on=D(2026, 11, 10)
    )
    assert due(overdue_child) == D(2026, 10, 30)  # still overdue, not relieved by a new category


def test_a_new_colour_counts_from_its_date_and_a_visit_since_then_satisfies_it(users, visited):
    child_services.colour_set(user=users.director, child=visited, colour="red", on=D(2026, 11, 25), reason="复评")
    assert due(visited) == D(2026, 12, 9)  # 14 days from 11-25 (from the last visit: 10-15, overdue at once)
    home_visit(users.director, visited, D(2026, 11, 27))
    assert due(visited) == D(2026, 12, 11)  # the visit since the change: 14 days from it
    assert schedule_check.check().ok  # the weekly recomputation keeps the interval's start and finds no difference


def test_a_category_back_dated_to_its_start_counts_from_the_start(users, visited):
    child_services.category_add(
        user=users.director, child=visited, category="orphan_scattered", started_on=D(2026, 10, 20)
    )
    assert due(visited) == D(2026, 11, 19)  # 30 days from the category's start: overdue by its own date
    assert schedule_check.check().ok


def test_a_looser_interval_counts_from_the_last_visit_again(users, visited):
    child_services.colour_set(user=users.director, child=visited, colour="red", on=D(2026, 11, 25), reason="复评")
    child_services.colour_set(user=users.director, child=visited, colour="green", on=D(2026, 11, 28), reason="好转")
    row = VisitSchedule.objects.get(child=visited)
    assert (row.due_on, row.home_since, row.home_cap) == (D(2026, 12, 30), None, None)


def test_the_archive_says_since_when_a_stricter_interval_is_in_force(client, users, visited):
    from django.urls import reverse

    child_services.colour_set(user=users.director, child=visited, colour="red", on=D(2026, 11, 25), reason="复评")
    client.force_login(users.director)
    page = client.get(reverse("children:detail", args=[visited.pk])).content.decode()
    assert "自 2026-11-25 起施行" in page
