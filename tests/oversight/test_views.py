"""Every oversight object URL answers 404 to users of other areas (GET and POST) and 200 to its own staff; the
list pages run a fixed number of queries."""

import pytest
from django.urls import reverse

from oversight.models import Finding, ListRow, SpotCheckItem
from tests.factories import ChildFactory

from .conftest import count_queries, make_children
from .objects import OBJECT_KWARGS, make_objects


@pytest.fixture
def objects(users, tree, child):
    return make_objects(users, tree, child)


def _url(name, objects):
    return reverse(name, kwargs={arg: objects[key].pk for arg, key in OBJECT_KWARGS[name].items()})


def test_every_object_url_of_the_app_is_listed():
    from django.urls import get_resolver

    from tests.children.test_access import _walk

    names = {n for n, c in _walk(get_resolver().url_patterns) if n.startswith("oversight:") and c}
    assert names == set(OBJECT_KWARGS)


@pytest.mark.parametrize("who", ["other_director", "other_supervisor", "other_county_staff", "liaison"])
def test_users_of_other_areas_get_404(client, users, objects, who):
    client.force_login(getattr(users, who))
    for name in OBJECT_KWARGS:
        url = _url(name, objects)
        for method in (client.get, client.post):
            assert method(url).status_code in (404, 405), f"{who} {method.__name__} {name}"
    assert Finding.objects.get().done_on is None
    assert ListRow.objects.get().outcome == "open" and ListRow.objects.get().assigned_to is None
    assert SpotCheckItem.objects.filter(passed=False).count() == 1


def test_own_staff_reach_the_pages(client, users, objects):
    client.force_login(users.county_staff)
    for name in ("oversight:spot_check", "oversight:spot_check_item", "oversight:director", "oversight:activity"):
        assert client.get(_url(name, objects)).status_code == 200, name
    assert client.get(_url("oversight:director_profile", objects)).status_code == 200
    client.force_login(users.supervisor)
    for name in ("oversight:discovery_list", "oversight:director", "oversight:activity", "oversight:row_screen_out"):
        assert client.get(_url(name, objects)).status_code == 200, name
    # A supervisor reads the ledger but may not change it.
    assert client.get(_url("oversight:director_profile", objects)).status_code == 403
    client.force_login(users.director)
    assert client.get(_url("oversight:director", objects)).status_code == 200
    assert client.get(_url("oversight:activity_photo", objects)).status_code == 200
    assert client.get(_url("oversight:spot_check", objects)).status_code == 404


LISTS = [
    ("county_staff", "oversight:spot_checks"),
    ("county_staff", "oversight:spot_check_record"),
    ("county_staff", "oversight:ledger"),
    ("supervisor", "oversight:ledger"),
    ("county_staff", "oversight:coverage"),
    ("county_staff", "oversight:activities"),
    ("director", "oversight:activities"),
    ("county_staff", "oversight:duties"),
    ("supervisor", "oversight:discovery"),
    ("county_staff", "oversight:index"),
    ("director", "oversight:my_candidates"),
    ("director", "visits:worklist"),
]


@pytest.mark.parametrize(("who", "name"), LISTS)
def test_list_pages_run_a_fixed_number_of_queries(client, users, tree, objects, who, name, django_assert_num_queries):
    client.force_login(getattr(users, who))
    url = reverse(name)
    if name == "oversight:duties":
        # The page logs the children it lists in one INSERT, written only when it lists one: start with one listed
        # (a left-behind child without a signed agreement).
        make_children(tree.v1, 1)
    small = count_queries(client, url)
    # More of everything: children, directors, activities, another spot check with findings, another list.
    extra = make_objects(users, tree, ChildFactory(village=tree.v1))
    make_children(tree.v2, 5, enrolment="home_schooling")
    ListRow.objects.filter(outside_list=extra["outside_list"]).update(assigned_to=users.director)
    ListRow.objects.filter(pk=objects["list_row"].pk).update(assigned_to=users.director)
    with django_assert_num_queries(small):
        assert client.get(url).status_code == 200
