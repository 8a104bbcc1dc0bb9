"""The children-list search keeps names and ID numbers out of URLs (issue 8: no personal data in URLs)."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import tablib
from django.urls import reverse

from tests.factories import ChildFactory


@pytest.fixture
def many(tree, settings):
    settings.LIST_PAGE_SIZE = 2
    sought = ChildFactory(village=tree.v1, name="王小明")
    for n in range(4):
        ChildFactory(village=tree.v1, name=f"王小{'红绿蓝紫'[n]}")
    ChildFactory(village=tree.v1, name="李四")
    return sought


def _links(body: str) -> list[str]:
    return [link.replace("&amp;", "&") for link in re.findall(r'href="([^"]*)"', body)]


def test_a_posted_search_redirects_to_a_url_without_the_text(client, users, many):
    client.force_login(users.director)
    response = client.post(reverse("children:list"), {"q": many.id_number, "colour": ""})
    assert response.status_code == 302
    assert many.id_number not in response.url and many.id_number[:6] not in response.url
    key = parse_qs(urlsplit(response.url).query)["s"][0]
    page = client.get(response.url)
    assert [c.name for c in page.context["page"]] == ["王小明"]
    assert many.id_number in page.content.decode()  # shown in the search box and the row, not in a link
    assert all(many.id_number not in link for link in _links(page.content.decode()))
    assert page.context["query"] == f"s={key}"


def test_pager_and_export_links_carry_the_key_and_keep_the_search(client, users, many):
    client.force_login(users.director)
    url = client.post(reverse("children:list"), {"q": "王小", "sort": "name"}).url
    body = client.get(url).content.decode()
    assert "王小" in body
    links = _links(body)
    pager = [link for link in links if "page=2" in link]
    exports = [link for link in links if link.startswith(reverse("children:export"))]
    assert pager and len(exports) == 2
    for link in pager + exports:
        assert "王" not in link and "%E7%8E%8B" not in link.upper() and "s=" in link and "sort=name" in link
    second = client.get(reverse("children:list") + pager[0])
    assert second.context["page"].paginator.count == 5  # the search still applies on page 2
    csv = [link for link in exports if "format=csv" in link][0]
    response = client.get(csv)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = tablib.Dataset().load(content.decode("utf-8-sig"), format="csv")
    assert sorted(rows["姓名"]) == sorted(["王小明", "王小红", "王小绿", "王小蓝", "王小紫"])


def test_a_search_in_the_query_string_is_moved_into_the_session(client, users, many):
    client.force_login(users.director)
    response = client.get(reverse("children:list"), {"q": "李四", "status": "all"})
    assert response.status_code == 302 and "李" not in response.url and "%E6%9D%8E" not in response.url.upper()
    assert "status=all" in response.url
    assert [c.name for c in client.get(response.url).context["page"]] == ["李四"]


def test_an_empty_search_clears_the_key_and_a_key_is_worthless_in_another_session(client, users, many, tree):
    client.force_login(users.director)
    url = client.post(reverse("children:list"), {"q": "李四"}).url
    assert client.post(reverse("children:list"), {"q": ""}).url == reverse("children:list")
    from django.test import Client

    other = Client()
    other.force_login(users.director)
    page = other.get(url)
    assert page.context["page"].paginator.count == 6  # the key means nothing there: no search, no text shown
    assert not page.context["form"]["q"].value()


def test_the_session_remembers_a_bounded_number_of_searches(client, users, many):
    client.force_login(users.director)
    first = client.post(reverse("children:list"), {"q": "搜索0"}).url
    assert client.post(reverse("children:list"), {"q": "搜索0"}).url == first  # the same text, the same key
    for n in range(1, 25):
        client.post(reverse("children:list"), {"q": f"搜索{n}"})
    assert len(client.session["child_searches"]) == 20
    assert client.get(first).context["form"]["q"].value() in (None, "")  # the oldest is forgotten


def test_the_search_form_is_posted_with_a_csrf_token(client, users, many):
    client.force_login(users.director)
    body = client.get(reverse("children:list")).content.decode()
    form = re.search(r'<form method="(\w+)" id="child-filters">(.*?)</form>', body, re.S)
    assert form.group(1) == "post" and "csrfmiddlewaretoken" in form.group(2)


def test_the_fold_counts_the_filters_in_it_not_the_search_in_sight(users):
    from children.forms import ChildFilterForm

    form = ChildFilterForm({"q": "刘", "category": "orphan_scattered", "sort": "name"}, user=users.director)
    assert form.active_count == 1  # the category only: the name search has its own row, the sort is no filter
