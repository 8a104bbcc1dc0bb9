"""The worklist's statement has a shape the planner cannot get wrong (issue 20): up to a county it orders by an
expression no index serves, so the area's rows are found through the village index and sorted; a city or province
walks the due-date index in order. Both give the same order."""

import datetime

import pytest

from accounts.models import Role
from tests.factories import UserFactory
from visits.models import VisitSchedule
from visits.selectors import worklist_for

TODAY = datetime.date(2026, 11, 30)


@pytest.fixture
def schedules(tree):
    from tests.factories import ChildFactory

    # Hand-made due dates, two of them equal (then the child's id decides), one not yet due within 7 days.
    d = datetime.date
    due = [d(2026, 12, 3), d(2026, 10, 1), d(2026, 12, 3), d(2027, 1, 9)]
    rows = []
    for village, day in zip([tree.v1, tree.v2, tree.v1, tree.v1], due, strict=True):
        child = ChildFactory(village=village)
        rows.append(VisitSchedule.objects.create(child=child, village=village, due_on=day, home_due_on=day))
    return rows


def order_clause(qs) -> str:
    sql, _params = qs.query.sql_with_params()
    return sql.rsplit("ORDER BY", 1)[1]


def test_a_county_orders_by_an_expression_and_a_province_by_the_indexed_column(users, tree, schedules):
    province = UserFactory(username="province_staff", role=Role.CIVIL_AFFAIRS, areas=[tree.province])
    county = order_clause(worklist_for(users.county_staff, TODAY))
    director = order_clause(worklist_for(users.director, TODAY))
    wide = order_clause(worklist_for(province, TODAY))
    assert "COALESCE" in county and "COALESCE" in director, county
    assert "COALESCE" not in wide and '"due_on" ASC' in wide, wide


def test_both_shapes_give_the_same_order(users, tree, schedules):
    province = UserFactory(username="province_staff", role=Role.CIVIL_AFFAIRS, areas=[tree.province])
    first, second, third, _later = schedules
    expected = [second.child_id, first.child_id, third.child_id]  # 10-01, then the two of 12-03 by child id
    assert [s.child_id for s in worklist_for(users.county_staff, TODAY)] == expected
    assert [s.child_id for s in worklist_for(province, TODAY)] == expected
