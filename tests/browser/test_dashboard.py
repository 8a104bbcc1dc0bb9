import re

import pytest

from tests.dashboards.conftest import _fast_passwords, county_data  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_county_user_drills_down_to_a_township_and_opens_an_overdue_child(
    phone,
    live_server,
    sign_in,
    users,
    tree,
    county_data,  # noqa: F811
):
    page = phone
    sign_in(page, "county_staff")
    page.click("a.menu-button")  # on a phone the menu opens as a sheet, its groups folded
    page.click("nav.main-nav details:has(a[href='/dashboards/']) > summary")
    page.click("nav.main-nav >> a[href='/dashboards/']")
    page.wait_for_url(re.compile(r"/dashboards/370283/$"))
    assert page.locator("#total-children").inner_text() == "5"
    assert page.locator("#total-overdue").inner_text() == "2"
    assert page.locator("svg.chart").count() == 7

    page.locator("table[data-table=compliance] a.drill", has_text="东阁街道").click()
    page.wait_for_url(re.compile(r"/dashboards/370283001/$"))
    assert page.locator("#total-children").inner_text() == "4"
    overdue = page.locator("#overdue-children li.overdue-child")
    assert overdue.count() == 2
    page.screenshot(path="var/screenshot-dashboard-township.png", full_page=True)

    overdue.first.locator("a").click()
    page.wait_for_url(re.compile(rf"/children/{county_data.c.pk}/$"))
    assert county_data.c.name in page.locator("h1").inner_text()
