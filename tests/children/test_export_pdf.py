"""Exports of the children list, archive PDFs, the blank visit form and PDF batches."""

import io
import shutil
import subprocess
import zipfile

import pytest
import tablib
from django.urls import reverse

from children.models import AccessLog, Child, Job
from tests.conftest import require
from tests.factories import CategoryFactory, ChildFactory, FamilyMemberFactory


def _content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def roster(tree):
    children = []
    for n, village in enumerate([tree.v1, tree.v1, tree.v2, tree.v3, tree.v4]):
        child = ChildFactory(village=village, address='=HYPERLINK("http://x")' if n == 0 else "某路1号")
        CategoryFactory(child=child, category="left_behind_rural" if n % 2 == 0 else "seriously_ill")
        FamilyMemberFactory(child=child, relation="father", is_guardian=True, phone="13912345678")
        children.append(child)
    for child in children:
        child.category_flags = 1 if child.categories.get().category == "left_behind_rural" else 1 << 8
        child.save()
    return children


def test_export_applies_the_filters_neutralises_formulas_and_logs_every_child(client, users, roster):
    client.force_login(users.county_staff)
    response = client.get(reverse("children:export"), {"format": "xlsx", "category": "left_behind_rural"})
    assert response["Content-Disposition"].startswith("attachment;")
    data = tablib.Dataset().load(_content(response), format="xlsx")
    ids = {roster[0].id_number, roster[2].id_number}  # the left-behind children of the county (not v4's)
    assert set(data["身份证号"]) == ids
    assert "'=HYPERLINK" in "".join(data["住址"])  # shown as text, never run by the spreadsheet
    assert set(AccessLog.objects.filter(action="export").values_list("child__id_number", flat=True)) == ids
    assert AccessLog.objects.filter(action="export", user=users.county_staff).count() == 2


def test_export_masks_id_and_phone_numbers_for_roles_that_see_them_masked(client, users, roster):
    client.force_login(users.supervisor)
    response = client.get(reverse("children:export"), {"format": "csv"})
    text = _content(response).decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    for child in roster[:3]:
        assert child.id_number not in text and child.id_number[:6] + "********" + child.id_number[-4:] in text
    assert "13912345678" not in text and "139****5678" in text
    assert roster[3].id_number[-4:] not in text  # another township's child is not in the supervisor's list


def test_export_is_refused_beyond_the_cap(client, users, roster, settings):
    settings.EXPORT_MAX_ROWS = 2
    client.force_login(users.county_staff)
    response = client.get(reverse("children:export"), {"format": "xlsx"})
    assert response.status_code == 302 and "format" not in response.url
    assert not AccessLog.objects.filter(action="export").exists()


def _pdftotext(content: bytes, tmp_path) -> str:
    require(bool(shutil.which("pdftotext")), "pdftotext (apt-get install poppler-utils)")
    path = tmp_path / "x.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_archive_pdf_holds_the_child_with_the_font_embedded(client, users, roster, tmp_path):
    child = roster[0]
    client.force_login(users.director)
    response = client.get(reverse("children:pdf", args=[child.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = _pdftotext(response.content, tmp_path)
    assert child.name in text and "东关村" in text and child.id_number in text
    pages = subprocess.run(["pdfinfo", str(tmp_path / "x.pdf")], capture_output=True, text=True).stdout
    total = int(next(line.split()[-1] for line in pages.splitlines() if line.startswith("Pages:")))
    assert total >= 2 and f"{total}" in text.splitlines()[-3:][0] + "".join(text.splitlines()[-3:])
    fonts = subprocess.run(["pdffonts", str(tmp_path / "x.pdf")], capture_output=True, text=True).stdout
    assert "WenQuanYi" in fonts and " yes " in fonts.split("WenQuanYi", 1)[1].splitlines()[0]
    assert AccessLog.objects.filter(child=child, action="pdf", user=users.director).exists()


def test_archive_pdf_masks_for_masked_roles_and_is_refused_to_shared_access(client, users, roster, tmp_path):
    child = roster[0]
    client.force_login(users.supervisor)
    text = _pdftotext(client.get(reverse("children:pdf", args=[child.pk])).content, tmp_path)
    assert child.id_number not in text and child.id_number[-4:] in text
    client.force_login(users.other_director)  # another village of the same township
    assert client.get(reverse("children:pdf", args=[child.pk])).status_code == 404


def test_the_blank_visit_form(client, users, tmp_path):
    client.force_login(users.director)
    text = _pdftotext(client.get(reverse("children:blank_visit_form")).content, tmp_path)
    assert text.strip()  # a printable form with its headings
    assert text.count("\n") > 20


@pytest.fixture
def eager_celery():
    from config.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_a_batch_of_archives_as_one_zip(client, users, roster, eager_celery):
    client.force_login(users.supervisor)
    response = client.post(reverse("children:archive_batch"), {"area": users.supervisor.areas.get().code})
    job = Job.objects.get()
    assert response.url == reverse("children:job", args=[job.pk])
    job.refresh_from_db()
    assert job.state == "done" and job.summary == {"archives": 3}
    response = client.get(reverse("children:job_output", args=[job.pk]))
    names = zipfile.ZipFile(io.BytesIO(_content(response))).namelist()
    assert len(names) == 3 and all(n.endswith(".pdf") for n in names)
    assert AccessLog.objects.filter(action="pdf").count() == 3
    # Someone else cannot fetch the zip.
    client.force_login(users.county_staff)
    assert client.get(reverse("children:job_output", args=[job.pk])).status_code == 404
    assert Child.objects.count() == 5


def test_the_pdf_of_a_demo_child_names_the_child_and_village(db, tmp_path):
    from django.core.management import call_command

    from children import pdf

    call_command("seed_demo", children=30, no_visits=True, verbosity=0)
    child = Child.objects.filter(family__isnull=False).select_related("village").first()
    text = _pdftotext(pdf.archive_pdf(child, full_ids=True), tmp_path)
    assert child.name in text and child.village.name in text


def test_without_a_truetype_font_the_pdf_falls_back_to_stsong_with_a_warning(db, settings, monkeypatch, caplog):
    from config import pdf as fonts

    settings.PDF_FONT_PATH = "/nonexistent/font.ttf"
    monkeypatch.setattr(fonts, "CANDIDATES", [])
    fonts.cjk_font.cache_clear()
    try:
        with caplog.at_level("WARNING"):
            assert fonts.cjk_font() == "STSong-Light"
        assert "No CJK TrueType font found" in caplog.text
    finally:
        fonts.cjk_font.cache_clear()
