import datetime
import io
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from oversight import discovery
from oversight.models import ListRow, OutsideList
from tests.factories import ChildFactory, UserFactory
from tests.idnumbers import make

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _csv(rows: list[list[str]], header=("姓名", "身份证号", "出生日期", "缺勤天数"), encoding="utf-8"):
    text = "\n".join(",".join(r) for r in [list(header), *rows]) + "\n"
    return SimpleUploadedFile("list.csv", text.encode(encoding))


@pytest.fixture
def registered(tree):
    """Four archives: one with an X check digit, one in another county, one only findable by name and birth."""
    x_number = next(
        make("370283", datetime.date(2014, 3, 3), s)
        for s in range(1, 999)
        if make("370283", datetime.date(2014, 3, 3), s).endswith("X")
    )
    return {
        "plain": ChildFactory(village=tree.v1, name="王小明"),
        "with_x": ChildFactory(
            village=tree.v2, name="李小红", id_number=x_number, birth_date=datetime.date(2014, 3, 3)
        ),
        "elsewhere": ChildFactory(village=tree.v4, name="外县娃"),
        "by_name": ChildFactory(village=tree.v3, name="赵小华", birth_date=datetime.date(2016, 7, 8)),
    }


def test_matching_full_width_numbers_a_lowercase_x_and_name_plus_birth(users, tree, registered):
    upload = _csv(
        [
            ["王小明", registered["plain"].id_number.translate(FULL_WIDTH), "", "10"],
            ["李小红", registered["with_x"].id_number[:-1] + "x", "", "3"],
            ["外县娃", registered["elsewhere"].id_number, "", "5"],
            ["赵小华", "", "2016/7/8", "12"],
            ["新面孔", make("370283", datetime.date(2017, 1, 1), 11), "", "20"],
            ["无号码", "", "2018-02-02", "1"],
        ]
    )
    outside = discovery.list_upload(
        user=users.county_staff, upload=upload, title="缺勤", source="学校", area=tree.county
    )
    rows = {r.name: r for r in outside.rows.all()}
    assert rows["王小明"].child == registered["plain"] and rows["王小明"].matched_by == "id_number"
    assert rows["李小红"].child == registered["with_x"] and rows["李小红"].match == "registered"
    assert rows["赵小华"].child == registered["by_name"] and rows["赵小华"].matched_by == "name_birth"
    assert rows["外县娃"].match == "elsewhere"
    assert rows["新面孔"].match == "candidate" and rows["新面孔"].outcome == "open"
    assert rows["无号码"].match == "candidate" and rows["无号码"].birth_date == datetime.date(2018, 2, 2)
    assert rows["王小明"].extra == {"缺勤天数": "10"}
    assert outside.extra_columns == ["缺勤天数"]


def test_an_archive_outside_the_viewers_area_is_only_reported_as_registered_elsewhere(client, users, tree, registered):
    upload = _csv(
        [["外县娃", registered["elsewhere"].id_number, "", "5"], ["王小明", registered["plain"].id_number, "", "1"]]
    )
    outside = discovery.list_upload(user=users.county_staff, upload=upload, title="名单", source="", area=tree.county)
    client.force_login(users.county_staff)
    body = client.get(reverse("oversight:discovery_list", args=[outside.pk])).content.decode()
    other = registered["elsewhere"]
    assert 'data-match="elsewhere"' in body
    assert other.village.name not in body and reverse("children:detail", args=[other.pk]) not in body
    assert reverse("children:detail", args=[registered["plain"].pk]) in body


def test_a_bad_row_refuses_the_whole_file(users, tree):
    upload = _csv(
        [
            ["好孩子", make("370283", datetime.date(2015, 1, 1), 3), "", ""],
            ["坏号码", "370283201501019999", "", ""],
        ]
    )
    with pytest.raises(ValidationError) as exc:
        discovery.list_upload(user=users.county_staff, upload=upload, title="x", source="", area=tree.county)
    assert "3" in " ".join(exc.value.messages)  # the row number the user sees
    assert not OutsideList.objects.exists() and not ListRow.objects.exists()


def test_missing_columns_and_gbk_files(users, tree):
    with pytest.raises(ValidationError):
        discovery.list_upload(
            user=users.county_staff, upload=_csv([["张三"]], header=("姓名",)), title="x", source="", area=tree.county
        )
    gbk = _csv([["张三", "", "2015-01-01", "7"]], encoding="gbk")
    outside = discovery.list_upload(user=users.county_staff, upload=gbk, title="x", source="", area=tree.county)
    assert outside.rows.get().name == "张三"


def test_xlsx_lists_are_read(users, tree, registered):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["残疾人名单"])
    sheet.append(["姓名", "身份证号码", "残疾等级"])
    sheet.append(["王小明", registered["plain"].id_number, "二级"])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("list.xlsx", buffer.getvalue())
    outside = discovery.list_upload(user=users.county_staff, upload=upload, title="残联", source="", area=tree.county)
    row = outside.rows.get()
    assert row.child == registered["plain"] and row.extra == {"残疾等级": "二级"}


@pytest.mark.parametrize("who", ["director", "liaison", "other_county_staff"])
def test_who_may_upload(users, tree, who):
    with pytest.raises(PermissionDenied):
        discovery.list_upload(
            user=getattr(users, who),
            upload=_csv([["张三", "", "2015-01-01", ""]]),
            title="x",
            source="",
            area=tree.county,
        )


def test_candidates_are_assigned_to_a_director_and_screened_in_or_out(client, users, tree):
    n1 = make("370283", datetime.date(2017, 1, 1), 21)
    upload = _csv([["候选甲", n1, "", "20"], ["候选乙", "", "2016-05-05", "8"]])
    outside = discovery.list_upload(user=users.supervisor, upload=upload, title="缺勤", source="学校", area=tree.t1)
    first, second = outside.rows.order_by("row_number")
    # A director of another township cannot be assigned; the village's own director can.
    stranger = UserFactory(role=Role.DIRECTOR, areas=[tree.v3])
    with pytest.raises(ValidationError):
        discovery.candidate_assign(user=users.supervisor, row=first, director=stranger, village=tree.v3)
    with pytest.raises(ValidationError):
        discovery.candidate_assign(user=users.supervisor, row=first, director=users.other_director, village=tree.v1)
    with pytest.raises(PermissionDenied):
        discovery.candidate_assign(user=users.director, row=first, director=users.director, village=tree.v1)
    client.force_login(users.supervisor)
    client.post(reverse("oversight:row_assign", args=[first.pk]), {"director": f"{users.director.pk}:{tree.v1.code}"})
    discovery.candidate_assign(user=users.supervisor, row=second, director=users.director, village=tree.v1)
    first.refresh_from_db()
    assert first.assigned_to == users.director and first.village == tree.v1
    # The director sees both, with a pre-filled registration link (the row's id, not its name or ID number).
    client.force_login(users.director)
    body = client.get(reverse("oversight:my_candidates")).content.decode()
    assert "候选甲" in body and "候选乙" in body and f"candidate={first.pk}" in body
    form = client.get(reverse("children:register") + f"?candidate={first.pk}")
    assert n1 in form.content.decode()
    # Screening in before registering is refused and sends the director to the form.
    response = client.post(reverse("oversight:row_screen_in", args=[first.pk]))
    assert response.status_code == 302 and reverse("children:register") in response["Location"]
    first.refresh_from_db()
    assert first.outcome == "open"
    child = ChildFactory(village=tree.v1, name="候选甲", id_number=n1)
    client.post(reverse("oversight:row_screen_in", args=[first.pk]))
    first.refresh_from_db()
    assert first.outcome == "screened_in" and first.child == child
    # Screening out needs a reason; another director cannot screen.
    assert client.post(reverse("oversight:row_screen_out", args=[second.pk]), {"reason": ""}).status_code == 200
    with pytest.raises(PermissionDenied):
        discovery.candidate_screen_out(user=users.other_director, row=second, reason="x")
    client.post(reverse("oversight:row_screen_out", args=[second.pk]), {"reason": "已随父母迁往外省"})
    second.refresh_from_db()
    assert second.outcome == "screened_out" and second.outcome_reason == "已随父母迁往外省"
    with pytest.raises(ValidationError):
        discovery.candidate_screen_out(user=users.supervisor, row=second, reason="again")
    assert "候选甲" not in client.get(reverse("oversight:my_candidates")).content.decode()


def test_upload_through_the_page(client, users, tree):
    client.force_login(users.county_staff)
    response = client.post(
        reverse("oversight:discovery"),
        {
            "title": "派出所通报",
            "source": "公安",
            "area": tree.county.code,
            "file": _csv([["张三", "", "2015-01-01", "2"]]),
        },
    )
    assert response.status_code == 302
    assert OutsideList.objects.get().rows.count() == 1
    response = client.post(
        reverse("oversight:discovery"),
        {"title": "坏文件", "area": tree.county.code, "file": SimpleUploadedFile("x.csv", b"")},
    )
    assert response.status_code == 200 and OutsideList.objects.count() == 1


def test_the_registration_link_of_a_candidate_carries_no_name_or_id_number(client, users, tree):
    number = "370283201603080027"  # typed in: 平度市, born 2016-03-08, female
    upload = _csv([["候选丙", number, "", "12"]])
    outside = discovery.list_upload(user=users.supervisor, upload=upload, title="缺勤", source="学校", area=tree.t1)
    row = outside.rows.get()
    discovery.candidate_assign(user=users.supervisor, row=row, director=users.director, village=tree.v1)
    client.force_login(users.director)
    body = client.get(reverse("oversight:my_candidates")).content.decode()
    links = re.findall(r'(?:href|action)="([^"]*)"', body)
    register = [link for link in links if link.startswith(reverse("children:register"))]
    assert register == [f"{reverse('children:register')}?candidate={row.pk}"]
    assert not any(number in link or "候选丙" in link or "%E5%80%99" in link for link in links)
    # The server fills the form in from the row.
    form = client.get(register[0]).context["form"]
    filled = (form["name"].value(), form["id_number"].value(), form["village"].value())
    assert filled == ("候选丙", number, tree.v1.code)
    # Screening in before registering sends the director to the same link.
    response = client.post(reverse("oversight:row_screen_in", args=[row.pk]))
    assert response["Location"] == register[0]
    # Names and ID numbers in a URL are ignored; another director's candidate is not found.
    typed = client.get(reverse("children:register") + f"?name=候选丙&id_number={number}").context["form"]
    assert typed["name"].value() is None and typed["id_number"].value() is None
    client.force_login(users.other_director)
    assert client.get(register[0]).status_code == 404
