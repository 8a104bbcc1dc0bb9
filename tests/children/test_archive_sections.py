"""The archive page shows the latest visits and changes; the whole lists are one link away, on pages that are
scoped, logged and closed to other areas like the archive itself."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from children.models import AccessLog, EntrustedCare
from children.selectors import ARCHIVE_LISTS, archive_lists
from children.views import ARCHIVE_HISTORY_ROWS
from tests.children.test_access import archive  # noqa: F401 - a fixture
from tests.factories import ChildFactory
from tests.oversight.objects import make_objects as make_oversight_objects
from visits.models import Visit
from visits.selectors import child_visits


def _visits(child, n):
    start = timezone.make_aware(datetime.datetime(2026, 1, 1, 9))
    for i in range(n):
        at = start + datetime.timedelta(days=i)
        Visit.objects.create(child=child, kind="home", visited_at=at, visit_date=at.date(), met_whom=f"第{i}次")


def test_the_archive_shows_the_ten_latest_visits_and_links_to_all(client, users, child):
    _visits(child, 13)
    client.force_login(users.director)
    body = client.get(reverse("children:detail", args=[child.pk])).content.decode()
    section = body[body.index('<section class="card" id="visits">') :]
    section = section[: section.index("</section>")]  # the timeline further down links every visit it lists
    shown = [v for v in Visit.objects.filter(child=child) if reverse("visits:detail", args=[child.pk, v.pk]) in section]
    assert [v.met_whom for v in shown] == [f"第{i}次" for i in range(12, 2, -1)]
    assert f'href="{reverse("visits:child_list", args=[child.pk])}"' in body

    listing = client.get(reverse("visits:child_list", args=[child.pk]))
    assert listing.status_code == 200
    page = listing.content.decode()
    assert all(reverse("visits:detail", args=[child.pk, v.pk]) in page for v in Visit.objects.filter(child=child))
    assert AccessLog.objects.filter(user=users.director, child=child, action="view").count() == 2


def test_with_ten_visits_or_fewer_there_is_no_link(client, users, child):
    _visits(child, 10)
    client.force_login(users.director)
    body = client.get(reverse("children:detail", args=[child.pk])).content.decode()
    assert f'href="{reverse("visits:child_list", args=[child.pk])}"' not in body
    assert child_visits(child, timezone.localdate()).more is False


def test_the_visit_list_pages(client, users, child, settings):
    settings.LIST_PAGE_SIZE = 5
    _visits(child, 12)
    client.force_login(users.director)
    url = reverse("visits:child_list", args=[child.pk])
    last = client.get(url, {"page": 3}).content.decode()
    oldest = Visit.objects.filter(child=child).order_by("visited_at")[:2]
    assert all(reverse("visits:detail", args=[child.pk, v.pk]) in last for v in oldest)
    assert reverse("visits:detail", args=[child.pk, Visit.objects.filter(child=child).first().pk]) not in last


def test_the_archive_shows_the_latest_changes_and_links_to_the_whole_history(client, users, child):
    child._history_user = users.director
    for n in range(ARCHIVE_HISTORY_ROWS + 5):
        child.address = f"东关村{n}号"
        child.save()
    client.force_login(users.director)
    body = client.get(reverse("children:detail", args=[child.pk])).content.decode()
    assert f"东关村{ARCHIVE_HISTORY_ROWS + 4}号" in body and "东关村3号 → 东关村4号" not in body
    assert reverse("children:history", args=[child.pk]) in body
    history = client.get(reverse("children:history", args=[child.pk])).content.decode()
    assert "东关村3号 → 东关村4号" in history and "东关村0号 → 东关村1号" in history


def test_other_areas_and_shared_liaisons_get_404(client, users, tree):
    child = ChildFactory(village=tree.v2)
    for url in (reverse("children:history", args=[child.pk]), reverse("visits:child_list", args=[child.pk])):
        client.force_login(users.other_supervisor)
        assert client.get(url).status_code == 404
        client.force_login(users.liaison)
        assert client.get(url).status_code == 404
    assert not AccessLog.objects.filter(child=child).exists()


def _read_everything(child):
    """Every list read directly, without asking first which have rows."""
    return {
        name: read(child) if name != "entrusted_care" else EntrustedCare.objects.filter(child=child).first()
        for name, read in ARCHIVE_LISTS.items()
    }


def test_the_archive_lists_are_what_reading_each_relation_gives(users, tree, archive):  # noqa: F811
    child, _items = archive
    make_oversight_objects(users, tree, child)  # an activity: the many-to-many relation
    lists = archive_lists(child)
    assert lists == _read_everything(child)
    present = {name for name, value in lists.items() if value}
    assert {
        "categories",
        "family",
        "entrusted_care",
        "welfare",
        "problems",
        "care_records",
        "work_log",
        "assessments",
        "activities",
    } <= present
    # Each relation is asked about on its own: the flags agree with the ORM's exists() for every one of them.
    for name in ARCHIVE_LISTS:
        assert (name in present) == (
            EntrustedCare.objects.filter(child=child).exists()
            if name == "entrusted_care"
            else getattr(child, name).exists()
        ), name


def test_an_archive_with_no_records_reads_them_in_one_query(child):
    with CaptureQueriesContext(connection) as queries:
        lists = archive_lists(child)
    assert len(queries.captured_queries) == 1
    assert lists == _read_everything(child)
    assert lists["entrusted_care"] is None and all(v == [] for k, v in lists.items() if k != "entrusted_care")


@pytest.mark.postgres
def test_a_childs_latest_visits_are_read_from_one_index(require_postgres, child):
    """visits/0006: the archive's newest-first visit list walks visit_child_latest_idx (each year partition's copy,
    merged) and stops at the limit (no sort of every visit of the child); the foreign key keeps its constraint
    without a second index."""
    _visits(child, 30)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test table is tiny: ask what an index would do
        sql, params = Visit.objects.filter(child=child)[:11].query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'visits_visit'")
        indexes = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT count(*) FROM pg_constraint WHERE conrelid = 'visits_visit'::regclass AND contype = 'f'"
            " AND conname LIKE '%child_id%'"
        )
        fk_constraints = cursor.fetchone()[0]
    # Partitioned by year (visits 0016), each year's copy of the index is walked and merged in order.
    scans = [line for line in plan.splitlines() if "Scan" in line]
    assert scans and all(
        "Index Scan using" in line and ("visit_child_latest_idx" in line or "child_id_visited_at_id_idx" in line)
        for line in scans
    ), plan
    assert "Sort  (cost" not in plan, plan  # no sort node (a Merge Append's "Sort Key" is its order, not a sort)
    assert "visits_visit_child_id_608cad8d" not in indexes and fk_constraints == 1
