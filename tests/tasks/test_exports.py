import io
import shutil
import subprocess

import openpyxl
from django.urls import reverse

from tasks.models import Assignment, ProgressNote
from tasks.resources import neutral
from tests.conftest import require


def test_matrix_exports_to_excel_with_formulas_neutralised(client, users, plans, qd_education):
    plan = plans["000"].plan
    a = Assignment.objects.filter(task__action__plan=plan, department=qd_education).first()
    a.original_name = '=HYPERLINK("http://evil")'
    a.status = "done"
    a.save()
    client.force_login(users.county_staff)
    response = client.get(reverse("tasks:export", args=[plan.pk]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 124
    assert "状态" in rows[0]
    cells = [c for row in rows for c in row if isinstance(c, str)]
    assert '\'=HYPERLINK("http://evil")' in cells and "已完成" in cells
    assert not any(c.startswith("=") for c in cells)


def test_neutral_leaves_ordinary_text_alone():
    assert neutral("市教育局") == "市教育局" and neutral("-1") == "'-1" and neutral(3) == 3


def test_yearly_report_pdf_embeds_the_chinese_font(client, users, plans, qd_education, tmp_path):
    require(bool(shutil.which("pdftotext")), "pdftotext (apt-get install poppler-utils)")
    import datetime

    plan = plans["000"].plan
    a = Assignment.objects.filter(task__action__plan=plan, department=qd_education).first()
    ProgressNote.objects.create(assignment=a, date=datetime.date(2026, 3, 2), note="召开全市部署会议")
    client.force_login(users.county_staff)
    response = client.get(reverse("tasks:report_pdf", args=[plan.pk]), {"year": 2026})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "召开全市部署会议" in text and "精神素养提升行动" in text and "市教育局" in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "CJK" in fonts or "WenQuanYi" in fonts or "MicroHei" in fonts
    assert " yes " in fonts  # embedded
