import datetime

from django.urls import reverse

from accounts.models import Role
from oversight import coverage
from oversight.models import Training
from tests.factories import UserFactory

from .conftest import make_children


def test_a_village_of_31_children_with_one_director_is_listed(users, tree, more):
    make_children(tree.v1, 31)  # users.director only: listed
    make_children(tree.v2, 30)  # 30 is not more than 30
    make_children(tree.v3, 31)
    UserFactory(role=Role.DIRECTOR, areas=[tree.v3])
    UserFactory(role=Role.DIRECTOR, areas=[tree.v3])  # two directors: not listed
    make_children(more.v5, 31, category="")  # no category: not counted
    UserFactory(role=Role.DIRECTOR, areas=[more.v5])
    listed = [v.code for v in coverage.crowded_villages_with_one_director(users.county_staff)]
    assert listed == [tree.v1.code]
    # Supervisors see their township's; another county's staff see none of these.
    assert [v.code for v in coverage.crowded_villages_with_one_director(users.supervisor)] == [tree.v1.code]
    assert list(coverage.crowded_villages_with_one_director(users.other_county_staff)) == []


def test_closed_archives_and_inactive_directors_do_not_count(users, tree):
    make_children(tree.v1, 30)
    make_children(tree.v1, 5, status="closed")
    assert list(coverage.crowded_villages_with_one_director(users.county_staff)) == []
    users.other_director.is_active = False
    users.other_director.save()
    assert tree.v2.code in [v.code for v in coverage.villages_without_director(users.county_staff)]


def test_villages_without_a_director(users, tree, more):
    codes = [v.code for v in coverage.villages_without_director(users.county_staff)]
    assert codes == [more.v5.code, tree.v3.code]  # v1 and v2 have directors; v4 is another county


def test_directors_not_trained_this_year(users, tree):
    year = datetime.date.today().year
    Training.objects.create(
        director=users.director, course="儿童主任业务培训", date=datetime.date(year, 1, 10), hours=8
    )
    Training.objects.create(director=users.other_director, course="旧培训", date=datetime.date(year - 1, 5, 1), hours=8)
    names = [u.username for u in coverage.directors_not_trained(users.county_staff)]
    assert names == ["other_director"]


def test_coverage_counts_run_three_queries_whatever_the_size(users, tree, more, django_assert_num_queries):
    make_children(tree.v1, 31)
    with django_assert_num_queries(4):  # the user's areas once, then one count each
        counts = coverage.coverage_counts(users.county_staff)
    assert counts == {"villages_without_director": 2, "crowded_villages_one_director": 1, "directors_not_trained": 2}
    make_children(tree.v3, 40)
    UserFactory(role=Role.DIRECTOR, areas=[tree.v3])
    users.county_staff.__dict__.pop("_access_facts", None)
    with django_assert_num_queries(4):
        counts = coverage.coverage_counts(users.county_staff)
    assert counts == {"villages_without_director": 1, "crowded_villages_one_director": 2, "directors_not_trained": 3}


def test_a_province_s_counts_are_cached_until_the_data_changes(users, tree, django_assert_num_queries):
    province_staff = UserFactory(role=Role.CIVIL_AFFAIRS, areas=[tree.province])
    make_children(tree.v1, 31)
    first = coverage.coverage_counts(province_staff)
    assert first["crowded_villages_one_director"] == 1
    with django_assert_num_queries(1):  # the data version only
        assert coverage.coverage_counts(province_staff) == first
    make_children(tree.v4, 31)  # a new archive: a new version, counted again
    UserFactory(role=Role.DIRECTOR, areas=[tree.v4])
    assert coverage.coverage_counts(province_staff)["crowded_villages_one_director"] == 2


def test_coverage_page_lists_with_counts(client, users, tree):
    make_children(tree.v1, 31)
    client.force_login(users.county_staff)
    body = client.get(reverse("oversight:coverage")).content.decode()
    assert f'data-village="{tree.v1.code}"' in body and f'data-village="{tree.v3.code}"' in body
    assert f'data-director="{users.director.pk}"' in body
    client.force_login(users.director)
    assert client.get(reverse("oversight:coverage")).status_code == 404
