"""A mandatory report goes only to a department of the child's county or of the areas above it (the service's rule,
the form's choices), and administrators see every report, in the app and in the Django admin."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Role
from guardianship import reports
from guardianship.models import Report
from tests.factories import DepartmentFactory, UserFactory

REFUSED = "强制报告只能发给儿童所在县"  # the Chinese refusal


@pytest.fixture
def departments(tree):
    return {
        "county": DepartmentFactory(name="平度市公安局", area=tree.county),
        "city": DepartmentFactory(name="青岛市教育局", area=tree.city),
        "province": DepartmentFactory(name="山东省民政厅", area=tree.province),
        "other_county": DepartmentFactory(name="胶州市公安局", area=tree.other_county),
    }


def _unsaved(child, department=None, area=None):
    now = timezone.now()
    return Report(
        child=child,
        area=area,
        found_at=now,
        reported_at=now,
        what_found="孩子身上有多处淤青",
        harm_type="physical",
        reported_to="police",
        handling_department=department,
    )


def _post_data(department, **extra):
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    return {
        "source": "staff",
        "found_at": now,
        "reported_at": now,
        "what_found": "孩子身上有多处淤青",
        "harm_type": "physical",
        "reported_to": "police",
        "handling_department": department.pk,
        **extra,
    }


def test_the_service_refuses_a_department_of_another_county(users, child, departments):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        reports.report_file(user=users.director, report=_unsaved(child, departments["other_county"]))
    assert REFUSED in " ".join(caught.value.message_dict["handling_department"])
    assert not Report.objects.exists()


def test_the_service_refuses_it_for_a_child_not_registered_too(users, tree, departments):
    with pytest.raises(ValidationError):
        reports.report_file(user=users.county_staff, report=_unsaved(None, departments["other_county"], area=tree.v1))
    assert not Report.objects.exists()


@pytest.mark.parametrize("level", ["county", "city", "province"])
def test_the_service_accepts_departments_of_the_child_s_county_city_and_province(users, child, departments, level):
    report = reports.report_file(user=users.director, report=_unsaved(child, departments[level]))
    assert Report.objects.get(pk=report.pk).handling_department == departments[level]


def test_moving_a_report_to_a_department_of_another_county_is_refused(users, child, departments):
    report = reports.report_file(user=users.director, report=_unsaved(child))
    with pytest.raises(ValidationError):
        reports.report_move(
            user=users.county_staff,
            report=report,
            status="acknowledged",
            handling_department=departments["other_county"],
        )
    report.refresh_from_db()
    assert report.handling_department is None and report.status == "filed"


def test_the_form_offers_only_the_child_s_departments(client, users, child, departments):
    client.force_login(users.director)
    url = reverse("guardianship:report_new") + f"?child={child.pk}"
    page = client.get(url).content.decode()
    for level in ("county", "city", "province"):
        assert f'value="{departments[level].pk}"' in page and departments[level].name in page, level
    assert departments["other_county"].name not in page
    response = client.post(url, _post_data(departments["other_county"]))
    assert response.status_code == 200 and not Report.objects.exists()
    response = client.post(url, _post_data(departments["city"]))
    assert response.status_code == 302
    assert Report.objects.get().handling_department == departments["city"]


def test_a_report_without_a_child_shows_the_service_s_refusal_in_chinese(client, tree, departments):
    """An administrator is offered every department (the area is typed on the same form); the service refuses."""
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True, role=Role.ADMIN))
    url = reverse("guardianship:report_new")
    data = _post_data(departments["other_county"], area_code=tree.v1.code, child_description="约八岁男孩")
    response = client.post(url, data)
    assert response.status_code == 200 and REFUSED in response.content.decode()
    assert not Report.objects.exists()


def test_administrators_see_every_report_in_the_app_and_the_admin(client, users, child, departments):
    report = reports.report_file(user=users.director, report=_unsaved(child, departments["county"]))
    boss = UserFactory(username="boss", is_staff=True, is_superuser=True, role=Role.ADMIN)
    assert list(reports.reports_for(boss)) == [report]
    client.force_login(boss)
    changelist = client.get(reverse("admin:guardianship_report_changelist"))
    assert changelist.status_code == 200
    assert reverse("admin:guardianship_report_change", args=[report.pk]) in changelist.content.decode()
    assert client.get(reverse("guardianship:report", args=[report.pk])).status_code == 200

