import pytest

from accounts.models import Notification, User
from guardianship.models import Report
from tests.factories import DepartmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_harm_reported_to_a_department_without_a_liaison_reaches_civil_affairs_at_once(
    phone, browser, live_server, sign_in, users, child
):
    """Issue 15: a director finds harm on a visit and reports it to the county police, which has no liaison account.
    The county's civil-affairs staff are told at once (not 24 hours later), and the director sees who was told."""
    police = DepartmentFactory(name="平度市公安局", area=users.department.area)
    User.objects.filter(pk=users.county_staff.pk).update(last_name="李", first_name="四")
    page = phone
    sign_in(page, "director")
    page.goto(f"{live_server.url}/visits/child/{child.pk}/new/")
    page.select_option("select[name=kind]", "home")
    page.fill("input[name=met_whom]", "孩子和继父")
    page.check("input[name=living_conditions][value=poor]")
    page.check("input[name=caregiver_status][value=poor]")
    page.fill("input[name=safety_hazards]", "无")
    page.check("input[name=mood][value=poor]")
    page.fill("textarea[name=problems_found]", "孩子手臂多处淤青，说是继父打的")
    page.check("input[name=harm_found]")
    page.click("button[type=submit]")  # the answers on one screen first
    page.wait_for_selector("#visit-review:not([hidden])")
    page.click("button[type=submit]")  # then saved
    page.wait_for_selector("textarea[name=what_found]")  # the report form, pre-filled from the visit
    page.select_option("select[name=harm_type]", "physical")
    page.select_option("select[name=reported_to]", "police")
    page.select_option("select[name=handling_department]", str(police.pk))
    page.click("button[type=submit]")
    page.wait_for_url("**/guardianship/reports/*/")
    assert "已通知：平度市民政部门 李四" in page.inner_text("body")  # the success message
    assert "平度市民政部门 李四" in page.inner_text("#notified")  # and on the report page
    report = Report.objects.get(child=child)

    county = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(county, "county_staff")
    county.goto(f"{live_server.url}/accounts/notifications/")
    note = Notification.objects.get(key=f"report-new:{report.pk}")  # nobody else (no liaison)
    assert note.url == f"/guardianship/reports/{report.pk}/"
    link = county.locator(f"a[href='/accounts/notifications/{note.pk}/']")  # opening it marks it read
    assert "新的强制报告" in link.inner_text()
    link.click()
    county.wait_for_url(f"**/guardianship/reports/{report.pk}/")
    assert "孩子手臂多处淤青" in county.inner_text("body")
    note.refresh_from_db()
    assert note.read_at is not None
