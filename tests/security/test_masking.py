"""Roles that see masked numbers (a supervisor; a liaison holding a child through django-guardian) never get the
full ID or phone number of a child, its family or its caregiver from any page, list, export or PDF, edit forms
included; the full-number roles (director, county civil affairs) see them in full. The one rule is
`children.privacy`; the edit forms apply it through `children.forms.MaskedFieldsMixin`.

The numbers are typed in (valid check digits worked out by hand, not by children.idnumber): a test that got its
numbers from the code under test could not notice that code going wrong.
"""

import datetime
import io
import shutil
import subprocess
import zipfile

import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm

from children.forms import EntrustedCareForm, FamilyMemberForm
from children.models import Child, EntrustedCare, FamilyMember
from tests.conftest import require
from tests.security.conftest import object_urls, url_patterns

CHILD_ID = "370283201603150128"
FATHER_OLD_ID = "370283198604120751"  # replaced by FATHER_ID: only in the change history
FATHER_ID = "370283198604120313"
MOTHER_ID = "370283198809200421"
CAREGIVER_ID = "370283195801070243"
FATHER_NEW_ID = "370283198604120532"  # what a supervisor types to correct the father's number

FATHER_OLD_PHONE = "13511112222"
FATHER_PHONE = "13812345678"
MOTHER_PHONE = "13698765432"  # the guardian's phone: also a column of the children export
CAREGIVER_PHONE = "13987654321"

FULL_NUMBERS = [
    CHILD_ID,
    FATHER_OLD_ID,
    FATHER_ID,
    MOTHER_ID,
    CAREGIVER_ID,
    FATHER_OLD_PHONE,
    FATHER_PHONE,
    MOTHER_PHONE,
    CAREGIVER_PHONE,
]

# As masked numbers look (region and last four; first three and last four), typed in too.
CHILD_MASKED = "370283********0128"
FATHER_MASKED = "370283********0313"
CAREGIVER_MASKED = "370283********0243"
FATHER_PHONE_MASKED = "138****5678"
MOTHER_PHONE_MASKED = "136****5432"
CAREGIVER_PHONE_MASKED = "139****4321"

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOT_WALKED = {"logout", "set_language"}  # would end the session or only switch the language


@pytest.fixture
def numbers_world(world):
    """The security walk's world, its child and family given the numbers above, through saves (so that the change
    history holds them too)."""
    child = Child.objects.get(pk=world.child.pk)
    child.id_number, child.birth_date, child.sex = CHILD_ID, datetime.date(2016, 3, 15), "F"
    child.save()
    father = FamilyMember.objects.get(pk=world.items["family"].pk)
    father.id_number, father.phone = FATHER_OLD_ID, FATHER_OLD_PHONE
    father.save()
    father.id_number, father.phone = FATHER_ID, FATHER_PHONE
    father.save()
    FamilyMember.objects.create(
        child=child, relation="mother", name="李秀英", is_guardian=True, id_number=MOTHER_ID, phone=MOTHER_PHONE
    )
    care = EntrustedCare.objects.get(child=child)
    care.id_number, care.phone = CAREGIVER_ID, CAREGIVER_PHONE
    care.save()
    world.child, world.father, world.care = child, father, care
    return world


def _pdf_text(content: bytes, tmp_path) -> str:
    require(bool(shutil.which("pdftotext")), "pdftotext (apt-get install poppler-utils)")
    path = tmp_path / "scan.pdf"
    path.write_bytes(content)
    # A stub upload (an agreement "scan" of a few bytes) is no PDF to pdftotext: its bytes are scanned as they are.
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout


def _xlsx_text(content: bytes) -> str:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        str(value) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for value in row
    )


def _text(content: bytes, content_type: str, tmp_path) -> str:
    """Everything a person could read in a response: HTML and CSV as text, a workbook's cells, a PDF's text, and
    the same for each file of a zip."""
    if content.startswith(b"%PDF"):
        return content.decode("latin-1") + _pdf_text(content, tmp_path)
    if content.startswith(b"PK\x03\x04"):
        try:
            archive = zipfile.ZipFile(io.BytesIO(content))
        except zipfile.BadZipFile:
            return content.decode("utf-8", "replace")
        if content_type.startswith(XLSX) or "xl/workbook.xml" in archive.namelist():
            return _xlsx_text(content)
        return "\n".join(_text(archive.read(name), "", tmp_path) for name in archive.namelist())
    return content.decode("utf-8-sig", "replace")


def _read(client, url, tmp_path) -> tuple[int, str]:
    response = client.get(url)
    if response.status_code != 200:
        return response.status_code, ""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return 200, _text(content, response.get("Content-Type", ""), tmp_path)


def _list_urls() -> list[tuple[str, str]]:
    """Every URL without arguments (lists, dashboards, worklists…), also asked for as .xlsx and .csv exports
    (children.exports.export_format: views that export answer ?format=)."""
    out = []
    for name, converters in url_patterns():
        if converters or name in NOT_WALKED:
            continue
        url = reverse(name)
        out += [(name, url), (f"{name} xlsx", f"{url}?format=xlsx"), (f"{name} csv", f"{url}?format=csv")]
    return out


def _walk(client, world, tmp_path) -> dict[str, str]:
    """What every page, list and export reachable for the user answers (name -> readable text), 200s only."""
    seen = {}
    for name, url in [*object_urls(world), *_list_urls()]:
        status, text = _read(client, url, tmp_path)
        if status == 200:
            seen[f"{name} {url}"] = text
    return seen


def _leaks(seen: dict[str, str]) -> list[tuple[str, str]]:
    return [(where, number) for where, text in seen.items() for number in FULL_NUMBERS if number in text]


@pytest.mark.parametrize("who", ["supervisor", "liaison"])
def test_no_page_list_export_or_pdf_shows_a_full_number_to_a_masked_role(client, numbers_world, who, tmp_path):
    world = numbers_world
    user = getattr(world.users, who)
    if who == "liaison":
        assign_perm("children.view_child", user, world.child)  # holds the child through django-guardian
    client.force_login(user)
    seen = _walk(client, world, tmp_path)
    assert _leaks(seen) == []
    assert client.get(reverse("children:list")).wsgi_request.user == user  # the walk never signed the user out
    if who == "liaison":  # the reduced views of a shared child (archive page, referral): reached, no numbers at all
        assert any(world.child.name in text for text in seen.values())
        return
    detail = seen[f"children:detail {reverse('children:detail', args=[world.child.pk])}"]
    # The walk did read the numbers, masked: the archive, its history, its edit forms, the PDF and the export.
    for masked in (CHILD_MASKED, FATHER_PHONE_MASKED, MOTHER_PHONE_MASKED, CAREGIVER_PHONE_MASKED):
        assert masked in detail, masked
    history = seen[f"children:history {reverse('children:history', args=[world.child.pk])}"]
    assert FATHER_MASKED in history and FATHER_PHONE_MASKED in history and CAREGIVER_MASKED in history
    family_edit = reverse(
        "children:record_edit", kwargs={"pk": world.child.pk, "kind": "family", "item_pk": world.father.pk}
    )
    assert FATHER_MASKED in seen[f"children:record_edit {family_edit}"]
    caregiver_edit = reverse("children:entrusted_care", args=[world.child.pk])
    assert CAREGIVER_MASKED in seen[f"children:entrusted_care {caregiver_edit}"]
    assert CHILD_MASKED in seen[f"children:pdf {reverse('children:pdf', args=[world.child.pk])}"]
    for fmt in ("xlsx", "csv"):
        export = seen[f"children:export {fmt} {reverse('children:export')}?format={fmt}"]
        assert CHILD_MASKED in export and MOTHER_PHONE_MASKED in export, fmt


def test_a_batch_of_archive_pdfs_masks_for_a_masked_role(numbers_world, tmp_path):
    from children import pdf

    world = numbers_world
    content, count = pdf.archives_zip(user=world.users.supervisor, area_code=world.tree.v1.code)
    text = _text(content, "application/zip", tmp_path)
    assert count >= 1 and CHILD_MASKED in text and FATHER_PHONE_MASKED in text
    assert [n for n in FULL_NUMBERS if n in text] == []


@pytest.mark.parametrize("who", ["director", "county_staff"])
def test_full_id_roles_see_the_numbers_in_full_on_the_archive(client, numbers_world, who):
    """The positive control: the same archive page shows the numbers in full to the roles that work with them."""
    world = numbers_world
    client.force_login(getattr(world.users, who))
    body = client.get(reverse("children:detail", args=[world.child.pk])).content.decode()
    for number in (CHILD_ID, FATHER_PHONE, MOTHER_PHONE, CAREGIVER_PHONE, FATHER_OLD_ID, FATHER_ID, CAREGIVER_ID):
        assert number in body, number  # the last three through the change history


# --- the edit forms -------------------------------------------------------------------------------------------


def _as_posted(form) -> dict:
    """The form's fields as a browser posts them back untouched: what is shown in each input."""
    data = {}
    for bf in form:
        value = bf.value()
        if value in (None, False, ""):
            continue
        data[bf.html_name] = "on" if value is True else value
    return data


@pytest.mark.parametrize("user_key", ["supervisor", None])
def test_the_family_member_form_masks_for_a_supervisor_and_without_a_user(numbers_world, user_key):
    world = numbers_world
    user = getattr(world.users, user_key) if user_key else None
    form = FamilyMemberForm(instance=world.father, user=user)
    html = str(form)
    assert FATHER_ID not in html and FATHER_PHONE not in html
    assert FATHER_MASKED in html and FATHER_PHONE_MASKED in html
    assert "号码已部分隐藏" in html  # the help text, in Chinese
    posted = FamilyMemberForm(_as_posted(form), instance=world.father, user=user)
    assert posted.is_valid(), posted.errors
    assert "id_number" not in posted.changed_data and "phone" not in posted.changed_data
    saved = posted.save()
    saved.refresh_from_db()
    assert (saved.id_number, saved.phone) == (FATHER_ID, FATHER_PHONE)


def test_the_forms_show_full_numbers_to_a_director():
    """Plain instances: no database needed to see the form layer's rule for a full-number role."""
    from accounts.models import Role, User

    director = User(username="d", role=Role.DIRECTOR, is_active=True)
    father = FamilyMember(relation="father", name="王大明", id_number=FATHER_ID, phone=FATHER_PHONE)
    html = str(FamilyMemberForm(instance=father, user=director))
    assert FATHER_ID in html and FATHER_PHONE in html and "号码已部分隐藏" not in html
    care = EntrustedCare(caregiver_name="王奶奶", relation="grandparent", id_number=CAREGIVER_ID, phone=CAREGIVER_PHONE)
    html = str(EntrustedCareForm(instance=care, user=director))
    assert CAREGIVER_ID in html and CAREGIVER_PHONE in html


def test_a_supervisor_keeps_corrects_but_cannot_half_edit_a_parents_number_through_the_page(client, numbers_world):
    world = numbers_world
    father = world.father
    url = reverse("children:record_edit", kwargs={"pk": world.child.pk, "kind": "family", "item_pk": father.pk})
    client.force_login(world.users.supervisor)
    response = client.get(url)
    body = response.content.decode()
    assert FATHER_ID not in body and FATHER_PHONE not in body and FATHER_MASKED in body
    form_data = _as_posted(response.context["form"])

    # Unchanged: the stored numbers stay.
    assert client.post(url, form_data).status_code == 302
    father.refresh_from_db()
    assert (father.id_number, father.phone) == (FATHER_ID, FATHER_PHONE)

    # Refused for another field: the form comes back, still masked.
    response = client.post(url, {**form_data, "situation": "working_away", "work_destination": ""})
    assert response.status_code == 200
    body = response.content.decode()
    assert FATHER_ID not in body and FATHER_PHONE not in body and FATHER_MASKED in body

    # Half-edited masks are refused, never saved with their asterisks.
    response = client.post(url, {**form_data, "id_number": "370283********0000", "phone": "138****0000"})
    assert response.status_code == 200 and set(response.context["form"].errors) == {"id_number", "phone"}
    father.refresh_from_db()
    assert (father.id_number, father.phone) == (FATHER_ID, FATHER_PHONE)

    # Typed whole: validated and saved as the new numbers.
    response = client.post(url, {**form_data, "id_number": FATHER_NEW_ID, "phone": "13700002222"})
    assert response.status_code == 302
    father.refresh_from_db()
    assert (father.id_number, father.phone) == (FATHER_NEW_ID, "13700002222")


def test_a_supervisor_keeps_and_corrects_the_caregivers_numbers_through_the_page(client, numbers_world):
    world = numbers_world
    url = reverse("children:entrusted_care", args=[world.child.pk])
    client.force_login(world.users.supervisor)
    response = client.get(url)
    body = response.content.decode()
    assert CAREGIVER_ID not in body and CAREGIVER_PHONE not in body
    assert CAREGIVER_MASKED in body and CAREGIVER_PHONE_MASKED in body
    form_data = _as_posted(response.context["form"])
    form_data.pop("agreement_scan", None)  # no new upload: the stored scan stays
    assert client.post(url, form_data).status_code == 302
    care = EntrustedCare.objects.get(pk=world.care.pk)
    assert (care.id_number, care.phone) == (CAREGIVER_ID, CAREGIVER_PHONE) and care.agreement_scan
    assert client.post(url, {**form_data, "phone": "13700003333"}).status_code == 302
    care.refresh_from_db()
    assert (care.id_number, care.phone) == (CAREGIVER_ID, "13700003333")


def test_a_director_sees_the_full_numbers_in_the_edit_forms(client, numbers_world):
    world = numbers_world
    client.force_login(world.users.director)
    family_edit = reverse(
        "children:record_edit", kwargs={"pk": world.child.pk, "kind": "family", "item_pk": world.father.pk}
    )
    body = client.get(family_edit).content.decode()
    assert FATHER_ID in body and FATHER_PHONE in body
    body = client.get(reverse("children:entrusted_care", args=[world.child.pk])).content.decode()
    assert CAREGIVER_ID in body and CAREGIVER_PHONE in body
