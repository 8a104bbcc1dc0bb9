"""Dashboard numbers against the hand-counted fixture (tests/dashboards/conftest.py), and drill-down sums."""

import pytest
from django.utils import timezone

from dashboards import metrics, selectors

pytestmark = pytest.mark.django_db

SUMMED = [
    "total",
    "red",
    "orange",
    "yellow",
    "green",
    "left_behind",
    "signed",
    "eligible",
    "covered",
    "complete",
    "with_rule",
    "home_ok",
    "compliant",
    "overdue",
    "reports",
    "referrals",
    "interventions",
]


def board(user, area):
    return selectors.dashboard(user, selectors.area_for(user, area.code), timezone.localdate())


def test_county_figures_match_the_hand_count(users, tree, county_data):
    d = board(users.county_staff, tree.county)
    t = d.total
    assert t["total"] == 5  # F is closed, G is in another county
    assert (t["red"], t["orange"], t["yellow"], t["green"]) == (1, 1, 1, 2)
    assert t["cat_orphan_scattered"] == 2 and t["cat_left_behind_rural"] == 2 and t["cat_key_difficulty"] == 1
    assert (t["left_behind"], t["signed"]) == (2, 1)
    assert (t["eligible"], t["covered"]) == (3, 1)  # A's allowance has ended
    assert t["complete"] == 3
    assert (t["missing_guardian"], t["missing_home_visit"], t["missing_address"], t["missing_caregiver"]) == (
        1,
        1,
        1,
        0,
    )
    assert (t["with_rule"], t["compliant"], t["overdue"]) == (5, 3, 2)
    assert (t["reports"], t["referrals"], t["interventions"]) == (1, 1, 1)
    assert [r.name for r in d.rows] == ["东阁街道", "南村镇"]
    t1, t2 = d.rows
    assert (t1.figures["total"], t1.figures["complete"], t1.figures["overdue"]) == (4, 3, 2)
    assert (t2.figures["total"], t2.figures["complete"], t2.figures["overdue"]) == (1, 0, 0)
    assert all(r.drill for r in d.rows)
    assert d.series[-1].current and d.series[-1].compliant == 3 and d.series[-1].with_rule == 5


def test_drill_down_rows_add_up_at_every_level(users, tree, county_data, django_user_model):
    province_staff = django_user_model.objects.create(username="prov", role="civil_affairs")
    province_staff.areas.set([tree.province])
    province = board(province_staff, tree.province)
    city = board(province_staff, tree.city)
    county = board(province_staff, tree.county)
    township = board(province_staff, tree.t1)
    village = board(province_staff, tree.v1)
    for parent, child_board in [(province, city), (city, county), (county, township), (township, village)]:
        row = next(r for r in parent.rows if r.code == child_board.area.code)
        for key in SUMMED:
            assert row.figures[key] == child_board.total[key], (child_board.area.name, key)
    for b in (province, city, county, township):
        for key in SUMMED:
            assert sum(r.figures[key] for r in b.rows) == b.total[key], (b.area.name, key)
    assert province.total["total"] == 6  # both counties
    assert [r.name for r in city.rows] == ["胶州市", "平度市"]
    assert village.rows[0].code == tree.v1.code and not village.rows[0].drill
    assert [a.code for a in township.breadcrumbs] == [tree.province.code, tree.city.code, tree.county.code]


def test_completeness_definition_is_one_list():
    keys = [s.key for s in metrics.REQUIRED_SECTIONS]
    assert keys == ["categories", "address", "enrolment", "guardian", "caregiver", "home_visit"]
    for s in metrics.REQUIRED_SECTIONS:
        assert s.sql in metrics.COMPLETE_SQL


def test_township_lists_its_most_overdue_children(users, tree, county_data):
    d = board(users.supervisor, tree.t1)
    assert d.show_overdue
    assert [s.child_id for s in d.overdue] == [county_data.c.pk, county_data.b.pk]  # never visited comes first
    assert not board(users.county_staff, tree.county).show_overdue


def test_city_and_province_figures_are_cached_and_rewarmed(users, tree, county_data, django_user_model):
    from dashboards import services
    from tests.dashboards.conftest import make_child

    staff = django_user_model.objects.create(username="city_staff", role="civil_affairs")
    staff.areas.set([tree.city])
    first = board(staff, tree.city)
    assert first.computed_at is not None and first.total["total"] == 6
    assert board(staff, tree.county).computed_at is None  # counties are live
    make_child(tree.v1, "orphan_scattered")
    assert board(staff, tree.city).total["total"] == 6  # cached: not invalidated by the write
    assert board(staff, tree.county).total["total"] == 6  # live
    assert services.warm_dashboards(today=timezone.localdate()) >= 2  # the province and the city at least
    again = board(staff, tree.city)
    assert again.total["total"] == 7 and again.computed_at >= first.computed_at
