import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tasks.models import Assignment, Plan, PlanTask


def _workbook(rows, headers=None) -> SimpleUploadedFile:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(
        headers or ["行动序号", "行动名称", "任务序号", "任务内容", "量化目标", "周期", "每周期至少次数", "责任单位"]
    )
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("plan.xlsx", buf.getvalue())


GOOD = [
    [1, "精神素养提升行动", "1", "开展心理健康筛查", "覆盖率100%", "每年", 1, "平度市教育和体育局、平度市卫健局"],
    [1, "精神素养提升行动", "2", "组织主题教育活动", None, "每季度", 1, "团市委"],
    [2, "监护提质行动", "3", "开展家庭监护能力评估", None, None, None, "平度市民政局"],
    [None, None, None, None, None, None, None, None],  # a blank trailing row
]


def _post(client, rows, dry_run, **extra):
    data = {
        "seed": "pingdu-2025",
        "region": "370283",
        "title": "平度市三年行动方案",
        "start_year": 2025,
        "end_year": 2027,
        "report_deadline": "11-30",
        "file": _workbook(rows, extra.pop("headers", None)),
    }
    if dry_run:
        data["dry_run"] = "on"
    data.update(extra)
    return client.post(reverse("tasks:import"), data)


@pytest.fixture
def county_client(client, users):
    client.force_login(users.county_staff)
    return client


def test_template_downloads_with_the_documented_headers(county_client):
    response = county_client.get(reverse("tasks:import_template"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]][:4] == ["行动序号", "行动名称", "任务序号", "任务内容"]


def test_dry_run_previews_and_writes_nothing_then_import_writes(county_client):
    response = _post(county_client, GOOD, dry_run=True)
    report = response.context["report"]
    assert report.ok and [(n, k) for n, k, _m in report.rows] == [(2, "new"), (3, "new"), (4, "new")]
    assert (
        not Plan.objects.filter(seed="pingdu-2025").exists()
        and not PlanTask.objects.filter(content="开展心理健康筛查").exists()
    )
    response = _post(county_client, GOOD, dry_run=False)
    assert response.status_code == 302
    plan = Plan.objects.get(seed="pingdu-2025")
    assert plan.actions.count() == 2 and PlanTask.objects.filter(action__plan=plan).count() == 3
    first = PlanTask.objects.get(action__plan=plan, number="1")
    assert first.recurrence == "yearly" and first.target == "覆盖率100%"
    assert list(first.assignments.values_list("original_name", flat=True)) == ["平度市教育和体育局", "平度市卫健局"]


def test_a_bad_row_is_reported_by_row_and_column_in_chinese_and_nothing_is_written(county_client):
    rows = [GOOD[0], [1, "精神素养提升行动", "2", "", None, "每两年", "x", "团市委"]]
    response = _post(county_client, rows, dry_run=False)
    report = response.context["report"]
    assert not report.ok
    bad = [r for r in report.rows if r[1] == "invalid"]
    assert bad and bad[0][0] == 3
    text = "；".join(bad[0][2])
    assert "任务内容" in text and "周期" in text and "每周期至少次数" in text
    assert (
        not Plan.objects.filter(seed="pingdu-2025").exists()
        and not Assignment.objects.filter(original_name="平度市教育和体育局").exists()
    )


def test_a_file_that_is_not_a_spreadsheet_or_lacks_columns_is_refused(county_client):
    data = {
        "seed": "p",
        "region": "370283",
        "title": "t",
        "start_year": 2025,
        "end_year": 2027,
        "file": SimpleUploadedFile("x.xlsx", b"not a workbook"),
    }
    response = county_client.post(reverse("tasks:import"), data)
    assert "xlsx" in response.content.decode() and not Plan.objects.filter(seed="p").exists()
    response = _post(county_client, GOOD, dry_run=True, headers=["行动序号", "任务内容"])
    assert "缺少" in response.content.decode() or "missing" in response.content.decode()


def test_only_civil_affairs_of_the_region_may_import(client, users):
    client.force_login(users.other_county_staff)
    response = _post(client, GOOD, dry_run=False)
    assert response.status_code == 200 and not Plan.objects.filter(seed="pingdu-2025").exists()
    client.force_login(users.director)
    assert client.get(reverse("tasks:import")).status_code == 404
