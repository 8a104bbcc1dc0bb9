"""Dashboard pages: area access (404 outside), drill-down links, a fixed number of queries, Excel export."""

import io

import openpyxl
import pytest
from django.urls import reverse

from children.models import AccessLog
from tests.dashboards.conftest import make_child, visit
from tests.factories import area
from visits import schedule

pytestmark = pytest.mark.django_db


def url(code):
    return reverse("dashboards:area", args=[code])


def export_url(code, table):
    return reverse("dashboards:export", args=[code, table])


@pytest.mark.parametrize(
    ("who", "allowed", "refused"),
    [
        ("supervisor", ["t1", "v1", "v2"], ["t2", "v3", "county", "city", "other_county", "v4"]),
        ("county_staff", ["county", "t1", "t2", "v3"], ["city", "province", "other_county", "t3", "v4"]),
        ("other_county_staff", ["other_county", "t3", "v4"], ["county", "t1", "v1"]),
    ],
)
def test_a_user_sees_their_areas_and_gets_404_outside(client, users, tree, county_data, who, allowed, refused):
    client.force_login(getattr(users, who))
    for name in allowed:
        assert client.get(url(getattr(tree, name).code)).status_code == 200, name
    for name in refused:
        code = getattr(tree, name).code
        assert client.get(url(code)).status_code == 404, name
        assert client.get(export_url(code, "children")).status_code == 404, name
    assert client.get(url("999999")).status_code == 404  # no such area looks the same


@pytest.mark.parametrize("who", ["director", "liaison"])
def test_directors_and_liaisons_have_no_dashboard(client, users, tree, who):
    client.force_login(getattr(users, who))
    assert client.get(reverse("dashboards:index")).status_code == 404
    assert client.get(url(tree.v1.code)).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, tree):
    response = client.get(url(tree.county.code))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_index_opens_the_users_own_area(client, users):
    client.force_login(users.county_staff)
    response = client.get(reverse("dashboards:index"))
    assert response.status_code == 302 and response["Location"] == url("370283")


def test_county_page_shows_figures_and_drill_down_links(client, users, tree, county_data):
    client.force_login(users.county_staff)
    response = client.get(url(tree.county.code))
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["board"].total["total"] == 5
    assert 'id="total-children">5<' in html and 'id="total-overdue">2<' in html
    assert f'href="{url(tree.t1.code)}"' in html and f'href="{url(tree.t2.code)}"' in html
    assert html.count('<svg class="chart"') == len(response.context["tables"]) == 7  # one chart per table
    assert "<script" not in html.split("<main>")[1]  # no inline script
    assert response.context["coverage_counts"]["villages_without_director"] == 1  # v3 has no director
    assert reverse("dashboards:index") in html  # navigation entry


def test_township_page_links_its_overdue_children_to_their_archives(client, users, tree, county_data):
    client.force_login(users.supervisor)
    html = client.get(url(tree.t1.code)).content.decode()
    assert reverse("children:detail", args=[county_data.c.pk]) in html
    assert reverse("children:detail", args=[county_data.b.pk]) in html
    assert reverse("children:detail", args=[county_data.a.pk]) not in html  # on time


def _grow(tree, n_villages: int, per_village: int):
    for i in range(n_villages):
        village = area(f"370283002{i + 50:03d}", f"新村{i}", "village", tree.t2)
        for j in range(per_village):
            child = make_child(village, "left_behind_rural" if j % 2 else "orphan_scattered", colour="yellow")
            visit(child, 5 + 40 * j)
    schedule.refresh()


@pytest.mark.parametrize(("who", "where"), [("county_staff", "county"), ("supervisor", "t1"), ("county_staff", "t2")])
def test_a_dashboard_runs_a_fixed_number_of_queries(
    client, users, tree, county_data, who, where, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dashboards import services

    client.force_login(getattr(users, who))
    target = url(getattr(tree, where).code)
    services.refresh_village_figures()  # the beat task has run: no stale village to recompute on the page
    with CaptureQueriesContext(connection) as small:
        assert client.get(target).status_code == 200
    _grow(tree, n_villages=4, per_village=3)
    services.refresh_village_figures()
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(target)
    assert response.status_code == 200
    assert len(small.captured_queries) <= 24  # session, user, areas, aggregates, series, coverage checks…


def test_stale_villages_beyond_the_limit_are_left_to_the_beat_task(client, users, tree, county_data, monkeypatch):
    """The page recomputes at most STALE_INLINE_LIMIT stale villages: more cost it no work."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dashboards import figures, services

    client.force_login(users.county_staff)
    target = url(tree.county.code)
    services.refresh_village_figures()
    with CaptureQueriesContext(connection) as fresh:
        client.get(target)
    monkeypatch.setattr(figures, "STALE_INLINE_LIMIT", 2)
    _grow(tree, n_villages=4, per_village=1)  # 4 stale villages, more than 2
    with CaptureQueriesContext(connection) as stale:
        client.get(target)
    assert len(stale.captured_queries) == len(fresh.captured_queries)


def test_excel_export_holds_the_table_with_formulas_neutralised_and_no_access_log(client, users, tree, county_data):
    area("370283003", "=HYPERLINK(1)", "township", tree.county)  # a hostile name, shown as text
    client.force_login(users.county_staff)
    logged = AccessLog.objects.count()
    response = client.get(export_url(tree.county.code, "compliance"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert len(rows[0]) == 7
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["东阁街道"][1:6] == [4, 2, 0, 2, 2]  # with rule, home ok, contact ok, compliant, overdue
    assert by_name["东阁街道"][6] == 50
    assert by_name["南村镇"][1:6] == [1, 1, 0, 1, 0]
    assert by_name["'=HYPERLINK(1)"][1] == 0
    total = rows[-1]
    assert total[1:6] == [5, 3, 0, 3, 2] and total[6] == 60
    assert AccessLog.objects.count() == logged  # aggregates only: nothing per child

    for key in ("children", "categories", "monthly", "archives", "welfare", "casework"):
        r = client.get(export_url(tree.county.code, key))
        assert r.status_code == 200, key
        assert openpyxl.load_workbook(io.BytesIO(r.content)).active.max_row >= 2
    assert client.get(export_url(tree.county.code, "nothing")).status_code == 404


def test_the_own_area_dashboard_shows_the_directors_coverage_checks(client, users, tree, county_data):
    from tests.factories import UserFactory

    UserFactory(username="d-v3", role="director", areas=[tree.v3])
    client.force_login(users.county_staff)
    page = client.get(url(tree.county.code)).content.decode()
    assert 'id="coverage-checks"' in page
    # Villages of the county: v1 (director), v2 (other_director), v3 (d-v3): none without a director.
    assert 'id="villages-without-director">0<' in page
    # A township below: the counts cover the user's whole scope, so they are not repeated there.
    assert 'id="coverage-checks"' not in client.get(url(tree.t1.code)).content.decode()
