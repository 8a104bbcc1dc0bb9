"""The children list's name search on PostgreSQL (issue 14): two-character names are found through the GIN index
of the names' character pairs (children 0014), and the result is exactly the names that hold the text."""

import pytest
from django.db import connection

from children.selectors import child_list_for
from tests.factories import ChildFactory

pytestmark = pytest.mark.postgres

NAMES = ["王芳", "李王芳", "王小芳", "芳王", "小芳王小", "王芳芳", "张伟"]


@pytest.fixture
def named(require_postgres, tree):
    return {name: ChildFactory(village=tree.v1, name=name) for name in NAMES}


def found(user, q: str) -> set[str]:
    return set(child_list_for(user, {"q": q}).values_list("name", flat=True))


def test_a_name_search_finds_exactly_the_names_holding_the_text(named, users):
    user = users.county_staff
    # Counted by hand from NAMES: the names holding "王芳" as it is written, not just both characters.
    assert found(user, "王芳") == {"王芳", "李王芳", "王芳芳"}
    # "小芳王小" holds both pairs of "王小芳" (王小, 小芳) but not the text itself: LIKE leaves it out.
    assert found(user, "王小芳") == {"王小芳"}
    assert found(user, "芳王") == {"芳王", "小芳王小"}
    assert found(user, "王") == {"王芳", "李王芳", "王小芳", "芳王", "小芳王小", "王芳芳"}  # one character: LIKE only
    assert found(user, "伟张") == set()


def test_a_two_character_search_asks_what_the_pairs_index_serves(named, users):
    sql, params = child_list_for(users.county_staff, {"q": "王芳"}).query.sql_with_params()
    condition = 'child_name_pairs("children_child"."name") @> (child_name_pairs(%s))::text[]'
    assert condition in sql and "王芳" in params, sql
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # the test table is small: ask whether the index can serve
        cursor.execute("EXPLAIN SELECT id FROM children_child WHERE " + condition, ["王芳"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "child_name_pairs_idx" in plan, plan
