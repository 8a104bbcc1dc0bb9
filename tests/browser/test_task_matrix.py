import pytest

from accounts.models import Department, Role
from tasks.models import Assignment
from tasks.plans import load_all
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_liaison_update_turns_the_matrix_cell_green_for_civil_affairs(
    phone, live_server, sign_in, users, tmp_path, browser
):
    load_all()
    dept = Department.objects.get(area_id="370200", kind="education")
    UserFactory(username="edu", role=Role.LIAISON, department=dept)
    assignment = Assignment.objects.filter(task__action__plan__seed="000", department=dept).order_by("pk").first()
    evidence = tmp_path / "部署会纪要.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% evidence\n")

    page = phone
    sign_in(page, "edu")
    page.goto(f"{live_server.url}/tasks/mine/")
    card = page.locator(f"#a{assignment.pk}")
    card.locator("select[name=status]").select_option("done")
    card.locator("textarea[name=note]").fill("已召开全市部署会，印发工作方案")
    card.locator("input[name=evidence]").set_input_files(str(evidence))
    card.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "已召开全市部署会" in page.locator(f"#a{assignment.pk}").inner_text()

    county = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(county, "county_staff")
    county.goto(f"{live_server.url}/tasks/?plan={assignment.task.action.plan_id}")
    cell = county.locator(f"#cell-{assignment.pk}")
    assert "done" in cell.get_attribute("class")
    colour = cell.evaluate("el => getComputedStyle(el).backgroundColor")
    untouched = county.locator(".cell.not_started").first.evaluate("el => getComputedStyle(el).backgroundColor")
    assert colour != untouched
    county.screenshot(path="var/screenshot-matrix.png")
