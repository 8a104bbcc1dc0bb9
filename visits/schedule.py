"""Keep `VisitSchedule` current with one set-based statement for any set of children.

`refresh()` computes, for every open child in scope: the nearest active rule set with a rule matching the child
(longest area-code prefix of the child's village; the default set has the empty prefix, so a child no regional
rule covers falls back to it), the matching rules of that set and their strictest intervals,
the last home visit and last contact, and the due dates, and upserts them. Rows that did not change are not
rewritten. It runs on SQLite and PostgreSQL; the few differences are the `VENDOR_SQL` snippets below.

The policy is defined once, in Python: `visits.rules.schedule_for` for one child. This statement is its set-based
form for speed; tests/visits/test_schedule.py compares every stored row with it over generated children.
"""

import datetime
from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import PREFIX_LENGTH, AreaLevel
from children.models import ArchiveStatus, Child

from .models import RuleSet, Visit, VisitRule, VisitSchedule
from .rules import CONTACT_KINDS, HOME_KINDS

# The tables, from the models (never typed out), and the one archive status that has a schedule.
SCHEDULE, CHILD, VISIT = VisitSchedule._meta.db_table, Child._meta.db_table, Visit._meta.db_table
RULE_SET, RULE = RuleSet._meta.db_table, VisitRule._meta.db_table
OPEN = f"'{ArchiveStatus.OPEN.value}'"

VENDOR_SQL = {
    "postgresql": {
        "add_days": "({date} + {days})",
        "agg_ids": "string_agg(r.id::text, ',' ORDER BY r.id)",
        "changed": "IS DISTINCT FROM",
    },
    "sqlite": {
        "add_days": "date({date}, '+' || {days} || ' days')",
        "agg_ids": "group_concat(r.id, ',')",
        "changed": "IS NOT",
    },
}


def add_days_sql(date: str, days: str) -> str:
    """SQL for a date plus a number of days (both SQL expressions), on this database."""
    return VENDOR_SQL[connection.vendor]["add_days"].format(date=date, days=days)


_COLUMNS = [
    "village_id",
    "home_days",
    "contact_days",
    "last_home_on",
    "last_contact_on",
    "home_due_on",
    "contact_due_on",
    "due_on",
    "rule_ids",
]


# The columns of a new obligation (visits.rules.obligation_after): written by the upsert's update only (a new row has
# none), from the row before it and the day of the change.
_OBLIGATION_COLUMNS = ["home_since", "home_cap", "contact_since", "contact_cap"]
CHANGED_ON = "{changed_on}"  # where the day of the change goes; a parameter, filled in by `refresh`


def due_under_sql(fresh: str, days: str, since: str, cap: str) -> str:
    """`rules.due_under` in SQL: the due date under an obligation, from the due date counted from the last visit
    (`fresh`), the interval (`days`), the day it came into force (`since`) and the cap (all SQL expressions)."""
    from_since = add_days_sql(since, days)
    return (
        f"(CASE WHEN {days} IS NULL THEN NULL WHEN {since} IS NULL OR {fresh} >= {from_since} THEN {fresh}"
        f" WHEN {cap} IS NULL OR {from_since} < {cap} THEN {from_since} ELSE {cap} END)"
    )


def _obligation_sql(kind: str) -> dict[str, str]:
    """The upsert's update of one kind's since, cap and due date: `rules.obligation_after` and `rules.due_under`, with
    the row before as the schedule table and the freshly counted values as `excluded`."""
    old, new = SCHEDULE, "excluded"
    days, before = f"{new}.{kind}_days", f"{old}.{kind}_days"
    since = (
        f"(CASE WHEN {days} IS NULL THEN NULL WHEN {before} IS NULL OR {days} < {before} THEN {CHANGED_ON}"
        f" WHEN {days} = {before} THEN {old}.{kind}_since ELSE NULL END)"
    )
    cap = (
        f"(CASE WHEN {days} IS NULL OR {before} IS NULL THEN NULL WHEN {days} < {before} THEN {old}.{kind}_due_on"
        f" WHEN {days} = {before} THEN {old}.{kind}_cap ELSE NULL END)"
    )
    due = due_under_sql(f"{new}.{kind}_due_on", days, since, cap)
    return {f"{kind}_since": since, f"{kind}_cap": cap, f"{kind}_due_on": due}


def _earlier_sql(a: str, b: str) -> str:
    return f"(CASE WHEN {a} IS NULL THEN {b} WHEN {b} IS NULL THEN {a} WHEN {a} < {b} THEN {a} ELSE {b} END)"


def _update_sql() -> dict[str, str]:
    """Each column's value in the upsert's update."""
    values = {c: f"excluded.{c}" for c in _COLUMNS}
    values.update(_obligation_sql("home"))
    values.update(_obligation_sql("contact"))
    values["due_on"] = _earlier_sql(values["home_due_on"], values["contact_due_on"])
    return values


def _kinds(kinds: Iterable[str]) -> str:
    return ", ".join(f"'{k}'" for k in kinds)


def recent_since(day: datetime.date) -> datetime.date:
    """Where the refresh starts looking for a child's last visits: the first of January of the year before `day`,
    so on PostgreSQL it reads this year's and last year's partitions of the visits (config/partitions.py) for every
    child visited within a year, and earlier years only for the children without a home visit or contact since.
    Only what is read depends on it, never a result: a visit since this day is later than any before it."""
    return datetime.date(day.year - 1, 1, 1)


def last_visits_sql(since: datetime.date, *, until: datetime.date | None = None, only_target: bool = False) -> str:
    """The common table expressions `recent`, `earlier` and `last` (child_id, last_home, last_contact): the last home
    visit and last contact, on or before `until` if given, of each child of a CTE `target` (its `id`). Visits since
    `since` (recent_since) are read for everyone, or only for the target children (`only_target`, through the
    index); earlier ones only for the children without a home visit or contact since, which is the same result."""
    home_max = f"MAX(CASE WHEN v.kind IN ({_kinds(HOME_KINDS)}) THEN v.visit_date END)"
    contact_max = f"MAX(CASE WHEN v.kind IN ({_kinds(CONTACT_KINDS)}) THEN v.visit_date END)"
    bound = f"'{since.isoformat()}'"
    recent_and = f"AND v.visit_date <= '{until.isoformat()}'" if until else ""
    if only_target:
        recent_and += " AND v.child_id IN (SELECT id FROM target)"
    return f"""
recent AS (
    SELECT v.child_id, {home_max} AS last_home, {contact_max} AS last_contact
      FROM {VISIT} v
     WHERE v.visit_date >= {bound} {recent_and}
     GROUP BY v.child_id
),
earlier AS (
    SELECT v.child_id, {home_max} AS last_home, {contact_max} AS last_contact
      FROM {VISIT} v
     WHERE v.visit_date < {bound}
       AND v.child_id IN (SELECT t.id FROM target t LEFT JOIN recent r ON r.child_id = t.id
                           WHERE r.last_home IS NULL OR r.last_contact IS NULL)
     GROUP BY v.child_id
),
last AS (
    SELECT t.id AS child_id, COALESCE(r.last_home, e.last_home) AS last_home,
           COALESCE(r.last_contact, e.last_contact) AS last_contact
      FROM target t LEFT JOIN recent r ON r.child_id = t.id LEFT JOIN earlier e ON e.child_id = t.id
)"""


def build_sql(where: str, key_len: int = 12) -> str:
    """`key_len`: how many leading digits of a village code decide its rule sets (the longest active prefix)."""
    d = VENDOR_SQL[connection.vendor]
    add = d["add_days"]
    update = _update_sql()
    changed = " OR ".join(f"{SCHEDULE}.{c} {d['changed']} {v}" for c, v in update.items())
    return f"""
WITH target AS (
    SELECT c.id, c.village_id, c.registered_on, c.category_flags, c.parent_flags, c.colour, c.risk_grade,
           COALESCE(c.disability_grade, 0) AS disability_grade
      FROM {CHILD} c
     WHERE c.status = {OPEN} {where}
),
profile AS (
    -- Children with the same rule-relevant facts match the same rules: match each distinct profile once.
    SELECT DISTINCT substr(t.village_id, 1, {key_len}) AS area_key, t.category_flags, t.parent_flags, t.colour,
           t.risk_grade, t.disability_grade
      FROM target t
),
candidate AS (
    SELECT p.area_key, p.category_flags, p.parent_flags, p.colour, p.risk_grade, p.disability_grade,
           length(rs.prefix) AS depth, r.id, r.home_visit_days, r.contact_days
      FROM profile p
      JOIN {RULE_SET} rs ON rs.active AND p.area_key LIKE rs.prefix || '%%'
      JOIN {RULE} r ON r.rule_set_id = rs.id
     WHERE (r.category_mask = 0 OR (p.category_flags & r.category_mask) <> 0)
       AND (r.parent_mask = 0 OR (p.parent_flags & r.parent_mask) <> 0)
       AND (r.risk_grades = '' OR (p.risk_grade <> ''
            AND (',' || replace(r.risk_grades, ' ', '') || ',') LIKE ('%%,' || p.risk_grade || ',%%')))
       AND (r.colours = '' OR (',' || replace(r.colours, ' ', '') || ',') LIKE ('%%,' || p.colour || ',%%'))
       AND (r.max_disability_grade IS NULL
            OR (p.disability_grade > 0 AND p.disability_grade <= r.max_disability_grade))
),
nearest AS (
    SELECT area_key, category_flags, parent_flags, colour, risk_grade, disability_grade, MAX(depth) AS depth
      FROM candidate
     GROUP BY area_key, category_flags, parent_flags, colour, risk_grade, disability_grade
),
profile_rules AS (
    SELECT r.area_key, r.category_flags, r.parent_flags, r.colour, r.risk_grade, r.disability_grade,
           MIN(r.home_visit_days) AS home_days, MIN(r.contact_days) AS contact_days, {d["agg_ids"]} AS rule_ids
      FROM candidate r
      JOIN nearest n ON n.area_key = r.area_key AND n.category_flags = r.category_flags
           AND n.parent_flags = r.parent_flags AND n.colour = r.colour AND n.risk_grade = r.risk_grade
           AND n.disability_grade = r.disability_grade AND n.depth = r.depth
     GROUP BY r.area_key, r.category_flags, r.parent_flags, r.colour, r.risk_grade, r.disability_grade
),
matched AS (
    SELECT t.id AS child_id, pr.home_days, pr.contact_days, pr.rule_ids
      FROM target t
      JOIN profile_rules pr ON pr.area_key = substr(t.village_id, 1, {key_len})
           AND pr.category_flags = t.category_flags AND pr.parent_flags = t.parent_flags
           AND pr.colour = t.colour AND pr.risk_grade = t.risk_grade
           AND pr.disability_grade = t.disability_grade
),
{last_visits_sql(recent_since(today()), only_target=bool(where))},
calc AS (
    SELECT t.id, t.village_id, m.home_days, m.contact_days, l.last_home, l.last_contact,
           CASE WHEN m.home_days IS NULL THEN NULL
                ELSE {add.format(date="COALESCE(l.last_home, t.registered_on)", days="m.home_days")} END AS home_due,
           CASE WHEN m.contact_days IS NULL THEN NULL
                ELSE {add.format(date="COALESCE(l.last_contact, t.registered_on)", days="m.contact_days")} END
                AS contact_due,
           COALESCE(m.rule_ids, '') AS rule_ids
      FROM target t LEFT JOIN matched m ON m.child_id = t.id LEFT JOIN last l ON l.child_id = t.id
)
INSERT INTO {SCHEDULE} (child_id, village_id, home_days, contact_days, last_home_on, last_contact_on,
                                  home_due_on, contact_due_on, due_on, rule_ids, refreshed_at)
SELECT id, village_id, home_days, contact_days, last_home, last_contact, home_due, contact_due,
       CASE WHEN home_due IS NULL THEN contact_due WHEN contact_due IS NULL THEN home_due
            WHEN home_due < contact_due THEN home_due ELSE contact_due END,
       rule_ids, %s
  FROM calc WHERE 1 = 1
ON CONFLICT (child_id) DO UPDATE SET
    {", ".join(f"{c} = {v}" for c, v in update.items())}, refreshed_at = excluded.refreshed_at
  WHERE ({changed})
    AND ({SCHEDULE}.refreshed_at IS NULL OR {SCHEDULE}.refreshed_at <= excluded.refreshed_at)
"""


def statement(
    where: str, params: list, key_len: int, *, refreshed_at: datetime.datetime, changed_on: datetime.date
) -> tuple[str, list]:
    """The upsert and its parameters: `where` and `params` choose the children (`_scope`)."""
    sql = build_sql(where, key_len)
    return sql.replace(CHANGED_ON, "%s"), [*params, refreshed_at, *[changed_on] * sql.count(CHANGED_ON)]


def _scope(ids: list[int] | None, area_prefix: str | None) -> tuple[str, list]:
    if ids is not None:
        if not ids:
            return "AND 1 = 0", []
        if connection.vendor == "postgresql":  # one array parameter, however many children
            return "AND c.id = ANY(%s::bigint[])", [ids]
        return f"AND c.id IN ({', '.join(['%s'] * len(ids))})", ids
    if area_prefix:
        return "AND c.village_id LIKE %s", [area_prefix + "%"]
    return "", []


# Up to this many children, the rules are matched on each child's full village code (no query for the longest rule
# prefix first); larger refreshes group children by the shortest code prefix that tells the rule sets apart.
FEW_CHILDREN = 100


@transaction.atomic(savepoint=False)  # inside a caller's transaction, an error rolls back the caller's work too
def refresh(
    *,
    child_ids: Iterable[int] | None = None,
    area_prefix: str | None = None,
    changed_on: datetime.date | None = None,
) -> int:
    """Recompute the schedule of the given children, of an area's subtree, or (neither given) of everyone.

    `changed_on`: the day the facts changed (a transfer's, a category's start, an assessment's, a colour change's
    date; today by default): a stricter interval counts from it (visits.rules.obligation_after).
    Returns the number of rows written. Closed archives lose their schedule row.
    """
    changed_on = changed_on or today()
    if child_ids is not None:
        child_ids = [int(i) for i in child_ids]
    where, params = _scope(child_ids, area_prefix)
    few = child_ids is not None and len(child_ids) <= FEW_CHILDREN
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not where:
            # Let the whole-table aggregates hash in memory instead of spilling to disk.
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET LOCAL jit = off")  # compiling costs more than it saves here
        cursor.execute(
            f"DELETE FROM {SCHEDULE} WHERE child_id IN (SELECT c.id FROM {CHILD} c WHERE c.status <> {OPEN} {where})",
            params,
        )
        if few:
            key_len = PREFIX_LENGTH[AreaLevel.VILLAGE]  # every rule prefix is at most a village code
        else:
            cursor.execute(f"SELECT COALESCE(MAX(length(prefix)), 0) FROM {RULE_SET} WHERE active")
            key_len = max(1, cursor.fetchone()[0])
        cursor.execute(*statement(where, params, key_len, refreshed_at=timezone.now(), changed_on=changed_on))
        return cursor.rowcount


def refresh_child(child_id: int) -> None:
    refresh(child_ids=[child_id])


def today() -> datetime.date:
    return timezone.localdate()
