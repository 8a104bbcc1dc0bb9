import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from oversight import activities
from oversight.models import Activity
from sites import selectors, services
from sites.models import OperationTarget, Site, SiteOpening, SiteStaff

TODAY = timezone.localdate()
LONG_AGO = TODAY - datetime.timedelta(days=400)


def make_site(users, area, kind="children_home", status="operating", name=None):
    return services.site_save(
        user=users.county_staff,
        site=Site(
            kind=kind,
            area=area,
            name=name or f"{area.name}{'儿童之家' if kind == 'children_home' else '未成年人保护工作站'}",
            status=status,
            built_on=LONG_AGO if status != "planned" else None,
            operating_since=LONG_AGO if status == "operating" else None,
        ),
    )


# ---------------------------------------------------------------- services


def test_a_site_is_registered_in_an_area_of_its_kinds_level_once(users, tree):
    make_site(users, tree.v1)
    with pytest.raises(ValidationError) as e:
        make_site(users, tree.v1)
    assert "area" in e.value.message_dict
    with pytest.raises(ValidationError):  # a children's home is in a village, not a township
        make_site(users, tree.t1)
    with pytest.raises(ValidationError):
        make_site(users, tree.v2, kind="workstation")
    assert Site.objects.count() == 1


def test_in_operation_needs_its_date_and_dates_are_not_in_the_future(users, tree):
    site = Site(kind="children_home", area=tree.v1, name="东关村儿童之家", status="operating")
    with pytest.raises(ValidationError) as e:
        services.site_save(user=users.county_staff, site=site)
    assert "operating_since" in e.value.message_dict
    site.operating_since = TODAY + datetime.timedelta(days=1)
    with pytest.raises(ValidationError):
        services.site_save(user=users.county_staff, site=site)
    assert not Site.objects.exists()


@pytest.mark.parametrize("who", ["director", "other_county_staff", "liaison"])
def test_only_civil_affairs_and_supervisors_of_the_area_register_sites(users, tree, who):
    with pytest.raises(PermissionDenied):
        services.site_save(
            user=getattr(users, who),
            site=Site(kind="children_home", area=tree.v1, name="东关村儿童之家", status="planned"),
        )
    assert not Site.objects.exists()


def test_staff_leave_without_being_deleted(users, tree):
    site = make_site(users, tree.v1)
    staff = services.staff_add(
        user=users.supervisor, site=site, staff=SiteStaff(name="李社工", role="social_worker", since=LONG_AGO)
    )
    with pytest.raises(ValidationError):
        services.staff_end(user=users.supervisor, staff=staff, until=LONG_AGO - datetime.timedelta(days=1))
    services.staff_end(user=users.supervisor, staff=staff, until=TODAY)
    with pytest.raises(ValidationError):
        services.staff_end(user=users.supervisor, staff=staff, until=TODAY)
    staff.refresh_from_db()
    assert staff.until == TODAY and SiteStaff.objects.count() == 1
    assert staff.history.count() == 2


def test_opening_days_of_a_site_in_operation_once_a_day(users, tree):
    site = make_site(users, tree.v1)
    services.opening_record(
        user=users.director, site=site, opening=SiteOpening(date=TODAY, hours=Decimal("3.5"), children_count=12)
    )
    with pytest.raises(ValidationError) as e:
        services.opening_record(user=users.director, site=site, opening=SiteOpening(date=TODAY, hours=2))
    assert "date" in e.value.message_dict
    with pytest.raises(ValidationError):
        services.opening_record(user=users.director, site=site, opening=SiteOpening(date=LONG_AGO, hours=25))
    with pytest.raises(PermissionDenied):
        services.opening_record(user=users.other_director, site=site, opening=SiteOpening(date=LONG_AGO, hours=2))
    planned = make_site(users, tree.v2, status="planned")
    with pytest.raises(ValidationError):
        services.opening_record(user=users.supervisor, site=planned, opening=SiteOpening(date=TODAY, hours=2))
    assert SiteOpening.objects.count() == 1


# ---------------------------------------------------------------- per-site duty checks


def test_the_quarterly_workstation_duty_and_yearly_safety_event_are_checked_per_site(users, tree):
    year = TODAY.year - 1  # a finished year: every quarter counts
    ws1 = make_site(users, tree.t1, kind="workstation")
    ws2 = make_site(users, tree.t2, kind="workstation")
    home1 = make_site(users, tree.v1)
    home2 = make_site(users, tree.v2)

    def held(kind, area, date, site=None):
        Activity.objects.create(kind=kind, area=area, site=site, date=date, place="站内", topic="活动")

    held("workstation", tree.t1, datetime.date(year, 2, 1), site=ws1)  # Q1 at the site
    held("workstation", tree.t1, datetime.date(year, 5, 1))  # Q2 in its township, no site named
    held("workstation", tree.t1, datetime.date(year, 12, 31), site=ws1)  # Q4
    held("workstation", tree.t1, datetime.date(year - 1, 8, 1), site=ws1)  # another year: not counted
    held("safety_education", tree.v1, datetime.date(year, 6, 1), site=home1)
    held("safety_education", tree.t1, datetime.date(year, 6, 1))  # in the township: not the village's event
    rows = {r.site.pk: r for r in selectors.site_rows([ws1, ws2, home1, home2], year, TODAY)}
    assert rows[ws1.pk].missed == [3]
    assert rows[ws2.pk].missed == [1, 2, 3, 4]
    assert rows[home1.pk].missed == []
    assert rows[home2.pk].missed == [0]


def test_an_activity_names_a_site_of_its_own_area(users, tree, child):
    home = make_site(users, tree.v1)
    other = make_site(users, tree.v2)
    with pytest.raises(ValidationError) as e:
        activities.activity_create(
            user=users.director,
            activity=Activity(
                kind="safety_education", date=TODAY, area=tree.v1, site=other, place="村委", topic="防溺水"
            ),
            participants=[],
        )
    assert "site" in e.value.message_dict
    activity = activities.activity_create(
        user=users.director,
        activity=Activity(
            kind="safety_education", date=TODAY, area=tree.v1, site=home, place="儿童之家", topic="防溺水"
        ),
        participants=[child],
    )
    assert list(home.activities.all()) == [activity]


def test_the_site_list_runs_a_fixed_number_of_queries(client, users, tree, django_assert_max_num_queries):
    client.force_login(users.county_staff)
    make_site(users, tree.v1)
    url = reverse("sites:list")
    assert client.get(url).status_code == 200
    for area in (tree.v2, tree.v3):
        make_site(users, area)
    make_site(users, tree.t1, kind="workstation")
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.content.decode().count('class="site-row"') == 4


def test_sites_of_other_areas_are_not_listed(client, users, tree):
    make_site(users, tree.v1, name="东关村儿童之家")
    Site.objects.create(kind="children_home", area=tree.v4, name="北关村儿童之家")
    client.force_login(users.supervisor)
    body = client.get(reverse("sites:list")).content.decode()
    assert "东关村儿童之家" in body and "北关村儿童之家" not in body


def test_register_a_site_through_the_form_and_bad_input_changes_nothing(client, users, tree):
    client.force_login(users.county_staff)
    url = reverse("sites:new")
    response = client.post(url, {"kind": "workstation", "area": tree.v1.code, "name": "错", "status": "planned"})
    assert response.status_code == 200 and not Site.objects.exists()
    assert "儿童之家设在村" in response.content.decode()
    response = client.post(
        url,
        {
            "kind": "workstation",
            "area": tree.t1.code,
            "name": "东阁街道未成年人保护工作站",
            "status": "built",
            "built_on": LONG_AGO.isoformat(),
        },
    )
    site = Site.objects.get()
    assert response.status_code == 302 and response.url == reverse("sites:detail", args=[site.pk])


# ---------------------------------------------------------------- the dashboard


@pytest.fixture
def site_world(users, tree):
    """County A (370283): 2 townships, 3 villages. Workstations: t1 in operation, t2 built. Children's homes: v1 in
    operation, v2 planned, v3 none. County B's home in operation (outside). The city's target for this year: 90 %;
    the province's (farther) 50 %."""
    make_site(users, tree.t1, kind="workstation")
    make_site(users, tree.t2, kind="workstation", status="built")
    make_site(users, tree.v1)
    make_site(users, tree.v2, status="planned")
    Site.objects.create(
        kind="children_home", area=tree.v4, name="北关村儿童之家", status="operating", operating_since=LONG_AGO
    )
    OperationTarget.objects.create(area=tree.city, year=TODAY.year, percent=90, source="测试")
    OperationTarget.objects.create(area=tree.province, year=TODAY.year, percent=50, source="测试")


def test_operation_rates_against_hand_counted_figures(users, tree, site_world, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        rates = selectors.operation_rates(tree.county, TODAY.year)
    assert rates["target"] == 90
    totals = {r.kind: (r.expected, r.registered, r.operating, r.rate, r.meets) for r in rates["totals"]}
    assert totals == {
        "workstation": (2, 2, 1, Decimal("50.0"), False),
        "children_home": (3, 2, 1, Decimal("33.3"), False),
    }
    areas = {(r.code, r.kind): (r.expected, r.registered, r.operating, r.rate) for r in rates["areas"]}
    assert areas == {
        ("370283001", "workstation"): (1, 1, 1, Decimal("100.0")),
        ("370283001", "children_home"): (2, 2, 1, Decimal("50.0")),
        ("370283002", "workstation"): (1, 1, 0, Decimal("0.0")),
        ("370283002", "children_home"): (1, 0, 0, Decimal("0.0")),
    }


def test_the_province_counts_every_county(users, tree, site_world):
    rates = selectors.operation_rates(tree.province, TODAY.year)
    assert rates["target"] == 50
    totals = {r.kind: (r.expected, r.registered, r.operating) for r in rates["totals"]}
    assert totals == {"workstation": (3, 2, 1), "children_home": (4, 3, 2)}


def test_the_dashboard_shows_the_rate_and_target(client, users, tree, site_world):
    client.force_login(users.county_staff)
    body = client.get(reverse("dashboards:area", args=[tree.county.code])).content.decode()
    assert 'id="site-operation"' in body
    assert "50.0%" in body and "33.3%" in body and "90" in body
