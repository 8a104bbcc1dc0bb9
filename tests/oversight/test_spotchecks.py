import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from oversight import spotchecks
from oversight.models import Finding, SpotCheck, SpotCheckItem

from .conftest import make_children

ALL_PASS = dict.fromkeys(spotchecks.CHECK_FIELDS, True)


def test_draw_sample_is_reproducible_with_a_seed_and_differs_between_seeds():
    ids = {"370283001": list(range(1, 101)), "370283002": list(range(101, 301))}
    a = spotchecks.draw_sample(ids, seed=42, per_township=None, share_percent=10)
    b = spotchecks.draw_sample(ids, seed=42, per_township=None, share_percent=10)
    c = spotchecks.draw_sample(ids, seed=43, per_township=None, share_percent=10)
    assert a == b
    assert a != c
    # Proportional per township: 10 % of 100 and of 200.
    assert len(a["370283001"]) == 10 and len(a["370283002"]) == 20
    assert set(a["370283001"]) <= set(range(1, 101)) and set(a["370283002"]) <= set(range(101, 301))
    # The input order does not change the draw.
    shuffled = {k: list(reversed(v)) for k, v in ids.items()}
    assert spotchecks.draw_sample(shuffled, seed=42, per_township=None, share_percent=10) == a


def test_draw_sample_size_per_township_takes_all_of_a_small_township_and_rounds_a_share_up():
    ids = {"a": [1, 2, 3], "b": list(range(10, 40))}
    by_size = spotchecks.draw_sample(ids, seed=1, per_township=5, share_percent=None)
    assert by_size["a"] == [1, 2, 3] and len(by_size["b"]) == 5
    by_share = spotchecks.draw_sample(ids, seed=1, per_township=None, share_percent=10)
    assert len(by_share["a"]) == 1 and len(by_share["b"]) == 3


def test_start_draws_per_township_of_the_county_only_and_redraws_the_same_with_the_seed(users, tree):
    make_children(tree.v1, 12)
    make_children(tree.v2, 8)  # township 1: 20 archives
    make_children(tree.v3, 40)  # township 2: 40 archives
    make_children(tree.v4, 30)  # another county: never drawn
    check = spotchecks.spot_check_start(user=users.county_staff, county=tree.county, share_percent=25, seed=7)
    per = {r["township_id"]: r["sampled"] for r in spotchecks.township_results(check)}
    assert per == {tree.t1.code: 5, tree.t2.code: 10}
    again = spotchecks.spot_check_start(user=users.county_staff, county=tree.county, share_percent=25, seed=7)
    first = set(check.items.values_list("child_id", flat=True))
    assert first == set(again.items.values_list("child_id", flat=True))
    assert not SpotCheckItem.objects.filter(child__village=tree.v4).exists()
    assert check.year == check.started_on.year


@pytest.mark.parametrize("who", ["director", "supervisor", "other_county_staff", "liaison"])
def test_only_civil_affairs_of_the_county_start_one(users, tree, who):
    make_children(tree.v1, 3)
    with pytest.raises(PermissionDenied):
        spotchecks.spot_check_start(user=getattr(users, who), county=tree.county, per_township=2)
    assert not SpotCheck.objects.exists()


def test_bad_sizes_are_refused_in_chinese_terms_and_change_nothing(users, tree):
    make_children(tree.v1, 3)
    for kwargs in ({}, {"per_township": 2, "share_percent": 10}, {"share_percent": 0}, {"per_township": 0}):
        with pytest.raises(ValidationError):
            spotchecks.spot_check_start(user=users.county_staff, county=tree.county, **kwargs)
    with pytest.raises(ValidationError):
        spotchecks.spot_check_start(user=users.county_staff, county=tree.t1, per_township=1)
    assert not SpotCheck.objects.exists()


def _one_item(users, tree):
    make_children(tree.v1, 1)
    check = spotchecks.spot_check_start(user=users.county_staff, county=tree.county, per_township=1, seed=1)
    return check, check.items.get()


def test_a_failed_check_needs_a_finding_which_goes_to_the_childs_director(client, users, tree):
    check, item = _one_item(users, tree)
    results = {**ALL_PASS, "visits_on_time": False}
    with pytest.raises(ValidationError):
        spotchecks.item_record(user=users.county_staff, item=item, results=results)
    due = datetime.date.today() + datetime.timedelta(days=14)
    spotchecks.item_record(
        user=users.county_staff, item=item, results=results, finding="走访频次不足，请补访", due_on=due
    )
    item.refresh_from_db()
    assert item.passed is False and item.visits_on_time is False
    finding = Finding.objects.get()
    from accounts.models import Notification

    assert list(Notification.objects.values_list("user__username", flat=True)) == ["director"]
    # The director sees it in the worklist; the neighbouring director does not.
    client.force_login(users.director)
    assert "走访频次不足" in client.get(reverse("visits:worklist")).content.decode()
    client.force_login(users.other_director)
    assert "走访频次不足" not in client.get(reverse("visits:worklist")).content.decode()
    assert client.post(reverse("oversight:finding_close", args=[finding.pk]), {"note": "x"}).status_code == 404
    # The supervisor sees it but does not close it.
    client.force_login(users.supervisor)
    assert "走访频次不足" in client.get(reverse("visits:worklist")).content.decode()
    with pytest.raises(PermissionDenied):
        spotchecks.finding_close(user=users.supervisor, finding=finding, note="补访")
    client.force_login(users.director)
    client.post(reverse("oversight:finding_close", args=[finding.pk]), {"note": "已补访两次"})
    finding.refresh_from_db()
    assert finding.done_on and finding.done_note == "已补访两次" and finding.done_by == users.director
    assert "走访频次不足" not in client.get(reverse("visits:worklist")).content.decode()


def test_an_unanswered_checklist_is_refused(users, tree):
    _check, item = _one_item(users, tree)
    with pytest.raises(ValidationError):
        spotchecks.item_record(user=users.county_staff, item=item, results={"identity_verified": True})
    item.refresh_from_db()
    assert item.checked_on is None


def test_results_per_township_count_passed_and_failed(users, tree):
    make_children(tree.v1, 2)
    make_children(tree.v3, 2)
    check = spotchecks.spot_check_start(user=users.county_staff, county=tree.county, per_township=2, seed=3)
    t1_items = list(check.items.filter(township=tree.t1))
    spotchecks.item_record(user=users.county_staff, item=t1_items[0], results=ALL_PASS)
    spotchecks.item_record(
        user=users.county_staff,
        item=t1_items[1],
        results={**ALL_PASS, "welfare_checked": False},
        finding="低保未核实",
        due_on=datetime.date.today(),
    )
    rows = {r["township_id"]: r for r in spotchecks.township_results(check)}
    assert (rows[tree.t1.code]["checked"], rows[tree.t1.code]["passed_n"], rows[tree.t1.code]["failed_n"]) == (2, 1, 1)
    assert (rows[tree.t2.code]["checked"], rows[tree.t2.code]["passed_n"]) == (0, 0)


def test_yearly_record_shows_which_counties_did_one(client, users, tree):
    make_children(tree.v1, 2)
    spotchecks.spot_check_start(user=users.county_staff, county=tree.county, per_township=1)
    city_staff = type(users.county_staff).objects.create(username="city", role="civil_affairs")
    city_staff.areas.set([tree.city])
    year = datetime.date.today().year
    record = {c.code: c.check_count for c in spotchecks.yearly_record(city_staff, year)}
    assert record[tree.county.code] == 1 and record[tree.other_county.code] == 0
    assert spotchecks.yearly_record(city_staff, year - 1)[0].check_count == 0
    client.force_login(city_staff)
    body = client.get(reverse("oversight:spot_check_record")).content.decode()
    assert f'data-county="{tree.other_county.code}"' in body
    # County staff see only their own county; a director is refused the page.
    assert [c.code for c in spotchecks.yearly_record(users.county_staff, year)] == [tree.county.code]
    client.force_login(users.director)
    assert client.get(reverse("oversight:spot_check_record")).status_code == 404


def test_start_through_the_page(client, users, tree):
    make_children(tree.v1, 4)
    client.force_login(users.county_staff)
    response = client.post(
        reverse("oversight:spot_checks"), {"county": tree.county.code, "per_township": 2, "seed": 99}
    )
    check = SpotCheck.objects.get()
    assert response.status_code == 302 and check.seed == 99 and check.items.count() == 2
    page = client.get(reverse("oversight:spot_check", args=[check.pk])).content.decode()
    assert tree.t1.name in page
    # Both sizes at once: a Chinese-catalogue error, nothing drawn.
    response = client.post(
        reverse("oversight:spot_checks"), {"county": tree.county.code, "per_township": 2, "share_percent": 5}
    )
    assert response.status_code == 200 and SpotCheck.objects.count() == 1
