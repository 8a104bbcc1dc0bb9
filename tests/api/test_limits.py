"""Rate limits per client (429 in the error shape, with Retry-After), cursor pagination, the list's query count."""

import pytest

from .conftest import http, make_client

pytestmark = pytest.mark.django_db


def test_a_client_over_its_rate_answers_429_and_others_are_not_held_back(api, tree):
    slow = make_client(api.county.user, area=tree.county, rate=3, name="慢")
    answers = [http(slow.key).get("/api/v1/schedules/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    response = http(slow.key).get("/api/v1/schedules/")
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert response.json()["error"]["code"] == "throttled"
    assert http(api.county.key).get("/api/v1/schedules/").status_code == 200  # same user, another client


def test_cursor_pages_cover_every_child_once(api, tree):
    from tests.factories import ChildFactory

    for i, number in enumerate(["370283200901011236", "370283200902021233", "370283200903031230"]):
        ChildFactory(village=tree.v2, id_number=number, name=f"王{i}")
    seen, url = [], "/api/v1/children/?page_size=2"
    while url:
        page = http(api.county.key).get(url).json()
        assert len(page["results"]) <= 2
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert len(seen) == 5 == len(set(seen))


def test_a_broken_cursor_is_404_in_the_error_shape(api):
    response = http(api.county.key).get("/api/v1/children/?cursor=notacursor")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_the_children_list_takes_a_fixed_number_of_queries(api, tree, django_assert_num_queries):
    from tests.factories import ChildFactory

    key = api.county.key
    http(key).get("/api/v1/children/")  # the client's last_used_at is written at most once a minute
    # client, facts, page, access-log insert (one for the page)
    with django_assert_num_queries(4):
        http(key).get("/api/v1/children/")
    for i, number in enumerate(["370283200901011236", "370283200902021233"]):
        ChildFactory(village=tree.v2, id_number=number, name=f"王{i}")
    with django_assert_num_queries(4):
        http(key).get("/api/v1/children/")
