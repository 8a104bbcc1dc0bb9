"""The roster import: every bad-file case reports the exact rows and columns and writes nothing."""

import datetime
import io

import openpyxl
import pytest
import tablib
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from children import imports, roster_cleaning, roster_format
from children.models import Child, ChildCategory, FamilyMember, Job
from children.sheets import SheetError
from tests.factories import CategoryFactory, ChildFactory, FamilyMemberFactory
from tests.idnumbers import make

TODAY = datetime.date(2026, 11, 22)
HEAD = ["姓名", "身份证号", "性别", "出生日期", "村（社区）代码", "儿童类别", "监护人姓名", "监护人关系", "监护人电话"]


def xlsx(rows, head=HEAD, before=()) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in before:
        sheet.append(row)
    sheet.append(head)
    for row in rows:
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    buf.seek(0)
    buf.name = "roster.xlsx"
    return buf


def good(n: int, village="370283001001", birth=datetime.date(2015, 6, 1), name="张") -> list:
    return [
        f"{name}{n}",
        make("370283", birth, n),
        "",
        "",
        village,
        "农村留守儿童",
        f"监护人{n}",
        "祖父母或外祖父母",
        "",
    ]


def errors_of(outcome) -> set[tuple[int, str]]:
    return {(row.number, column) for row in outcome.invalid for column in row.errors}


def run(upload, user, **kwargs):
    kwargs.setdefault("today", TODAY)
    return imports.run_import(upload, user=user, **kwargs)


def test_a_clean_file_is_previewed_then_imported_with_history(users, tree):
    upload = xlsx([good(1), good(2), good(3, village=tree.v3.code)])
    preview = run(upload, users.county_staff, dry_run=True)
    assert preview.totals["new"] == 3 and not preview.invalid
    assert Child.objects.count() == 0  # a dry run writes nothing

    outcome = run(upload, users.county_staff, dry_run=False)
    assert (outcome.written.created, outcome.written.updated) == (3, 0)
    child = Child.objects.get(name="张3")
    assert child.village_id == tree.v3.code and child.sex == "M" and child.birth_date == datetime.date(2015, 6, 1)
    assert list(child.categories.values_list("category", flat=True)) == ["left_behind_rural"]
    assert child.category_flags == 1
    guardian = FamilyMember.objects.get(child=child)
    assert (guardian.name, guardian.relation, guardian.is_guardian) == ("监护人3", "grandparent", True)
    record = child.history.get()
    assert (record.history_type, record.history_user_id) == ("+", users.county_staff.pk)
    assert ChildCategory.history.filter(child_id=child.pk, history_type="+").count() == 1
    assert child.schedule.due_on is not None  # the visit schedule follows the new archive


def test_every_bad_row_is_named_by_row_and_column_and_nothing_is_written(users, tree):
    ok = good(1)
    bad_checksum = good(2)
    bad_checksum[1] = bad_checksum[1][:17] + ("0" if bad_checksum[1][17] != "0" else "1")
    bad_date = good(3)
    bad_date[3] = "2015-13-45"
    bad_category = good(4)
    bad_category[5] = "外星儿童"
    outside = good(5, village=tree.v4.code)
    duplicate = good(1)  # the same ID number as row 2
    adult = good(7, birth=datetime.date(2006, 1, 1))
    formula = good(8)
    formula[0] = "@SUM(A1)"
    as_number = good(9)
    as_number[1] = 370283201506010097
    wrong_sex = good(13)
    wrong_sex[2] = "女"
    unknown_village = good(11, village="370283009999")
    rows = [ok, bad_checksum, bad_date, bad_category, outside, duplicate, adult, formula, as_number, wrong_sex]
    with translation.override("en"):
        outcome = run(xlsx([*rows, unknown_village]), users.county_staff, dry_run=False)

    assert errors_of(outcome) == {
        (3, "身份证号"),
        (4, "出生日期"),
        (5, "儿童类别"),
        (6, "村（社区）代码"),
        (7, "身份证号"),
        (8, "身份证号"),
        (9, "姓名"),
        (10, "身份证号"),
        (11, "性别"),
        (12, "村（社区）代码"),
    }
    by_row = {row.number: " ".join(m for ms in row.errors.values() for m in ms) for row in outcome.invalid}
    assert "row 2 of this file" in by_row[7]
    assert "370283009999" in by_row[12]
    assert outcome.written is None
    assert Child.objects.count() == 0 and FamilyMember.objects.count() == 0


def test_valid_rows_only_writes_them_and_returns_the_invalid_rows_as_a_workbook(users, tree):
    bad = good(2)
    bad[5] = ""
    outcome = run(xlsx([good(1), bad, good(3)]), users.county_staff, dry_run=False, valid_only=True)
    assert outcome.written.created == 2
    assert set(Child.objects.values_list("name", flat=True)) == {"张1", "张3"}
    book = tablib.Dataset().load(imports.invalid_rows_workbook(outcome), format="xlsx")
    assert book.headers[0] == "原行号" and book.headers[-1] == "错误"
    assert len(book) == 1 and book[0][0] == 3 and "儿童类别" in book[0][-1]


def test_excel_quirks_are_read_as_staff_mean_them(users, tree):
    fullwidth = make("370283", datetime.date(2014, 3, 4), 21)
    lower_x = next(
        make("370283", datetime.date(2013, 1, 2), n)
        for n in range(1, 999)
        if make("370283", datetime.date(2013, 1, 2), n).endswith("X")
    )
    rows = [
        # An Excel date cell, a village code stored as a number, full-width digits in the ID number.
        [
            "李一",
            fullwidth.translate({ord(c): 0xFF10 + int(c) for c in "0123456789"}),
            "",
            datetime.date(2014, 3, 4),
            370283001001,
            "重病",
            "",
            "",
            "",
        ],
        # A text date, a trailing lowercase x, two categories, one of whose labels contains 、.
        ["李二", lower_x.lower(), "", "2013年1月2日", "370283001001", "重病、监护较差、缺失或不当", "", "", ""],
        # An Excel serial date (2015-06-01 = 42156) and a phone stored as a number.
        [
            "李三",
            make("370283", datetime.date(2015, 6, 1), 23),
            "",
            42156,
            "370283001001",
            "残疾",
            "王五",
            "母亲",
            13800000000,
        ],
        [None, None, None],  # blank trailing rows
        ["", "", ""],
    ]
    upload = xlsx(rows, before=[["东阁街道儿童名册"]])
    book = openpyxl.load_workbook(upload)
    book.active.merge_cells("A1:I1")  # a merged title row above the headers
    buf = io.BytesIO()
    book.save(buf)
    outcome = run(io.BytesIO(buf.getvalue()), users.county_staff, dry_run=False)
    assert not outcome.invalid, [(r.number, r.errors) for r in outcome.invalid]
    assert outcome.written.created == 3
    assert Child.objects.get(name="李一").id_number == fullwidth
    second = Child.objects.get(name="李二")
    assert second.id_number == lower_x and set(second.categories.values_list("category", flat=True)) == {
        "seriously_ill",
        "poor_guardianship",
    }
    assert FamilyMember.objects.get(child__name="李三").phone == "13800000000"
    assert [r.number for r in outcome.rows] == [3, 4, 5]  # row numbers as Excel shows them


def test_a_two_row_merged_header_and_a_formula_without_result(users, tree):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "村（社区）代码", "儿童类别", "监护人", None])
    sheet.append([None, None, None, None, "姓名", "电话"])
    for col in "ABCD":
        sheet.merge_cells(f"{col}1:{col}2")
    sheet.merge_cells("E1:F1")
    sheet.append(["赵一", make("370283", datetime.date(2016, 2, 2), 31), "370283001001", "社会散居孤儿", "赵父", "139"])
    sheet.append(
        ['=CONCATENATE("赵","二")', make("370283", datetime.date(2016, 2, 2), 33), "370283001001", "社会散居孤儿"]
    )
    buf = io.BytesIO()
    book.save(buf)
    buf.seek(0)
    outcome = run(buf, users.county_staff, dry_run=True)
    assert outcome.rows[0].values["guardian_name"] == "赵父" and outcome.rows[0].values["guardian_phone"] == "139"
    # openpyxl stores no cached result for a formula: the cell reads as empty and the row says what is missing.
    assert errors_of(outcome) == {(4, "姓名")}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"   \n ", "empty"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3 binary", "not a readable spreadsheet"),
        (b"PK\x03\x04 a broken zip", "not a readable spreadsheet"),
        ("名字,号码\n张三,1\n".encode(), "Required columns not found"),
        ("姓名,身份证号,村（社区）代码,儿童类别\n".encode(), "no data rows"),
    ],
)
def test_files_that_cannot_be_read_are_refused_whole(users, tree, content, message):
    with translation.override("en"), pytest.raises(SheetError) as exc:
        run(io.BytesIO(content), users.county_staff, dry_run=False)
    assert message in " ".join(exc.value.messages)
    assert Child.objects.count() == 0


def test_a_file_over_the_size_limit_is_refused_not_parsed(users, tree, settings):
    assert settings.UPLOAD_MAX_BYTES == 20 * 1024 * 1024
    big = io.BytesIO(b"a" * (settings.UPLOAD_MAX_BYTES + 1))
    with pytest.raises(SheetError) as exc:
        run(big, users.county_staff, dry_run=True)
    assert "20 MB" in exc.value.messages[0]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_csv_in_utf8_or_gbk(users, tree, encoding):
    lines = [",".join(HEAD), ",".join(str(v) for v in good(1))]
    outcome = run(io.BytesIO("\r\n".join(lines).encode(encoding)), users.county_staff, dry_run=False)
    assert outcome.written.created == 1 and Child.objects.get().name == "张1"


def test_existing_archives_matched_by_id_number_show_and_apply_their_changes(users, tree):
    child = ChildFactory(village=tree.v1, name="旧名", school="一中")
    CategoryFactory(child=child, category="orphan_scattered")
    FamilyMemberFactory(child=child, name="旧监护人", relation="father", is_guardian=True)
    from children.services import _refresh_category_flags

    _refresh_category_flags(child)
    row = ["新名", child.id_number.lower(), "", "", child.village_id, "社会散居孤儿、重病", "旧监护人", "父亲", ""]
    preview = run(xlsx([row]), users.county_staff, dry_run=True)
    assert preview.rows[0].kind == "update" and preview.rows[0].changed == ["姓名", "儿童类别"]
    version = Child.objects.get(pk=child.pk).version
    run(xlsx([row]), users.county_staff, dry_run=False)
    child.refresh_from_db()
    assert child.name == "新名" and child.school == "一中"  # blank cells leave values alone
    assert child.version == version + 1  # a form opened before the import is refused as stale
    assert set(child.categories.filter(ended_on__isnull=True).values_list("category", flat=True)) == {
        "orphan_scattered",
        "seriously_ill",
    }
    assert child.history.first().history_type == "~"
    # Listing fewer categories ends the others today; their history is kept.
    row[5] = "重病"
    run(xlsx([row]), users.county_staff, dry_run=False)
    ended = ChildCategory.objects.get(child=child, category="orphan_scattered")
    assert ended.ended_on == TODAY


def test_staff_import_only_into_their_own_area(users, tree):
    elsewhere = ChildFactory(village=tree.v4)
    row = ["某某", elsewhere.id_number, "", "", tree.v1.code, "重病", "", "", ""]
    outcome = run(xlsx([row, good(2, village=tree.v4.code)]), users.county_staff, dry_run=True)
    assert errors_of(outcome) == {(2, "身份证号"), (3, "村（社区）代码")}
    assert "胶州市" in outcome.invalid[0].errors["身份证号"][0]  # names the area, shows none of its data
    moved = ChildFactory(village=tree.v2)
    row = [moved.name, moved.id_number, "", "", tree.v1.code, "重病", "", "", ""]
    outcome = run(xlsx([row]), users.county_staff, dry_run=True)
    assert errors_of(outcome) == {(2, "村（社区）代码")}  # moving a child is a transfer, not an import


def test_a_failure_half_way_rolls_the_whole_import_back(users, tree, monkeypatch):
    from visits import schedule

    def boom(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(schedule, "refresh", boom)
    with pytest.raises(RuntimeError):
        run(xlsx([good(1), good(2)]), users.county_staff, dry_run=False)
    assert Child.objects.count() == 0 and FamilyMember.objects.count() == 0 and ChildCategory.objects.count() == 0


def test_round_trip_export_then_import_reports_no_changes(client, users, tree):
    for n in range(3):
        child = ChildFactory(village=tree.v1 if n < 2 else tree.v3)
        CategoryFactory(child=child, category="left_behind_rural")
        FamilyMemberFactory(child=child, relation="mother", is_guardian=True, phone="13912345678")
    Child.objects.update(category_flags=1)
    client.force_login(users.county_staff)
    for fmt in ("xlsx", "csv"):
        response = client.get(reverse("children:export"), {"format": fmt})
        assert response.status_code == 200
        content = b"".join(response.streaming_content) if response.streaming else response.content
        outcome = run(io.BytesIO(content), users.county_staff, dry_run=True)
        assert outcome.totals["skip"] == 3, [(r.number, r.kind, r.changed, r.errors) for r in outcome.rows]
        assert outcome.totals["new"] == outcome.totals["update"] == outcome.totals["invalid"] == 0


def test_the_web_flow_check_then_import(client, users, tree):
    client.force_login(users.county_staff)
    assert client.get(reverse("children:import")).status_code == 200
    response = client.post(reverse("children:import"), {"file": xlsx([good(1), good(2)])})
    job = Job.objects.get()
    assert response.url == reverse("children:job", args=[job.pk])
    page = client.get(response.url).content.decode()
    assert job.summary["totals"]["new"] == 2 and "张1" in page
    assert Child.objects.count() == 0
    response = client.post(reverse("children:job_confirm", args=[job.pk]))
    imported = Job.objects.latest("id")
    assert imported.kind == "import" and imported.state == "done"
    assert imported.summary["written"] == {"created": 2, "updated": 0}
    assert Child.objects.count() == 2


def test_the_web_flow_with_invalid_rows(client, users, tree):
    client.force_login(users.county_staff)
    bad = good(2)
    bad[1] = "123"
    client.post(reverse("children:import"), {"file": xlsx([good(1), bad])})
    job = Job.objects.get()
    page = client.get(reverse("children:job", args=[job.pk])).content.decode()
    assert job.summary["rows"]["invalid"][0][0] == 3 and "身份证号" in page
    # Importing everything is refused while rows are invalid; the valid rows only is allowed.
    client.post(reverse("children:job_confirm", args=[job.pk]))
    assert Child.objects.count() == 0
    client.post(reverse("children:job_confirm", args=[job.pk]), {"valid_only": "1"})
    assert Child.objects.count() == 1
    errors = client.get(reverse("children:job_output", args=[job.pk]))
    book = tablib.Dataset().load(b"".join(errors.streaming_content), format="xlsx")
    assert book[0][0] == 3


def test_only_civil_affairs_import_and_jobs_are_private(client, users, tree):
    client.force_login(users.director)
    assert client.get(reverse("children:import")).status_code == 403
    assert client.post(reverse("children:import"), {"file": xlsx([good(1)])}).status_code == 403
    client.force_login(users.county_staff)
    client.post(reverse("children:import"), {"file": xlsx([good(1)])})
    job = Job.objects.get()
    client.force_login(users.other_county_staff)
    assert client.get(reverse("children:job", args=[job.pk])).status_code == 404
    assert client.post(reverse("children:job_confirm", args=[job.pk])).status_code == 404


def test_an_oversize_upload_is_refused_in_the_form(client, users, tree, settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    client.force_login(users.county_staff)
    big = io.BytesIO(b"x" * (1024 * 1024 + 1))
    big.name = "big.xlsx"
    response = client.post(reverse("children:import"), {"file": big})
    assert response.status_code == 200 and not Job.objects.exists()
    assert "1 MB" in response.content.decode()


def test_the_commands(users, tree, tmp_path, capsys):
    template = tmp_path / "t.xlsx"
    call_command("export_children", template=str(template))
    headers = tablib.Dataset().load(template.read_bytes(), format="xlsx").headers
    assert [h.removesuffix(" *") for h in headers] == roster_format.HEADERS
    roster = tmp_path / "r.xlsx"
    bad = good(2)
    bad[4] = "x"
    roster.write_bytes(xlsx([good(1), bad]).getvalue())
    call_command("import_children", str(roster), "--dry-run", "--user", "county_staff")
    out = capsys.readouterr().out
    assert "第3行 村（社区）代码" in out and "新增 1" in out
    with pytest.raises(CommandError):
        call_command("import_children", str(roster), "--user", "county_staff")
    assert Child.objects.count() == 0
    call_command("import_children", str(roster), "--user", "county_staff", "--valid-only")
    assert Child.objects.count() == 1
    export = tmp_path / "all.csv"
    call_command("export_children", str(export), area="370283")
    assert "张1" in export.read_text(encoding="utf-8-sig")


def test_resource_import_data_keeps_django_import_export_interface(users, tree):
    from children.resources import ChildResource

    data = tablib.Dataset(headers=["姓名", "身份证号码", "村（社区）代码", "儿童类别"])
    data.append(["钱一", make("370283", datetime.date(2016, 1, 1), 41), tree.v1.code, "重病"])
    data.append(["钱二", "bad", tree.v1.code, "重病"])
    result = ChildResource(user=users.county_staff).import_data(data, dry_run=True)
    assert result.totals["new"] == 1 and result.has_validation_errors()
    assert result.invalid_rows[0].number == 3 and "身份证号" in result.invalid_rows[0].error_dict


def test_cleaned_rows_are_sealed_and_refused_when_altered_or_stale(users, tree):
    bad = good(2)
    bad[1] = "123"
    preview = run(xlsx([good(1), bad]), users.county_staff, dry_run=True, keep_cleaned=True)
    sealed = preview.cleaned
    back = imports.unseal(sealed, TODAY)
    assert back.headers == preview.headers
    assert [(r.number, r.values, r.errors) for r in back.rows] == [
        (r.number, r.values, {k: v for k, v in r.errors.items() if k != "村（社区）代码"})
        for r in roster_cleaning.clean_rows(imports.read_roster(xlsx([good(1), bad])), today=TODAY)
    ]
    assert back.rows[1].raw["身份证号"] == "123" and back.rows[0].raw == {}  # cells kept for invalid rows only
    assert imports.unseal(sealed, TODAY + datetime.timedelta(days=1)) is None  # ages count from the day
    tampered = bytearray(sealed)
    tampered[-5] ^= 1
    assert imports.unseal(bytes(tampered), TODAY) is None
    assert imports.unseal(b"", TODAY) is None


def test_the_import_reuses_the_checked_rows_and_still_checks_the_database(client, users, tree, monkeypatch):
    """The confirmed import takes the rows the check cleaned (not the file again), but looks at the archives
    again: an archive registered meanwhile with one of the file's ID numbers makes that row invalid."""
    client.force_login(users.county_staff)
    rows = [good(1), good(2), good(3)]
    client.post(reverse("children:import"), {"file": xlsx(rows)})
    job = Job.objects.get()
    assert job.params["cleaned"]
    ChildFactory(village=tree.v2, id_number=rows[1][1])  # registered elsewhere since the check

    def no_second_cleaning(sheet, **kwargs):
        raise AssertionError("the file was cleaned again")

    # (The file is read again only for the cells of the row the archives now refuse: its workbook of invalid rows.)
    monkeypatch.setattr(imports, "clean_rows", no_second_cleaning)
    client.post(reverse("children:job_confirm", args=[job.pk]))
    imported = Job.objects.latest("id")
    assert imported.state == "done" and imported.summary["totals"]["invalid"] == 1
    assert Child.objects.filter(name__startswith="张").count() == 0  # one invalid row: nothing written
    client.post(reverse("children:job_confirm", args=[job.pk]), {"valid_only": "1"})
    assert set(Child.objects.filter(name__startswith="张").values_list("name", flat=True)) == {"张1", "张3"}


def test_a_missing_or_altered_seal_falls_back_to_reading_the_file(client, users, tree):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    client.force_login(users.county_staff)
    client.post(reverse("children:import"), {"file": xlsx([good(1), good(2)])})
    job = Job.objects.get()
    name = job.params["cleaned"]
    default_storage.delete(name)
    default_storage.save(name, ContentFile(b"x" * 64))  # not sealed by us
    client.post(reverse("children:job_confirm", args=[job.pk]))
    assert Job.objects.latest("id").summary["written"] == {"created": 2, "updated": 0}
    assert Child.objects.count() == 2


# --- Issue 15: the import, as staff use it ----------------------------------------------------------------------
# ID numbers typed in (valid check digits, children born 2013-2018 in 370283), independent of children.idnumber.
IDS = [
    "370283201506010115",
    "370283201506020137",
    "370283201603150152",
    "370283201707200177",
    "37028320140209019X",
    "370283201801010214",
]
ID_PATTERN = r"(?<!\d)\d{17}[\dXx](?!\d)"
PHONE_PATTERN = r"(?<!\d)1\d{10}(?!\d)"


def typed(n: int, **cells) -> list:
    """A valid row (HEAD's columns) with the n-th typed-in ID number."""
    row = dict(
        zip(HEAD, [f"孙{n}", IDS[n], "", "", "370283001001", "农村留守儿童", f"孙监护{n}", "母亲", ""], strict=True)
    )
    row.update(cells)
    return list(row.values())


def _confirm_after_a_conflict(client, users, tree, data, **post):
    """Check a file, then an archive with row 3's ID number is opened in another county, then confirm."""
    client.force_login(users.county_staff)
    client.post(reverse("children:import"), {"file": xlsx(data)})
    preview = Job.objects.get()
    ChildFactory(village=tree.v4, id_number=IDS[1], name="别处")
    response = client.post(reverse("children:job_confirm", args=[preview.pk]), post)
    return preview, Job.objects.latest("id"), response


def test_rows_refused_at_confirmation_come_back_with_their_cells_and_reason(client, users, tree):
    """Item 1: the workbook of invalid rows after "valid rows only" holds the cells of a row that only the
    database checks at confirmation refused (the sealed rows keep no cells of valid rows), and the reason."""
    data = [typed(0), typed(1, 监护人电话="13912345678"), typed(2)]
    preview, imported, _r = _confirm_after_a_conflict(client, users, tree, data, valid_only="1")
    assert imported.kind == "import" and imported.summary["written"] == {"created": 2, "updated": 0}
    response = client.get(reverse("children:job_output", args=[imported.pk]))
    book = tablib.Dataset().load(b"".join(response.streaming_content), format="xlsx")
    assert len(book) == 1
    cells = dict(zip(book.headers, book[0], strict=True))
    assert cells["原行号"] == 3
    assert (cells["姓名"], cells["身份证号"], cells["村（社区）代码"]) == ("孙1", IDS[1], "370283001001")
    assert (cells["儿童类别"], cells["监护人姓名"], cells["监护人电话"]) == ("农村留守儿童", "孙监护1", "13912345678")
    assert "胶州市" in cells["错误"]


def test_a_confirmation_that_writes_nothing_says_so(client, users, tree):
    """Item 2: when the re-check at confirmation finds a row invalid (and not "valid rows only"), nothing is
    written and the page says so, with the count and the reason, instead of "导入完成"."""
    data = [typed(0), typed(1), typed(2)]
    with translation.override("zh-hans"):
        _p, imported, _r = _confirm_after_a_conflict(client, users, tree, data, HTTP_ACCEPT_LANGUAGE="zh-hans")
        page = client.get(reverse("children:job", args=[imported.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    assert imported.summary["written"] is None and Child.objects.filter(name__startswith="孙").count() == 0
    assert "导入完成" not in text
    assert "未导入任何数据（写入 0 行）" in text and "1 行" in text and "胶州市" in text


def test_the_template_and_the_export_keep_id_and_phone_numbers_as_text(client, users, tree):
    """Item 3: ID and phone cells are text-formatted ("@") in the template and the .xlsx export; the template marks
    the required headers with * (those of the README's table) and still reads back."""
    client.force_login(users.county_staff)
    template = openpyxl.load_workbook(io.BytesIO(client.get(reverse("children:import_template")).content))
    sheet = template["儿童名单"]
    headers = [c.value for c in sheet[1]]
    assert [h for h in headers if h.endswith(" *")] == ["姓名 *", "身份证号 *", "村（社区）代码 *", "儿童类别 *"]
    for header in ("身份证号 *", "监护人电话"):
        column = headers.index(header) + 1
        assert sheet.cell(2, column).number_format == "@" and sheet.cell(500, column).number_format == "@"
        assert sheet.column_dimensions[openpyxl.utils.get_column_letter(column)].number_format == "@"
    assert sheet.cell(2, headers.index("姓名 *") + 1).number_format == "General"
    given = {"姓名 *": "周一", "身份证号 *": IDS[3], "村（社区）代码 *": "370283001001", "儿童类别 *": "重病"}
    sheet.append([given.get(h, "") for h in headers])
    buf = io.BytesIO()
    template.save(buf)
    outcome = run(io.BytesIO(buf.getvalue()), users.county_staff, dry_run=True)
    assert outcome.totals["new"] == 1 and not outcome.invalid

    child = ChildFactory(village=tree.v1, id_number=IDS[4])
    FamilyMemberFactory(child=child, is_guardian=True, phone="13912345678")
    export = client.get(reverse("children:export"), {"format": "xlsx"})
    content = b"".join(export.streaming_content) if export.streaming else export.content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    headers = [c.value for c in sheet[1]]
    id_cell = sheet.cell(2, headers.index("身份证号") + 1)
    assert id_cell.value == IDS[4] and id_cell.number_format == "@"
    assert sheet.cell(2, headers.index("监护人电话") + 1).number_format == "@"


def test_a_category_label_containing_the_separator_round_trips(client, users, tree):
    """Item 4: "监护较差、缺失或不当" contains 、, the separator of the category column: exported next to another
    category it reads back as the same two categories (no change), and typed in it reads as one."""
    child = ChildFactory(village=tree.v1, id_number=IDS[0])
    CategoryFactory(child=child, category="poor_guardianship")
    CategoryFactory(child=child, category="disabled")
    Child.objects.filter(pk=child.pk).update(category_flags=(1 << 13) | (1 << 7))
    client.force_login(users.county_staff)
    export = client.get(reverse("children:export"), {"format": "csv"})
    content = b"".join(export.streaming_content) if export.streaming else export.content
    assert "残疾、监护较差、缺失或不当" in content.decode("utf-8-sig")
    outcome = run(io.BytesIO(content), users.county_staff, dry_run=True)
    assert outcome.totals["skip"] == 1, [(r.number, r.changed, r.errors) for r in outcome.rows]
    typed_in = [typed(1, 儿童类别="监护较差、缺失或不当"), typed(2, 儿童类别="监护较差、缺失或不当、重病")]
    outcome = run(xlsx(typed_in), users.county_staff, dry_run=True)
    assert [r.values["categories"] for r in outcome.rows] == [
        {"poor_guardianship"},
        {"poor_guardianship", "seriously_ill"},
    ]


@pytest.mark.parametrize(
    ("head", "named"),
    [
        ([*HEAD, "身份证号"], "“身份证号”"),  # the same header twice
        ([*HEAD, "身份证号码"], "“身份证号”"),  # a header and its alias
        ([*HEAD, "备注", "备注"], "“备注”"),  # an optional column
    ],
)
def test_a_repeated_column_is_refused_naming_it(users, tree, head, named):
    """Item 5: a column that appears twice is refused, in Chinese, naming the header (not silently ignored)."""
    row = typed(0) + [IDS[1]] * (len(head) - len(HEAD))
    with translation.override("zh-hans"), pytest.raises(SheetError) as exc:
        run(xlsx([row], head=head), users.county_staff, dry_run=True)
    assert named in exc.value.messages[0] and "重复" in exc.value.messages[0]
    # A header merged across two columns (one column under it) is still read once, as before.
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([*HEAD, "备注", None])
    sheet.merge_cells(start_row=1, start_column=len(HEAD) + 1, end_row=1, end_column=len(HEAD) + 2)
    sheet.append([*typed(0), "见附件", None])
    buf = io.BytesIO()
    book.save(buf)
    outcome = run(io.BytesIO(buf.getvalue()), users.county_staff, dry_run=True)
    assert outcome.rows[0].values["notes"] == "见附件" and not outcome.invalid


def test_roster_placeholders_read_as_blank_and_phones_are_normalised(users, tree):
    """Item 6: "-", "—", "无", "/" in optional columns are blank (and leave the archive alone); +86, 86- and
    spaced mobile numbers become their 11 digits."""
    head = [*HEAD, "备注", "学校", "民族"]
    rows = [
        typed(0, 监护人电话="+86 138 0013 8000") + ["-", "—", "无"],
        typed(1, 监护人电话="86-138-0013-8001") + ["/", "无", "-"],
        typed(2, 监护人电话="138 0013 8002") + ["——", "－", "／"],
        typed(3, 监护人电话="0532-88886666") + ["无", "-", "-"],  # a landline is kept as written
        typed(4, 监护人关系="-") + ["已核实", "-", "汉族"],
    ]
    outcome = run(xlsx(rows, head=head), users.county_staff, dry_run=False)
    assert not outcome.invalid, [(r.number, r.errors) for r in outcome.invalid]
    phones = dict(FamilyMember.objects.values_list("child__id_number", "phone"))
    assert [phones[number] for number in IDS[:4]] == ["13800138000", "13800138001", "13800138002", "0532-88886666"]
    notes = dict(Child.objects.values_list("id_number", "notes"))
    assert [notes[number] for number in IDS[:5]] == ["", "", "", "", "已核实"]
    assert set(Child.objects.values_list("school", flat=True)) == {""}
    # Placeholders in a required column are still missing values, said as such.
    outcome = run(xlsx([typed(5, 儿童类别="-")]), users.county_staff, dry_run=True)
    assert errors_of(outcome) == {(2, "儿童类别")} and "必填" in outcome.invalid[0].errors["儿童类别"][0]


def test_the_row_limit_is_enforced_while_reading(users, tree, monkeypatch):
    """Item 7: rows are read one at a time and the first row over the limit refuses the file there (never the
    whole file read into lists first); a file at the limit is accepted."""
    from children import sheets

    lines = [",".join(HEAD)] + [",".join(typed(n % 6, 身份证号=f"x{n}")) for n in range(50)]
    csv = io.BytesIO("\r\n".join(lines).encode())
    sheet = sheets.read_table(csv, columns=roster_format.ALIASES, required=roster_format.REQUIRED, max_rows=5)
    read = []
    with pytest.raises(SheetError) as exc:
        for number, _record in sheet.records():
            read.append(number)
    assert read == [2, 3, 4, 5, 6] and "5" in exc.value.messages[0]  # stopped at the 6th row, the first over

    monkeypatch.setattr(imports, "MAX_ROWS", 5)
    with pytest.raises(SheetError):
        run(xlsx([typed(n) for n in range(6)]), users.county_staff, dry_run=True)
    assert run(xlsx([typed(n) for n in range(5)]), users.county_staff, dry_run=True).totals["new"] == 5


@pytest.fixture
def every_log_record():
    """Every log record of every logger, from DEBUG up (like caplog, which the suite's `-p no:logging` turns off)."""
    import logging

    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Keep(level=logging.DEBUG)
    loggers = [logging.getLogger()] + [
        logger for logger in logging.root.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    levels = [(logger, logger.level) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        if logger is loggers[0] or not logger.propagate:
            logger.addHandler(handler)
    yield records
    for logger, level in levels:
        logger.setLevel(level)
        logger.removeHandler(handler)


def log_text(records) -> str:
    """The records as the JSON log writes them, and as plain text with their tracebacks."""
    from config.logging import JsonFormatter

    plain, json = logging_formatter(), JsonFormatter()
    return "\n".join(plain.format(r) + "\n" + json.format(r) for r in records)


def logging_formatter():
    import logging

    return logging.Formatter("%(name)s %(levelname)s %(message)s")


def test_a_second_confirmation_is_told_and_nothing_personal_is_logged(
    client, users, tree, every_log_record, monkeypatch
):
    """Item 8: confirming a check twice (two tabs, a double click) tells the second one, in Chinese, that the file
    is being / has been imported; a write the database refuses fails the job with a message, not a 500. The log
    of these error paths (all loggers, DEBUG) holds no ID number and no phone number."""
    import re

    from django.contrib.messages import get_messages
    from django.db import IntegrityError

    from children import bulk, jobs

    client.force_login(users.county_staff)
    accept = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
    # Bad rows: checked, refused at confirmation.
    bad = typed(1, 身份证号=IDS[1][:17] + "0")
    client.post(reverse("children:import"), {"file": xlsx([typed(0, 监护人电话="13912345678"), bad])}, **accept)
    client.post(reverse("children:job_confirm", args=[Job.objects.get().pk]), **accept)
    # Two confirmations of one check: the first is still queued when the second arrives.
    client.post(reverse("children:import"), {"file": xlsx([typed(2), typed(3, 监护人电话="13800138000")])}, **accept)
    preview = Job.objects.latest("id")
    queued = []
    monkeypatch.setattr(jobs, "dispatch", lambda job, inline: queued.append(job.pk))
    confirm = reverse("children:job_confirm", args=[preview.pk])
    client.post(confirm, **accept)
    response = client.post(confirm, **accept)
    with translation.override("zh-hans"):
        assert "此文件正在导入，请等待该次导入完成。" in [str(m) for m in get_messages(response.wsgi_request)]
    assert len(queued) == 1
    jobs.run_job(queued[0])
    response = client.post(confirm, **accept)
    with translation.override("zh-hans"):
        assert "此文件已经导入。如需再次导入，请重新检查。" in [str(m) for m in get_messages(response.wsgi_request)]
    assert Job.objects.filter(kind="import", params__preview=preview.pk).count() == 1
    assert Child.objects.filter(id_number__in=IDS[2:4]).count() == 2
    monkeypatch.undo()
    # The database refuses the write, naming the ID number as PostgreSQL does.
    client.post(reverse("children:import"), {"file": xlsx([typed(4, 监护人电话="13700137000")])}, **accept)
    preview = Job.objects.latest("id")

    def refused(model, records, **kwargs):
        raise IntegrityError(
            'duplicate key value violates unique constraint "child_unique_open_id_number"\n'
            f"DETAIL:  Key (id_number)=({IDS[4]}) already exists. Guardian phone 13700137000."
        )

    monkeypatch.setattr(bulk, "insert", refused)
    response = client.post(reverse("children:job_confirm", args=[preview.pk]), **accept)
    failed = Job.objects.latest("id")
    assert response.status_code == 302 and failed.state == "failed" and "重新检查" in failed.message
    assert not Child.objects.filter(id_number=IDS[4]).exists()

    logged = log_text(every_log_record)
    assert "job %s failed" in "".join(str(r.msg) for r in every_log_record)  # the failure itself is logged
    assert not re.findall(ID_PATTERN, logged), re.findall(ID_PATTERN, logged)
    assert not re.findall(PHONE_PATTERN, logged), re.findall(PHONE_PATTERN, logged)


def test_a_sheet_whose_used_area_is_too_large_is_refused_before_it_is_loaded(users, tree, monkeypatch):
    """Item 7 (the 16 GB): calamine builds a sheet's whole used area in memory, so one stray value far to the right
    of a long table costs rows x columns cells. The area the file states is checked before loading."""
    import python_calamine

    from children import sheets

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEAD)
    for n in range(3):
        sheet.append(typed(n))
    sheet.cell(4000, 2000, "x")  # a stray cell: 4,000 rows x 2,000 columns = 8,000,000 cells
    buf = io.BytesIO()
    book.save(buf)
    monkeypatch.setattr(sheets, "MAX_CELLS", 1_000_000)
    loaded = []
    real = python_calamine.CalamineWorkbook.from_filelike
    monkeypatch.setattr(
        python_calamine.CalamineWorkbook, "from_filelike", lambda f: loaded.append(1) or real(f), raising=False
    )
    with translation.override("zh-hans"), pytest.raises(SheetError) as exc:
        run(io.BytesIO(buf.getvalue()), users.county_staff, dry_run=True)
    assert "第 4000 行、第 BXX 列" in exc.value.messages[0] and not loaded
    assert run(xlsx([typed(0)]), users.county_staff, dry_run=True).totals["new"] == 1 and loaded


def test_a_closed_archive_row_stays_skipped_when_the_checked_rows_are_reused(client, users, tree):
    """The export's rows of closed archives (档案状态 已销档) are read only: skipped at the check and still skipped
    at the confirmation, which reuses the sealed rows (they keep no cells of valid rows, so the status is a value)."""
    closed = ChildFactory(village=tree.v1, id_number=IDS[5], status="closed")
    client.force_login(users.county_staff)
    rows = [typed(5) + ["已销档"], typed(0) + ["在档"]]
    client.post(reverse("children:import"), {"file": xlsx(rows, head=[*HEAD, "档案状态"])})
    preview = Job.objects.get()
    assert preview.summary["totals"]["skip"] == 1 and preview.summary["totals"]["new"] == 1
    client.post(reverse("children:job_confirm", args=[preview.pk]))
    imported = Job.objects.latest("id")
    assert imported.summary["totals"]["skip"] == 1 and imported.summary["written"] == {"created": 1, "updated": 0}
    assert list(Child.objects.filter(id_number=IDS[5]).values_list("pk", flat=True)) == [closed.pk]
