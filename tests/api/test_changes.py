"""The changes feed: versions of the archives in the caller's scope since a cursor; a child moved out is `left`."""

import pytest

from children.models import AccessLog

from .conftest import http

pytestmark = pytest.mark.django_db


def _feed(key, url="/api/v1/changes/"):
    """Every change from `url` on, following `next` until a page brings nothing new."""
    rows = []
    while True:
        response = http(key).get(url)
        assert response.status_code == 200, response.content
        page = response.json()
        if not page["results"]:
            assert page["next"]  # nothing new yet: the same link to ask again later
            return rows
        rows += page["results"]
        url = page["next"]


def _edit(child, **fields):
    for name, value in fields.items():
        setattr(child, name, value)
    child.save()  # simple-history writes a version


def test_the_feed_gives_the_areas_versions_in_order(api):
    _edit(api.child, school="东关小学")
    _edit(api.other_child, school="阜安小学")
    rows = _feed(api.county.key)
    assert [(r["child_id"], r["change"]) for r in rows] == [
        (api.child.pk, "created"),
        (api.child2.pk, "created"),
        (api.child.pk, "changed"),
    ]
    assert rows[-1]["child"]["school"] == "东关小学"
    ids = [r["history_id"] for r in rows]
    assert ids == sorted(ids)
    assert {r["child_id"] for r in _feed(api.other_county.key)} == {api.other_child.pk}


def test_the_next_link_brings_only_later_changes(api):
    response = http(api.county.key).get("/api/v1/changes/?page_size=50").json()
    assert len(response["results"]) == 2
    # Keep where the last page ended: the cursor of a page that was full up to the end.
    page = http(api.county.key).get("/api/v1/changes/?page_size=1").json()
    second = http(api.county.key).get(page["next"]).json()
    assert [r["child_id"] for r in second["results"]] == [api.child2.pk]
    # The last page also has a next link; nothing new there yet.
    assert http(api.county.key).get(second["next"]).json()["results"] == []
    _edit(api.child, grade="三年级二班")
    later = _feed(api.county.key, second["next"])
    assert [(r["child_id"], r["change"]) for r in later] == [(api.child.pk, "changed")]


def test_a_child_moved_out_of_the_area_is_left_without_data(api, tree):
    _edit(api.child, village=tree.v4)  # moved to the other county
    rows = _feed(api.county.key)
    assert rows[-1] == {
        "history_id": rows[-1]["history_id"],
        "changed_at": rows[-1]["changed_at"],
        "change": "left",
        "child_id": api.child.pk,
        "child": None,
    }
    assert tree.v4.code not in str(rows)
    other = _feed(api.other_county.key)
    assert (api.child.pk, "changed") in [(r["child_id"], r["change"]) for r in other]


def test_the_feed_logs_the_children_it_shows(api):
    _feed(api.county.key)
    assert set(AccessLog.objects.filter(client=api.county).values_list("child_id", flat=True)) == {
        api.child.pk,
        api.child2.pk,
    }


def test_a_department_client_sees_no_changes(api):
    assert _feed(api.dept.key) == []
