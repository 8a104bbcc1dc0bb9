"""children.bulk: the streamed COPY writer and the array form of IN, on PostgreSQL (elsewhere bulk_create and IN)."""

import datetime

import pytest

from children import bulk
from children.models import Child, FamilyMember
from tests.factories import ChildFactory


def test_insert_streams_awkward_text_exactly_across_many_chunks(users, child, django_assert_max_num_queries):
    awkward = ['引号"与,逗号', "换行\n第二行", "反斜杠\\N", "", "tab\there", "=1+1", "\r回车"]
    records = [
        {
            "child_id": child.pk,
            "relation": "other",
            "name": awkward[n % len(awkward)][:50],
            "phone": "",
            "is_guardian": n % 2 == 0,
            "away_since": None if n % 3 else datetime.date(2026, 1, 1 + n % 28),
            "note": ("很长的备注" * 30)[: 100 + n % 100],  # about 300 KB in all: several reads of the stream
        }
        for n in range(5003)
    ]
    ids = bulk.insert(FamilyMember, records, history=bulk.History(user_id=users.county_staff.pk, reason="测试"))
    assert len(ids) == len(set(ids)) == 5003
    stored = dict(FamilyMember.objects.filter(pk__in=ids).values_list("pk", "name"))
    assert [stored[pk] for pk in ids] == [r["name"] for r in records]
    member = FamilyMember.objects.get(pk=ids[5])
    assert (member.away_since, member.is_guardian, member.note) == (None, False, records[5]["note"])
    assert FamilyMember.objects.get(pk=ids[3]).away_since == datetime.date(2026, 1, 4)
    history = FamilyMember.history.filter(id__in=ids)
    assert history.count() == 5003 and set(history.values_list("history_type", "history_user_id")) == {
        ("+", users.county_staff.pk)
    }


def test_insert_refuses_records_of_different_shapes(child):
    with pytest.raises(ValueError):
        bulk.insert(FamilyMember, [{"child_id": child.pk, "name": "甲"}, {"child_id": child.pk}])


def test_in_list_matches_like_in_with_long_and_empty_lists(tree):
    children = [ChildFactory(village=tree.v1) for _ in range(3)]
    numbers = [c.id_number for c in children[:2]] + [f"{n:018d}" for n in range(6000)]
    assert set(Child.objects.filter(bulk.in_list("id_number", numbers)).values_list("pk", flat=True)) == {
        children[0].pk,
        children[1].pk,
    }
    assert not Child.objects.filter(bulk.in_list("id_number", [])).exists()


@pytest.mark.postgres
def test_the_leaner_index_migration_keeps_the_unique_and_pattern_indexes(require_postgres):
    """children/0004 is written out because Django's AlterField would also drop the partial unique index on
    id_number: one open archive per ID number must still be enforced, and prefix matches must have their index."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes"
            " WHERE tablename IN ('children_child', 'children_historicalchild')"
        )
        indexes = dict(cursor.fetchall())
        cursor.execute(
            "SELECT conrelid::regclass::text FROM pg_constraint WHERE contype = 'f' AND conname LIKE '%history_user%'"
            " AND conrelid::regclass::text IN ('children_historicalchild', 'children_historicalchildcategory',"
            " 'children_historicalfamilymember')"
        )
        history_user_fks = cursor.fetchall()
    assert "UNIQUE" in indexes["child_unique_open_id_number"] and "WHERE" in indexes["child_unique_open_id_number"]
    assert "varchar_pattern_ops" in indexes["child_village_pattern_idx"]
    assert "varchar_pattern_ops" in indexes["child_id_number_pattern_idx"]
    assert {"child_scope_idx", "child_name_birth_idx", "children_child_pkey"} <= set(indexes)
    assert not [name for name in indexes if "id_number_e4c084f2" in name or "village_id_50303f2a" in name]
    assert not [name for name in indexes if name.startswith("children_historicalchild_id_number")]
    assert history_user_fks == []
