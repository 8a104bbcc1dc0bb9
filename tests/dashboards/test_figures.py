"""Dashboard numbers against the hand-counted fixture (tests/dashboards/conftest.py), and drill-down sums."""

import datetime

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


def test_stored_village_figures_sum_to_the_live_aggregate_at_every_level(users, tree, county_data):
    """The stored per-village rows summed up the tree equal one aggregate over the archives (`compute_figures`,
    the dashboards' former live query), for a township, the county, the city and the province."""
    from dashboards import figures as village_figures

    today = timezone.localdate()
    assert village_figures.refresh(today=today) == 4  # v1, v2, v3 and 胶州's v4 have open archives
    for area in (tree.t1, tree.county, tree.city, tree.province):
        stored, at = selectors.area_figures(area, today)
        assert stored == selectors.compute_figures(area, today), area.code
        assert at is not None


def test_a_write_shows_on_the_next_page_and_a_new_day_recomputes_every_village(
    users, tree, county_data, django_user_model, monkeypatch
):
    from dashboards import figures as village_figures
    from dashboards import services
    from dashboards.models import StaleVillage, VillageFigures
    from tests.dashboards.conftest import make_child

    today = timezone.localdate()
    staff = django_user_model.objects.create(username="city_staff", role="civil_affairs")
    staff.areas.set([tree.city])
    first = board(staff, tree.city)
    assert first.computed_at is not None and first.total["total"] == 6
    make_child(tree.v1, "orphan_scattered")
    assert StaleVillage.objects.filter(village=tree.v1.code).exists()  # marked by the write
    assert board(staff, tree.city).total["total"] == 7  # a few stale villages are recomputed before the page
    assert not StaleVillage.objects.exists()

    monkeypatch.setattr(village_figures, "STALE_INLINE_LIMIT", 0)  # more than a page recomputes
    make_child(tree.v3, "orphan_scattered")
    late = board(staff, tree.city)
    assert late.total["total"] == 7  # the stored figures, with the time they were computed
    assert services.refresh_village_figures(today=today) == 1  # the beat task: the one stale village
    assert board(staff, tree.city).total["total"] == 8

    VillageFigures.objects.update(as_of=today - datetime.timedelta(days=1))  # the date has changed since
    assert services.refresh_village_figures(today=today) == 4  # every village, once
    assert set(VillageFigures.objects.values_list("as_of", flat=True)) == {today}


@pytest.mark.parametrize("what", ["visit", "family", "category", "transfer", "close"])
def test_each_kind_of_write_marks_its_villages(users, tree, county_data, what):
    from children import services as child_services
    from children.models import FamilyMember
    from dashboards.models import StaleVillage
    from tests.factories import CategoryFactory
    from visits.models import Visit

    StaleVillage.objects.all().delete()
    a = county_data.a  # in v1
    if what == "visit":
        at = timezone.now()
        Visit.objects.create(child=a, kind="contact", visited_at=at, visit_date=at.date(), met_whom="奶奶")
    elif what == "family":
        FamilyMember.objects.create(child=a, relation="grandmother", name="王奶奶", is_guardian=True)
    elif what == "category":
        CategoryFactory(child=a, category="key_difficulty")
    elif what == "transfer":
        child_services.child_transfer(
            user=users.county_staff, child=a, to_village=tree.v3, on=timezone.localdate(), reason="随父母迁居"
        )
    else:
        a.status = "closed"
        a.save()
    marked = set(StaleVillage.objects.values_list("village", flat=True))
    assert marked == ({tree.v1.code, tree.v3.code} if what == "transfer" else {tree.v1.code})
