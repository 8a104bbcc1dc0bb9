"""Uploads (type by content, size, storage, serving) and personal data (masking, logged exports, nothing in URLs)."""

import io
import logging
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from children.models import AccessLog, EntrustedCare, FamilyMember
from visits.models import VisitPhoto

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
# Files that are not what their .jpg name says: a Windows program, a web page with script, an SVG with script.
DISGUISED = {
    "pe.jpg": b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64 + b"This program cannot be run",
    "page.jpg": b"<!DOCTYPE html><html><script>alert(1)</script></html>",
    "image.jpg": b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
}


def _care_post(**extra):
    return {
        "caregiver_name": "王奶奶",
        "relation": "grandparent",
        "agreement_signed": "on",
        "agreement_date": "2026-02-01",
    } | extra


def _visit_post(**extra):
    from tests.visits.test_views import _visit_post as base

    return base(**extra)


@pytest.mark.parametrize("name", sorted(DISGUISED))
def test_files_disguised_as_images_are_refused_by_content(client, users, child, name):
    client.force_login(users.director)
    upload = SimpleUploadedFile(name, DISGUISED[name], content_type="image/jpeg")
    response = client.post(reverse("visits:new", args=[child.pk]), {**_visit_post(), "photos": upload})
    assert response.status_code == 200
    assert "photos" in response.context["form"].errors
    assert not VisitPhoto.objects.exists() and not child.visits.exists()
    upload = SimpleUploadedFile(name, DISGUISED[name], content_type="application/pdf")
    response = client.post(reverse("children:entrusted_care", args=[child.pk]), _care_post(agreement_scan=upload))
    assert response.status_code == 200
    assert "agreement_scan" in response.context["form"].errors
    assert not EntrustedCare.objects.filter(child=child).exists()


def test_the_size_limit_refuses_a_larger_file(client, users, child, settings):
    settings.UPLOAD_MAX_BYTES = 1024  # the default is 20 MB (settings.UPLOAD_MAX_BYTES); a small limit here
    client.force_login(users.director)
    big = SimpleUploadedFile("p.png", PNG + b"\x00" * 2048, content_type="image/png")
    response = client.post(reverse("visits:new", args=[child.pk]), {**_visit_post(), "photos": big})
    assert response.status_code == 200 and "photos" in response.context["form"].errors
    assert not VisitPhoto.objects.exists()
    small = SimpleUploadedFile("p.png", PNG, content_type="image/png")
    response = client.post(reverse("visits:new", args=[child.pk]), {**_visit_post(), "photos": small})
    assert response.status_code == 302 and VisitPhoto.objects.count() == 1


def test_uploads_are_stored_outside_static_with_random_names_and_served_only_through_checked_views(
    client, users, child
):
    client.force_login(users.director)
    for _ in range(2):
        photo = SimpleUploadedFile("家庭住址-王小明.png", PNG, content_type="image/png")
        assert (
            client.post(reverse("visits:new", args=[child.pk]), {**_visit_post(), "photos": photo}).status_code == 302
        )
    paths = [Path(p.image.path) for p in VisitPhoto.objects.all()]
    media, static = Path(settings.MEDIA_ROOT).resolve(), Path(settings.STATIC_ROOT).resolve()
    for path in paths:
        assert path.is_file()
        assert media in path.resolve().parents and static not in path.resolve().parents
        assert "王小明" not in path.name and "家庭住址" not in path.name
        assert len(path.stem) >= 32  # a random hex name
    assert paths[0].name != paths[1].name
    assert static not in media.parents and media != static
    # Nothing serves the media directory as such.
    assert client.get(f"/media/{paths[0].relative_to(media)}").status_code == 404
    # The checked view serves it, as what the content is, with nosniff; another area's user gets 404.
    photo = VisitPhoto.objects.first()
    url = reverse("visits:photo", kwargs={"child_pk": child.pk, "pk": photo.visit_id, "photo_pk": photo.pk})
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    client.force_login(users.other_director)
    assert client.get(url).status_code == 404


def test_every_file_download_sends_nosniff(client, world):
    """Every object URL answering a file (scans, photos, job results, PDFs, spreadsheets) sends nosniff."""
    from tests.security.conftest import object_urls

    client.force_login(world.users.county_staff)
    files = 0
    for name, url in object_urls(world):
        response = client.get(url)
        if response.status_code != 200 or "text/html" in response.get("Content-Type", ""):
            continue
        files += 1
        assert response.get("X-Content-Type-Options") == "nosniff", name
    assert files >= 3


def test_phone_and_id_numbers_are_masked_for_roles_that_do_not_need_them(client, users, child):
    FamilyMember.objects.create(child=child, relation="father", name="王大明", phone="13812345678")
    EntrustedCare.objects.create(child=child, caregiver_name="王奶奶", relation="grandparent", phone="13987654321")
    url = reverse("children:detail", args=[child.pk])
    client.force_login(users.supervisor)  # a supervisor sees masked numbers (children.access.FULL_ID_ROLES)
    body = client.get(url).content.decode()
    assert child.id_number not in body and child.id_number[-4:] in body
    assert "13812345678" not in body and "138****5678" in body
    assert "13987654321" not in body and "139****4321" in body
    client.force_login(users.director)  # the director works with the family and sees them in full
    body = client.get(url).content.decode()
    assert child.id_number in body and "13812345678" in body and "13987654321" in body


def test_exports_and_pdfs_are_written_to_the_access_log(client, users, child):
    client.force_login(users.county_staff)
    response = client.get(reverse("children:pdf", args=[child.pk]))
    assert response.status_code == 200
    assert AccessLog.objects.filter(user=users.county_staff, child=child, action="pdf").count() == 1
    response = client.get(reverse("children:export"), {"format": "xlsx"})
    assert response.status_code == 200
    assert AccessLog.objects.filter(user=users.county_staff, child=child, action="export").count() == 1
    care = EntrustedCare(child=child, caregiver_name="王奶奶", relation="grandparent")
    care.agreement_scan.save("a.pdf", io.BytesIO(b"%PDF-1.4 x"), save=False)
    care.save()
    assert client.get(reverse("children:agreement_scan", args=[child.pk])).status_code == 200
    assert AccessLog.objects.filter(user=users.county_staff, child=child, action="download").count() == 1


def test_a_search_by_id_number_never_reaches_the_logs(client, users, child, caplog):
    """The list's search is posted and kept in the session (children.search), and the request log writes the path
    only, never the query string or the body."""
    client.force_login(users.director)
    with caplog.at_level(logging.INFO):
        response = client.post(reverse("children:list"), {"q": child.id_number}, follow=True)
    assert response.status_code == 200 and child.name in response.content.decode()
    everything = " ".join(str(vars(record)) for record in caplog.records)
    assert child.id_number not in everything and child.id_number not in caplog.text
    lines = [getattr(r, "data", None) for r in caplog.records if r.name == "care.request"]
    assert {"method": "GET", "path": "/children/"}.items() <= lines[-1].items()  # the request, path only


def test_no_url_the_app_generates_carries_an_id_number(client, users, child):
    """Links on the pages of the archive and lists name children by their id, never by ID number."""
    import re

    client.force_login(users.director)
    for url in (reverse("children:list"), reverse("children:detail", args=[child.pk]), reverse("visits:worklist")):
        body = client.get(url).content.decode()
        for link in re.findall(r'(?:href|action|src)="([^"]*)"', body):
            assert child.id_number not in link and child.id_number[:14] not in link, (url, link)
