"""Per-village dashboard figures, stored and kept current set-based (issue 14: every dashboard level, province
included, fast with an empty cache, by design rather than by cache).

A dashboard sums the stored rows of the villages under its area (`sums`) instead of aggregating every archive. The
rows are written by one aggregate statement over the villages concerned (`refresh`, the same SQL the dashboards used
live: `selectors.children_sql` over the definitions of `metrics`):

- every village, each night after the date changes (visit compliance depends on today), and for a bootstrap;
- the villages a write marked stale (`StaleVillage`, marked in the writer's transaction by `dashboards.signals`,
  by the import, and by a rule set's recomputation), every few minutes by beat, and those under a dashboard's area
  before it is shown when they are few (`STALE_INLINE_LIMIT`). So figures are at most minutes old; the page says
  when they were computed.

Raw SQL lives here and in `selectors.children_sql`; table names come from the models.
"""

import datetime
from collections.abc import Iterable, Sequence

from django.db import connection, transaction
from django.db.models import Count, Min
from django.utils import timezone

from accounts.models import PREFIX_LENGTH, AreaLevel
from children.models import Child
from config.env import env_int

from .models import StaleVillage, VillageFigures

# Before a dashboard is shown, up to this many stale villages under its area are recomputed in the request (one
# statement, bounded); more are left to the beat task and the page shows the stored figures with their time.
STALE_INLINE_LIMIT = env_int("DASHBOARD_STALE_INLINE", 50)
CHUNK = 500  # villages per statement (parameters per IN list)
VILLAGE_LENGTH = PREFIX_LENGTH[AreaLevel.VILLAGE]


def compute(
    today: datetime.date, where: str, params: list, group_len: int = VILLAGE_LENGTH
) -> dict[str, dict[str, int]]:
    """The non-zero per-child figures of the open archives `where` selects, summed by the first `group_len` digits of
    the village code (one aggregate statement; inside a transaction, for the SET LOCAL)."""
    from .selectors import children_sql

    sql, keys = children_sql(group_len, today, where)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL jit = off")  # compiling the wide aggregate costs more than running it
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {row[0]: {k: int(v) for k, v in zip(keys, row[1:], strict=True) if v} for row in rows}


def _store(computed: dict[str, dict[str, int]], today: datetime.date) -> int:
    now = timezone.now()
    VillageFigures.objects.bulk_create(
        [VillageFigures(village=code, figures=f, as_of=today, computed_at=now) for code, f in computed.items()],
        batch_size=2000,
    )
    return len(computed)


@transaction.atomic
def refresh(*, today: datetime.date, villages: Sequence[str] | None = None, prefix: str = "") -> int:
    """Recompute and store the figures of `villages`, or (none given) of every village under `prefix` (all of them
    with the empty prefix). Marks are cleared before the figures are read, in the same transaction: a write that
    commits later marks its village again, so nothing is lost between the two. Returns the villages stored."""
    if villages is None:
        StaleVillage.objects.filter(village__startswith=prefix).delete()
        computed = compute(today, "c.village_id LIKE %s", [prefix + "%"])
        VillageFigures.objects.filter(village__startswith=prefix).delete()
        return _store(computed, today)
    stored = 0
    codes = sorted(set(villages))
    for i in range(0, len(codes), CHUNK):
        chunk = codes[i : i + CHUNK]
        StaleVillage.objects.filter(village__in=chunk).delete()
        computed = compute(today, f"c.village_id IN ({', '.join(['%s'] * len(chunk))})", chunk)
        VillageFigures.objects.filter(village__in=chunk).delete()  # a village left with no open archive: no row
        stored += _store(computed, today)
    return stored


def refresh_stale(*, today: datetime.date, prefix: str = "", limit: int | None = None) -> int:
    """Recompute the stale villages under `prefix`; with `limit`, only when there are at most that many (else
    nothing: the beat task takes them). Returns how many villages were recomputed."""
    qs = StaleVillage.objects.filter(village__startswith=prefix).values_list("village", flat=True)
    codes = list(qs[: limit + 1]) if limit is not None else list(qs)
    if not codes or (limit is not None and len(codes) > limit):
        return 0
    refresh(today=today, villages=codes)
    return len(codes)


def mark_stale(villages: Iterable[str]) -> None:
    codes = {c for c in villages if c}
    if codes:
        StaleVillage.objects.bulk_create([StaleVillage(village=c) for c in codes], ignore_conflicts=True)


def mark_children_stale(child_ids: Iterable[int]) -> None:
    """The villages of these children: one INSERT … SELECT per chunk, whatever the number of children."""
    ids = sorted({int(i) for i in child_ids})
    stale, child = StaleVillage._meta, Child._meta
    q = connection.ops.quote_name
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {q(stale.db_table)} ({q(stale.get_field('village').column)},"
                f" {q(stale.get_field('marked_at').column)})"
                f" SELECT DISTINCT {q(child.get_field('village').column)}, %s FROM {q(child.db_table)}"
                f" WHERE {q(child.pk.column)} IN ({', '.join(['%s'] * len(chunk))})"
                " ON CONFLICT DO NOTHING",
                [timezone.now(), *chunk],
            )


def mark_area_stale(prefix: str) -> None:
    """Every village under an area (a rule set's recomputation changes the visit figures of all of them)."""
    from accounts.models import Area

    codes = Area.objects.filter(level=AreaLevel.VILLAGE, code__startswith=prefix).values_list("code", flat=True)
    mark_stale(codes.iterator(chunk_size=5000))


# The figures of each stored row as (key, value) rows, on this database (PostgreSQL's jsonb, SQLite's JSON text).
_EACH = {"postgresql": "jsonb_each_text(f.figures)", "sqlite": "json_each(f.figures)"}


def sums(prefix: str, group_len: int) -> tuple[dict[str, dict[str, int]], datetime.datetime | None, int]:
    """The stored figures of the villages under `prefix` summed by the first `group_len` digits of their code, the
    time of the oldest of them, and how many villages have a row: the sums in SQL (two statements)."""
    q = connection.ops.quote_name
    table = q(VillageFigures._meta.db_table)
    village = q(VillageFigures._meta.get_field("village").column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT substr(f.{village}, 1, %s), e.key, SUM(CAST(e.value AS BIGINT))"
            f"  FROM {table} f, {_EACH[connection.vendor]} e"
            f" WHERE f.{village} LIKE %s GROUP BY substr(f.{village}, 1, %s), e.key",
            [int(group_len), prefix + "%", int(group_len)],
        )
        rows = cursor.fetchall()
    out: dict[str, dict[str, int]] = {}
    for group, key, total in rows:
        out.setdefault(group, {})[key] = int(total)
    stored = VillageFigures.objects.filter(village__startswith=prefix).aggregate(
        n=Count("pk"), oldest=Min("computed_at")
    )
    return out, stored["oldest"], stored["n"]
