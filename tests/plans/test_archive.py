"""Help plans in the archive (issue 18): on the merged timeline (drawn up, reviewed, closed) with the approvals
around them (requested, approved, returned with the reason), in the archive PDF, and read-only in the API; the
archive page reads a fixed number of queries however many plans the child has."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from approvals import services as approval_services
from plans import closing, services
from plans.services import NeedInput
from tests.children.test_export_pdf import _pdftotext
from tests.guardianship.test_sweep_and_timeline import _archive_queries

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
PLAN_KINDS = {"制定帮扶方案", "帮扶方案评估", "帮扶方案结案", "提请审批", "已批准", "已退回"}


def _plan(users, child, opened_on, summary="放学后到儿童之家写作业"):
    return services.plan_create(
        user=users.director,
        child=child,
        kind="general",
        opened_on=opened_on,
        lead=users.director,
        summary=summary,
        needs=[NeedInput(description="晚饭无人照料")],
    )


def _review(users, plan, on, decision="continue", **kw):
    return services.review_create(
        user=users.director, plan=plan, reviewed_on=on, decision=decision, progress={}, notes=kw.pop("notes", ""), **kw
    )


def _life(client, users, child, start):
    """A plan drawn up on `start`, reviewed 10 days later (continue), reviewed to close 15 days later: the request
    is returned with a reason, proposed again and approved (through the page, so the history names the approver)."""
    plan = _plan(users, child, start)
    services.measure_add(
        user=users.director,
        plan=plan,
        description="每周二、四到儿童之家辅导作业",
        owner_kind="staff",
        owner=users.director,
        due_on=start + 5 * DAY,
    )
    _review(users, plan, start + 10 * DAY, notes="每周到儿童之家三次")
    first = _review(
        users, plan, start + 15 * DAY, decision="close", close_reason="母亲返乡照料", notes="目标基本达成"
    ).approval
    approval_services.approval_return(user=users.supervisor, approval=first, reason="请补充返乡证明")
    second = closing.close_or_propose(user=users.director, plan=plan, closed_on=start + 15 * DAY, reason="母亲已返乡")
    client.force_login(users.supervisor)
    assert client.post(reverse("approvals:approve", args=[second.pk])).status_code == 302
    plan.refresh_from_db()
    assert plan.status == "closed"
    return plan, first, second


def test_the_timeline_shows_the_plan_and_its_approvals_in_order_with_who(client, users, child):
    start = TODAY - 30 * DAY
    plan, first, second = _life(client, users, child, start)
    client.force_login(users.county_staff)
    timeline = client.get(reverse("children:detail", args=[child.pk])).context["timeline"]
    events = [(e.day, e.kind, e.text, e.who, e.url) for e in timeline if e.kind in PLAN_KINDS]
    plan_url = reverse("plans:detail", args=[child.pk, plan.pk])
    director, supervisor = str(users.director), str(users.supervisor)
    assert events == [
        (TODAY, "已批准", "结案帮扶方案", supervisor, reverse("approvals:detail", args=[second.pk])),
        (TODAY, "已退回", "结案帮扶方案 · 请补充返乡证明", supervisor, reverse("approvals:detail", args=[first.pk])),
        (TODAY, "提请审批", "结案帮扶方案 · 母亲已返乡", director, reverse("approvals:detail", args=[second.pk])),
        (TODAY, "提请审批", "结案帮扶方案 · 母亲返乡照料", director, reverse("approvals:detail", args=[first.pk])),
        (start + 15 * DAY, "帮扶方案结案", "帮扶方案 · 母亲已返乡", supervisor, plan_url),
        (start + 15 * DAY, "帮扶方案评估", "结案 · 目标基本达成", director, plan_url),
        (start + 10 * DAY, "帮扶方案评估", "继续实施 · 每周到儿童之家三次", director, plan_url),
        (start, "制定帮扶方案", "帮扶方案 · 放学后到儿童之家写作业", director, plan_url),
    ]


def test_the_compiled_timeline_reads_the_plans_as_the_orm_does(client, users, child):
    from guardianship import timeline

    _life(client, users, child, TODAY - 30 * DAY)
    reference = timeline._orm_rows(child, None)
    assert {r.kind for r in reference} >= {"plan_opened", "plan_review", "plan_closed", "approval_decided"}
    assert timeline._rows(child, None) == reference


def test_the_archive_page_reads_a_fixed_number_of_queries_however_many_plans(client, users, tree, child):
    """One child with one closed plan and an open one; another with four closed plans and an open one."""
    from tests.factories import ChildFactory

    busy = ChildFactory(village=tree.v1)
    _life(client, users, child, TODAY - 100 * DAY)
    _plan(users, child, TODAY - 2 * DAY)
    for n in range(4):
        _life(client, users, busy, TODAY - (100 - 20 * n) * DAY)
    _plan(users, busy, TODAY - 2 * DAY)
    client.force_login(users.supervisor)
    _archive_queries(client, child)  # warm: the session and the compiled timeline
    assert _archive_queries(client, busy) == _archive_queries(client, child)
    kinds = [e.kind for e in client.get(reverse("children:detail", args=[busy.pk])).context["timeline"]]
    assert kinds.count("制定帮扶方案") == 5 and kinds.count("帮扶方案结案") == 4


def test_the_timeline_reads_two_queries_however_many_plans(client, users, child, django_assert_num_queries):
    from guardianship.timeline import for_child

    _life(client, users, child, TODAY - 100 * DAY)
    for_child(child)  # compiled once per process
    with django_assert_num_queries(2):
        few = for_child(child)
    for n in range(3):
        _life(client, users, child, TODAY - (70 - 20 * n) * DAY)
    with django_assert_num_queries(2):
        many = for_child(child)
    assert len(many) > len(few)


# ------------------------------------------------------------------ the archive PDF


def test_the_archive_pdf_has_the_help_plans_with_measures_and_reviews(client, users, child, tmp_path):
    _life(client, users, child, TODAY - 30 * DAY)
    client.force_login(users.director)
    text = _pdftotext(client.get(reverse("children:pdf", args=[child.pk])).content, tmp_path)
    for words in (
        "帮扶方案措施",
        "每周二、四到儿童之家辅导作业",
        str(users.director),
        "放学后到儿童之家写作业",
        "母亲已返乡",
        "帮扶方案评估记录",
        "每周到儿童之家三次",
        "继续实施",
    ):
        assert words in text.replace("\n", ""), words


def test_the_archive_pdf_reads_a_fixed_number_of_queries_however_many_plans(client, users, tree, child):
    from children import pdf
    from tests.factories import ChildFactory

    busy = ChildFactory(village=tree.v1)
    _life(client, users, child, TODAY - 100 * DAY)
    for n in range(4):
        _life(client, users, busy, TODAY - (100 - 20 * n) * DAY)

    def count(c) -> int:
        with CaptureQueriesContext(connection) as ctx:
            pdf.archive_pdf(c, full_ids=False)
        return len(ctx.captured_queries)

    assert count(busy) == count(child)
