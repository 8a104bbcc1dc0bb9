"""The archive's change history comes from one query over the simple-history tables. It must list exactly what
simple-history's own `diff_against` lists, record by record: the reference below is the earlier implementation
(one query per history table, `diff_against` per pair), kept here as the oracle."""

import datetime
from decimal import Decimal
from operator import attrgetter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from children.models import (
    CareRecord,
    Child,
    ChildCategory,
    EntrustedCare,
    FamilyMember,
    Problem,
    WelfareCoverage,
    WorkLogEntry,
)
from children.selectors import HIDDEN_IN_HISTORY, HistoryRow, _shown, archive_history
from tests.factories import CategoryFactory, FamilyMemberFactory


def reference_history(child: Child, limit: int = 50, *, mask_ids: bool = True) -> list[HistoryRow]:
    rows: list[HistoryRow] = []
    sources = [(Child.history.filter(id=child.pk), Child._meta.verbose_name)]
    for model in (ChildCategory, FamilyMember, EntrustedCare, WelfareCoverage, Problem, CareRecord, WorkLogEntry):
        sources.append((model.history.filter(child_id=child.pk), model._meta.verbose_name))
    for qs, label in sources:
        records = list(qs.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
        by_object: dict = {}
        for rec in reversed(records):
            prev = by_object.get(rec.id)
            changes = []
            if prev is not None and rec.history_type == "~":
                for c in rec.diff_against(prev).changes:
                    if c.field in HIDDEN_IN_HISTORY:
                        continue
                    field = rec.instance._meta.get_field(c.field)
                    changes.append(
                        (
                            str(field.verbose_name),
                            _shown(field, c.old, mask_ids=mask_ids),
                            _shown(field, c.new, mask_ids=mask_ids),
                        )
                    )
            by_object[rec.id] = rec
            rows.append(
                HistoryRow(
                    when=rec.history_date,
                    who=str(rec.history_user) if rec.history_user else "",
                    what=str(label),
                    kind=rec.get_history_type_display(),
                    changes=changes,
                )
            )
    rows.sort(key=attrgetter("when"), reverse=True)
    return rows[:limit]


def _as_user(obj, user):
    obj._history_user = user
    return obj


@pytest.fixture
def busy_child(users, tree, child):
    """A child whose archive changed in every history table, with every kind of field (text with choices, ID
    number, date, decimal, boolean, file, foreign key, None), by two users and by nobody (a script)."""
    d, s = users.director, users.supervisor
    _as_user(child, d)
    child.address, child.school, child.disability_grade = "东关村1号", "东关小学", 2
    child.save()
    _as_user(child, s)
    child.village, child.id_number, child.health = tree.v2, "370283201506010011", "ill"
    child.save()
    child.notes = "一段说明"
    child._history_user = None
    child.save()
    category = CategoryFactory(child=child)
    _as_user(category, d)
    category.ended_on, category.note = datetime.date(2026, 5, 1), "结束"
    category.save()
    member = FamilyMemberFactory(child=child, phone="13800000000")
    _as_user(member, d)
    member.work_destination, member.is_guardian, member.away_since = "苏州", True, datetime.date(2024, 2, 1)
    member.save()
    member.phone, member.id_number = "13900000000", "370283198001010012"
    member.save()
    care = _as_user(EntrustedCare(child=child, caregiver_name="王奶奶", relation="grandmother"), s)
    care.save()
    care.agreement_signed, care.agreement_date, care.agreement_scan = (
        True,
        datetime.date(2026, 3, 3),
        "agreements/x.pdf",
    )
    care.save()
    welfare = _as_user(
        WelfareCoverage(
            child=child, kind="basic_living", started_on=datetime.date(2026, 1, 1), monthly_amount=Decimal("300")
        ),
        d,
    )
    welfare.save()
    welfare.monthly_amount = Decimal("1234.5")
    welfare.save()
    problem = _as_user(
        Problem(child=child, found_on=datetime.date(2026, 4, 1), description="辍学风险", created_by=d), d
    )
    problem.save()
    problem.solution, problem.resolved_on = "返校", datetime.date(2026, 4, 20)
    problem.save()
    record = _as_user(
        CareRecord(child=child, date=datetime.date(2026, 4, 2), kind="study", description="辅导", created_by=s), s
    )
    record.save()
    record.provider = "志愿者"
    record.save()
    entry = _as_user(WorkLogEntry(child=child, date=datetime.date(2026, 4, 3), content="电话联系", created_by=d), d)
    entry.save()
    entry.content = "电话联系家长"
    entry.save()
    return child


@pytest.mark.parametrize("mask_ids", [True, False])
def test_the_one_query_history_lists_what_diff_against_lists(busy_child, mask_ids):
    ours = archive_history(busy_child, mask_ids=mask_ids)
    reference = reference_history(busy_child, mask_ids=mask_ids)
    assert len(ours) == len(reference) > 15
    assert [(r.when, r.who, r.what, r.kind, r.changes) for r in ours] == [
        (r.when, r.who, r.what, r.kind, r.changes) for r in reference
    ]
    # Spot checks that would catch a wrong field order or a lost conversion in both at once.
    all_changes = {change for row in ours for change in row.changes}
    assert any(old == "300.00" and new == "1234.50" for _label, old, new in all_changes)
    assert any(old == "上海" and new == "苏州" for _label, old, new in all_changes)
    assert any(old == "False" and new == "True" for _label, old, new in all_changes)


def test_the_limit_applies_per_table_and_overall(users, child):
    _as_user(child, users.director)
    for n in range(8):
        child.address = f"东关村{n}号"
        child.save()
    assert [(r.when, r.changes) for r in archive_history(child, limit=5)] == [
        (r.when, r.changes) for r in reference_history(child, limit=5)
    ]
    assert len(archive_history(child, limit=5)) == 5


def test_it_takes_one_query(busy_child):
    with CaptureQueriesContext(connection) as queries:
        archive_history(busy_child)
    assert len(queries.captured_queries) == 1
