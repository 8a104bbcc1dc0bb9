import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AreaLevel, Role
from children.categories import CATEGORY_BITS
from children.models import Child
from tests.factories import UserFactory, area, valid_id

TODAY = datetime.date(2026, 11, 22)


def make_children(village, n: int, *, category: str = "left_behind_rural", **extra) -> list[Child]:
    """n open archives in a village, in one bulk insert (with the category bit set as services would)."""
    children = [
        Child(
            name=f"儿童{village.code[-3:]}{i}",
            sex="M",
            birth_date=datetime.date(2015, 6, 1),
            id_number=valid_id(village.code[:6]),
            village=village,
            registered_on=datetime.date(2026, 1, 5),
            category_flags=CATEGORY_BITS[category] if category else 0,
            **extra,
        )
        for i in range(n)
    ]
    return Child.objects.bulk_create(children)


def count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.fixture
def more(tree, users):
    """A third village in township 1 and the village of the other county's director."""
    v5 = area("370283001003", "新村", AreaLevel.VILLAGE, tree.t1)
    return type(
        "More",
        (),
        {
            "v5": v5,
            "outsider_director": UserFactory(username="outsider_dir", role=Role.DIRECTOR, areas=[tree.v4]),
        },
    )


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The named users get passwords; a deliberately slow hasher would make every test's setup take seconds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
