"""A director draws up a red child's help plan from the archive on a phone, adds a measure of their own, finds it
in the worklist and marks it done."""

import pytest

from tests.factories import ChildFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_director_draws_up_a_plan_and_does_its_measure(phone, users, tree, live_server, sign_in):
    from accounts.models import Area
    from plans.models import Measure, PlanRequirement, PlanRuleSet
    from plans.rule_sets import load_rule_sets

    load_rule_sets(Area, PlanRuleSet, PlanRequirement)  # a transactional test starts with empty tables
    child = ChildFactory(village=tree.v1, name="红红", colour="red")
    page = phone
    sign_in(page, "director")
    page.goto(f"{live_server.url}/children/{child.pk}/")
    section = page.locator("#help-plans")
    assert "应制定帮扶方案" in section.inner_text()  # required (red) and missing
    section.locator("a.small").click()
    page.wait_for_selector("input[name=need]")
    page.fill("input[name=need]", "放学后无人看护")
    page.fill("textarea[name=summary]", "父母在外务工")
    page.click("button[type=submit]")
    page.wait_for_selector("#measures")
    page.locator("#measures a.small").click()
    page.wait_for_selector("input[name=description]")
    page.fill("input[name=description]", "联系父母商定照护安排")
    page.select_option("select[name=owner_kind]", "staff")
    page.select_option("select[name=owner]", str(users.director.pk))
    page.fill("input[name=due_on]", "2099-01-31")
    page.click("button[type=submit]")
    page.wait_for_selector("#measures .item")
    measure = Measure.objects.get(plan__child=child)

    page.goto(f"{live_server.url}/visits/worklist/")
    row = page.locator(f"#measure-{measure.pk}")
    assert "联系父母商定照护安排" in row.inner_text()
    row.locator("input[name=result]").fill("已与父亲通话")
    row.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/visits/worklist/")
    assert page.locator(f"#measure-{measure.pk}").count() == 0
    measure.refresh_from_db()
    assert measure.done_on is not None and measure.result == "已与父亲通话"
    page.goto(f"{live_server.url}/children/{child.pk}/")
    assert "应制定帮扶方案" not in page.locator("#help-plans").inner_text()
    page.screenshot(path="var/screenshot-help-plan.png", full_page=True)
