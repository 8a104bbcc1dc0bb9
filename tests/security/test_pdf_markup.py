"""Text a user typed never acts as reportlab markup in a PDF: the yearly task report and the child archive are still
produced, show the text as typed, and carry no link and no image from the server's disk."""

import datetime
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from children.models import Child, FamilyMember
from tests.conftest import require

PAYLOADS = [
    "<b>x</b>",
    '<a href="http://evil">x</a>',
    "&amp; &lt; &#x41;",
    "<para>",
    '<img src="/etc/hostname"/>',
]


@pytest.fixture
def disk_image(tmp_path) -> str:
    """A real image on the server's disk, which unescaped `<img src>` markup would embed in the PDF."""
    from PIL import Image

    path = tmp_path / "secret.png"
    Image.new("RGB", (8, 8), (255, 0, 0)).save(path)
    return f'<img src="{path}" width="8" height="8"/>'


def _text(content: bytes, tmp_path) -> str:
    require(bool(shutil.which("pdftotext")), "pdftotext (apt-get install poppler-utils)")
    path = tmp_path / "out.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", " ", text)


def _assert_shown_as_typed(response, payloads, tmp_path) -> None:
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content.startswith(b"%PDF")
    text = _text(content, tmp_path)
    for payload in payloads:
        assert payload in text, payload
    assert b"/URI" not in content and b"/Link" not in content  # no link annotation
    assert b"/Subtype /Image" not in content  # no image XObject (neither /etc/hostname nor the PNG on disk)


def test_task_notes_and_period_records_are_shown_as_typed_in_the_yearly_report(client, users, disk_image, tmp_path):
    from tasks.models import Assignment, PeriodRecord, Plan, ProgressNote
    from tasks.plans import PLAN_DIR, load_plan

    load_plan(json.loads((PLAN_DIR / "000_qingdao.json").read_text(encoding="utf-8")))
    plan = Plan.objects.filter(region__code__startswith="370").order_by("pk").first()
    assignment = Assignment.objects.filter(task__action__plan=plan).order_by("pk").first()
    assignment.original_name = "<b>x</b> 市教育局"
    assignment.save()
    for n, payload in enumerate([*PAYLOADS, disk_image]):
        ProgressNote.objects.create(assignment=assignment, date=datetime.date(2026, 3, 1 + n), note=payload)
    PeriodRecord.objects.create(
        assignment=assignment,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31),
        done_on=datetime.date(2026, 4, 1),
        place="<para>",
        note='<a href="http://evil">y</a>',
    )
    client.force_login(users.county_staff)
    response = client.get(reverse("tasks:report_pdf", args=[plan.pk]), {"year": 2026})
    _assert_shown_as_typed(response, [*PAYLOADS, '<a href="http://evil">y</a>'], tmp_path)


def test_archive_fields_are_shown_as_typed_in_the_child_archive(client, users, child, disk_image, tmp_path):
    # Written past the forms, as an import or an old record might hold it.
    Child.objects.filter(pk=child.pk).update(name="<b>x</b>", notes="\n".join([*PAYLOADS, disk_image]))
    FamilyMember.objects.create(
        child=child, relation="father", name="王大明", work_destination='<a href="http://evil">x</a> 上海'
    )
    client.force_login(users.director)
    response = client.get(reverse("children:pdf", args=[child.pk]))
    _assert_shown_as_typed(response, PAYLOADS, tmp_path)


def test_every_paragraph_is_built_by_the_one_escaping_helper():
    """reportlab's markup-reading flowables are made only in config/pdf.py's `paragraph`, which escapes."""
    base = Path(settings.BASE_DIR)
    offenders = []
    for path in base.rglob("*.py"):
        relative = path.relative_to(base)
        if relative.parts[0] in {".venv", "tests", "node_modules"} or relative == Path("config/pdf.py"):
            continue
        source = path.read_text(encoding="utf-8")
        if re.search(r"\b(Paragraph|XPreformatted|ImageAndFlowables)\(", source):
            offenders.append(str(relative))
    assert offenders == []
