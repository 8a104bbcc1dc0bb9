import datetime

import pytest

from children.models import Child
from tests.factories import valid_id

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_director_registers_a_left_behind_child_on_a_phone(phone, users, tree, live_server, sign_in):
    page = phone
    sign_in(page, "director")
    page.goto(f"{live_server.url}/children/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling

    page.click("a[href='/children/new/']")
    page.fill("input[name=name]", "刘小雨")
    number = valid_id("370283", datetime.date(2017, 9, 3), male=False)
    page.fill("input[name=id_number]", number.lower())
    page.check("input[name=categories][value=left_behind_rural]")
    page.select_option("select[name=enrolment]", "enrolled")
    page.fill("input[name=school]", "东关小学")
    page.click("button[type=submit]")
    page.wait_for_selector("#family")
    child = Child.objects.get(name="刘小雨")
    assert page.url.endswith(f"/children/{child.pk}/")

    # The father works away.
    page.click(f"#family a[href='/children/{child.pk}/family/new/']")
    page.select_option("select[name=relation]", "father")
    page.fill("input[name=name]", "刘大海")
    page.select_option("select[name=situation]", "working_away")
    page.fill("input[name=work_destination]", "苏州")
    page.fill("input[name=away_since]", "2024-02-20")
    page.select_option("select[name=contact_frequency]", "weekly")
    page.click("button[type=submit]")
    page.wait_for_selector("#family")

    # The grandmother is the entrusted caregiver, with a signed agreement.
    page.click(f"#caregiver a[href='/children/{child.pk}/caregiver/']")
    page.fill("input[name=caregiver_name]", "张桂英")
    page.select_option("select[name=relation]", "grandparent")
    page.check("input[name=agreement_signed]")
    page.fill("input[name=agreement_date]", "2026-10-01")
    page.click("button[type=submit]")
    page.wait_for_selector("#caregiver")

    # Find the child in the list and open the archive.
    page.goto(f"{live_server.url}/children/")
    page.fill("input[name=q]", "刘小雨")  # the name search stays in sight on a phone
    page.click(".search-row button[type=submit]")
    page.click("table.list a:text('刘小雨')")
    page.wait_for_selector("#family")
    family = page.inner_text("#family")
    assert "刘大海" in family and "苏州" in family
    assert "张桂英" in page.inner_text("#caregiver")
    assert "2026-10-01" in page.inner_text("#caregiver")
    page.screenshot(path="var/screenshot-archive.png", full_page=True)
    child.refresh_from_db()
    assert child.entrusted_care.agreement_signed and child.family.get().work_destination == "苏州"
