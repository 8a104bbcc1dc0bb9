import datetime

import pytest
import time_machine
from django.utils import timezone

from guardianship.models import Report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_danger_on_a_visit_becomes_a_report_that_county_sees_flagged_after_24_hours(
    phone, browser, live_server, sign_in, users, child, settings
):
    settings.SESSION_COOKIE_AGE = 3 * 24 * 3600  # the county user stays signed in across the simulated day
    page = phone
    sign_in(page, "director")
    page.goto(f"{live_server.url}/visits/child/{child.pk}/new/")
    page.select_option("select[name=kind]", "home")
    page.fill("input[name=met_whom]", "孩子")
    page.check("input[name=living_conditions][value=poor]")
    page.check("input[name=caregiver_status][value=poor]")
    page.fill("input[name=safety_hazards]", "电线裸露")
    page.check("input[name=mood][value=fair]")
    page.fill("textarea[name=problems_found]", "孩子独自在家，家中电线裸露且无人照看")
    page.check("input[name=harm_found]")
    page.click("button[type=submit]")  # the answers on one screen first
    page.wait_for_selector("#visit-review:not([hidden])")
    page.click("button[type=submit]")  # then saved
    page.wait_for_selector("textarea[name=what_found]")  # the report form, pre-filled from the visit
    assert "电线裸露" in page.input_value("textarea[name=what_found]")
    page.select_option("select[name=harm_type]", "danger")
    page.select_option("select[name=reported_to]", "civil_affairs")
    page.click("button[type=submit]")
    page.wait_for_url("**/guardianship/reports/*/")
    report = Report.objects.get(child=child)
    assert report.status == "filed" and report.visit_id

    county = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(county, "county_staff")
    county.goto(f"{live_server.url}/guardianship/reports/")
    row = county.locator(f"tr[data-report='{report.pk}']")
    assert "flagged" not in (row.get_attribute("class") or "")  # just filed: not late yet
    # A day and an hour pass with nobody acknowledging it. The server's clock is frozen there (time-machine;
    # the browser's own clock is left alone, Playwright times its waits with it).
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=25), tick=False):
        html = county.evaluate("url => fetch(url).then(r => r.text())", f"{live_server.url}/guardianship/reports/")
    county.set_content(html)
    row = county.locator(f"tr[data-report='{report.pk}']")
    assert "flagged" in row.get_attribute("class")
    assert row.locator(".flag").count() == 1
