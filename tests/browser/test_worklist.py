import pytest

from tests.visits.test_views import _orphans

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_director_logs_a_visit_for_an_overdue_child_and_it_leaves_the_list(phone, users, tree, live_server, sign_in):
    _orphans(tree.v1, 2, last_visit_days_ago=50)  # 20 days overdue
    page = phone
    sign_in(page, "director")
    page.goto(f"{live_server.url}/visits/worklist/")
    rows = page.locator(".work-row")
    assert rows.count() == 2
    first = rows.first
    child_id = first.get_attribute("data-child")
    assert "overdue" in first.locator(".status").get_attribute("class")

    first.locator("a.button").click()  # one tap to log a visit
    page.wait_for_selector("select[name=kind]")
    page.select_option("select[name=kind]", "home")
    page.fill("input[name=met_whom]", "奶奶")
    page.check("input[name=living_conditions][value=fair]")
    page.check("input[name=caregiver_status][value=good]")
    page.fill("input[name=safety_hazards]", "无")
    page.check("input[name=mood][value=good]")
    page.fill("textarea[name=help_given]", "送去冬衣")
    page.click("button[type=submit]")  # the answers on one screen first
    page.wait_for_selector("#visit-review:not([hidden])")
    page.click("button[type=submit]")  # then saved

    page.wait_for_url(f"{live_server.url}/visits/worklist/")
    assert page.locator(f".work-row[data-child='{child_id}']").count() == 0
    assert page.locator(".work-row").count() == 1
    page.screenshot(path="var/screenshot-worklist.png", full_page=True)
