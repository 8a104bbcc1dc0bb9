import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from children.models import AccessLog, Child, ChildCategory
from tests.factories import CategoryFactory, ChildFactory, valid_id


def _make_children(village, n):
    for _ in range(n):
        c = ChildFactory(village=village)
        CategoryFactory(child=c)
        CategoryFactory(child=c, category="single_parent")


def _count_list_queries(client, **params):
    url = reverse("children:list")
    if "q" in params:  # a search is posted and shown under a session key (children.search)
        url = client.post(url, params).url
        params = {}
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.parametrize("params", [{}, {"category": "single_parent", "sort": "colour"}, {"q": "测试"}])
def test_list_query_count_does_not_grow_with_children(client, users, tree, params, settings):
    settings.LIST_PAGE_SIZE = 500
    client.force_login(users.county_staff)
    _make_children(tree.v1, 10)
    small, response = _count_list_queries(client, **params)
    assert response.context["page"].paginator.count == 10
    _make_children(tree.v3, 190)
    large, response = _count_list_queries(client, **params)
    assert response.context["page"].paginator.count == 200
    assert small == large


def test_list_filters_by_category_colour_and_search(client, users, tree):
    a = ChildFactory(village=tree.v1, name="甲", colour="red")
    CategoryFactory(child=a, category="dropout")
    b = ChildFactory(village=tree.v1, name="乙", colour="green")
    client.force_login(users.director)
    names = lambda r: [c.name for c in r.context["page"]]  # noqa: E731
    assert names(client.get(reverse("children:list"), {"category": "dropout"})) == ["甲"]
    assert names(client.get(reverse("children:list"), {"colour": "green"})) == ["乙"]
    assert names(client.get(reverse("children:list"), {"q": b.id_number[:17]}, follow=True)) == ["乙"]
    full_width = b.id_number.translate(str.maketrans("0123456789X", "０１２３４５６７８９ｘ"))
    assert names(client.get(reverse("children:list"), {"q": full_width}, follow=True)) == ["乙"]
    assert names(client.get(reverse("children:list"), {"sort": "colour"})) == ["甲", "乙"]


def test_supervisor_sees_masked_id_numbers_director_full(client, users, child):
    client.force_login(users.supervisor)
    body = client.get(reverse("children:list")).content.decode()
    assert child.id_number not in body and child.id_number[:6] + "********" in body
    body = client.get(reverse("children:detail", args=[child.pk])).content.decode()
    assert child.id_number not in body
    client.force_login(users.director)
    assert child.id_number in client.get(reverse("children:list")).content.decode()


def test_viewing_an_archive_is_logged_and_county_can_read_the_log(client, users, child):
    client.force_login(users.director)
    client.get(reverse("children:detail", args=[child.pk]))
    assert AccessLog.objects.filter(user=users.director, child=child, action="view").count() == 1
    client.force_login(users.county_staff)
    body = client.get(reverse("children:access_log")).content.decode()
    assert child.name in body
    client.force_login(users.director)
    assert client.get(reverse("children:access_log")).status_code == 404


def _register_post(village, **extra):
    data = {
        "name": "李小红",
        "id_number": valid_id(village.code[:6], datetime.date(2016, 3, 8), male=False),
        "village": village.code,
        "ethnicity": "汉族",
        "health": "healthy",
        "enrolment": "enrolled",
        "categories": ["left_behind_rural"],
        "colour": "yellow",
    }
    data.update(extra)
    return data


def test_register_through_the_form(client, users, tree):
    client.force_login(users.director)
    data = _register_post(tree.v1)
    response = client.post(reverse("children:register"), data)
    child = Child.objects.get(name="李小红")
    assert response.status_code == 302 and response["Location"] == reverse("children:detail", args=[child.pk])
    assert child.sex == "F" and child.birth_date == datetime.date(2016, 3, 8)  # read from the ID number
    assert child.colour == "yellow" and child.created_by == users.director
    assert ChildCategory.objects.filter(child=child, category="left_behind_rural").exists()


def test_register_normalises_full_width_and_lowercase_id(client, users, tree):
    client.force_login(users.director)
    number = valid_id("370283", datetime.date(2016, 3, 8), male=True)
    while not number.endswith("X"):
        number = valid_id("370283", datetime.date(2016, 3, 8), male=True)
    raw = " " + number[:-1].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + "x "
    client.post(reverse("children:register"), _register_post(tree.v1, id_number=raw))
    assert Child.objects.get().id_number == number


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("id_number", "370283201603080011", "校验码"),
        ("id_number", "370283160308001", "15位"),
        ("name", "", "必填"),
        ("categories", [], "至少选择一个类别"),
    ],
)
def test_bad_input_gets_a_chinese_error_and_changes_nothing(client, users, tree, field, value, fragment):
    client.force_login(users.director)
    response = client.post(reverse("children:register"), _register_post(tree.v1, **{field: value}))
    assert response.status_code == 200
    assert fragment in response.content.decode()
    assert not Child.objects.exists()


def test_register_refused_for_a_village_outside_the_area(client, users, tree):
    client.force_login(users.director)
    response = client.post(reverse("children:register"), _register_post(tree.v2))
    assert response.status_code == 200 and not Child.objects.exists()


def test_edit_with_a_stale_version_is_refused(client, users, child):
    client.force_login(users.director)
    url = reverse("children:edit", args=[child.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "version"}
    data.update({"village": child.village_id, "health": "healthy", "version": child.version, "address": "新地址"})
    assert client.post(url, data).status_code == 302
    data["address"] = "过期的编辑"
    response = client.post(url, data)  # same, now stale version
    assert response.status_code == 200 and "其他人" in response.content.decode()
    child.refresh_from_db()
    assert child.address == "新地址"


def test_change_history_is_shown_on_the_archive(client, users, child):
    client.force_login(users.director)
    url = reverse("children:record_add", kwargs={"pk": child.pk, "kind": "family"})
    client.post(url, {"relation": "father", "name": "王大明", "situation": "working_away", "work_destination": "上海"})
    member = child.family.get()
    edit = reverse("children:record_edit", kwargs={"pk": child.pk, "kind": "family", "item_pk": member.pk})
    client.post(edit, {"relation": "father", "name": "王大明", "situation": "working_away", "work_destination": "苏州"})
    body = client.get(reverse("children:detail", args=[child.pk])).content.decode()
    assert "上海 → 苏州" in body and str(users.director) in body


def test_nothing_can_be_deleted_through_the_admin(admin_client, child):
    response = admin_client.post(reverse("admin:children_child_delete", args=[child.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Child.objects.filter(pk=child.pk).exists()
