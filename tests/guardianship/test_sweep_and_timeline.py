import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from children.models import CareRecord, ChildCategory, ColourChange, Problem, Transfer, WelfareCoverage, WorkLogEntry
from guardianship import casework, referrals, services, sweep
from guardianship.models import Instrument, Report
from guardianship.reports import report_file
from tests.factories import UserFactory
from tests.guardianship.test_assessments import _answers
from visits.models import Visit

TODAY = timezone.localdate()


def test_overdue_referrals_and_follow_ups_are_escalated_once(users, child):
    r = referrals.referral_send(
        user=users.county_staff,
        child=child,
        department=users.department,
        service="legal_aid",
        reason="需要法律援助",
        due_on=TODAY,
    )
    casework.conference_create(
        user=users.county_staff,
        child=child,
        held_on=TODAY,
        participants="民政",
        summary="会商",
        decisions=[("联系学校", users.director, TODAY)],
    )
    sweep.daily(today=TODAY)  # due today: not overdue yet
    assert not Notification.objects.filter(key__contains="overdue").exists()
    later = TODAY + datetime.timedelta(days=2)
    sweep.daily(today=later)
    sweep.daily(today=later)
    keys = set(Notification.objects.values_list("user_id", "key"))
    assert (users.liaison.pk, f"referral-overdue:{r.pk}") in keys
    assert (users.county_staff.pk, f"referral-overdue:{r.pk}") in keys
    assert any(k.startswith("followup-overdue:") and u == users.director.pk for u, k in keys)
    assert Notification.objects.count() == len(keys)  # nothing twice


def test_reassessment_due_is_reminded_to_the_childs_director(users, child):
    instrument = Instrument.objects.first()
    services.assessment_create(
        user=users.director,
        child=child,
        instrument=instrument,
        assessed_on=TODAY,
        answers=_answers(instrument, lambda item: 0),
        next_on=TODAY + datetime.timedelta(days=5),
    )
    sweep.daily(today=TODAY)
    assert Notification.objects.filter(user=users.director, key__startswith="reassess:").count() == 1
    assert not Notification.objects.filter(user=users.other_director).exists()


def test_a_new_report_reaches_the_handling_department(users, child, django_capture_on_commit_callbacks):
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        r = report_file(
            user=users.director,
            report=Report(
                child=child,
                found_at=now,
                reported_at=now,
                what_found="x",
                harm_type="neglect",
                reported_to="education",
                handling_department=users.department,
            ),
        )
    assert Notification.objects.filter(user=users.liaison, key=f"report-new:{r.pk}").exists()


def test_the_archive_shows_one_merged_timeline(client, users, child):
    referrals.referral_send(
        user=users.county_staff,
        child=child,
        department=users.department,
        service="legal_aid",
        reason="需要法律援助",
        due_on=TODAY,
    )
    casework.conference_create(
        user=users.county_staff,
        child=child,
        held_on=TODAY - datetime.timedelta(days=3),
        participants="民政",
        summary="第一次会商",
        decisions=[],
    )
    client.force_login(users.director)
    timeline = client.get(reverse("children:detail", args=[child.pk])).context["timeline"]
    assert [e.day for e in timeline] == sorted((e.day for e in timeline), reverse=True)
    assert [e.kind for e in timeline] == ["转介", "个案会商", "建档"] and "第一次会商" in timeline[1].text


# Everything that happened to the child, in order, with who did it (issue 15).


def _saved(record, user):
    """Saved as a request by `user` would save it: django-simple-history records who."""
    record._history_user = user
    record.save()
    return record


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def _one_of_each(child, tree, director, county, day: datetime.date) -> None:
    """A record of every kind the archive keeps outside guardianship, spread over 11 days from `day`."""
    d = [day + datetime.timedelta(days=n) for n in range(11)]
    category = _saved(ChildCategory(child=child, category="left_behind_rural", started_on=d[0]), director)
    ColourChange.objects.create(child=child, colour="orange", changed_on=d[1], reason="父母均外出", changed_by=director)
    welfare = _saved(
        WelfareCoverage(child=child, kind="dibao", started_on=d[2], monthly_amount=Decimal("450.00")), county
    )
    Visit.objects.create(
        child=child,
        kind="home",
        visited_at=_at(d[3]),
        visit_date=d[3],
        met_whom="奶奶",
        problems_found="作业无人辅导",
        created_by=director,
    )
    problem = _saved(Problem(child=child, found_on=d[4], description="作业无人辅导", created_by=director), director)
    CareRecord.objects.create(
        child=child, date=d[5], kind="study", description="志愿者每周辅导", provider="团委", created_by=county
    )
    WorkLogEntry.objects.create(child=child, date=d[6], content="电话联系父亲", created_by=director)
    problem.solution, problem.resolved_on = "志愿者每周六上门辅导", d[7]
    _saved(problem, county)
    welfare.ended_on = d[8]
    _saved(welfare, county)
    category.ended_on = d[9]
    _saved(category, director)
    Transfer.objects.create(
        child=child,
        from_village=tree.v1,
        to_village=tree.v2,
        transferred_on=d[10],
        reason="随祖父母搬家",
        transferred_by=county,
    )


def test_the_timeline_shows_everything_that_happened_in_order_with_who(client, users, tree, child):
    director, county = users.director, users.county_staff
    start = datetime.date(2026, 3, 1)
    _one_of_each(child, tree, director, county, start)
    client.force_login(users.supervisor)
    timeline = client.get(reverse("children:detail", args=[child.pk])).context["timeline"]
    d = lambda n: start + datetime.timedelta(days=n)  # noqa: E731
    assert [(e.day, e.kind, e.who) for e in timeline] == [
        (d(10), "迁出", str(county)),
        (d(9), "类别结束", str(director)),
        (d(8), "福利保障终止", str(county)),
        (d(7), "问题解决", str(county)),
        (d(6), "工作日志", str(director)),
        (d(5), "关爱帮扶记录", str(county)),
        (d(4), "发现问题", str(director)),
        (d(3), "入户走访", str(director)),
        (d(2), "开始享受福利保障", str(county)),
        (d(1), "四色等级调整", str(director)),
        (d(0), "新增类别", str(director)),
        (child.registered_on, "建档", ""),
    ]
    text = {e.kind: e.text for e in timeline}
    assert text["迁出"] == "东关村 → 西关村 · 随祖父母搬家"
    assert text["问题解决"] == "志愿者每周六上门辅导 · 作业无人辅导"
    assert text["开始享受福利保障"] == "低保 · 每月 450 元" and text["福利保障终止"] == "低保"
    assert text["新增类别"] == text["类别结束"] == "农村留守儿童"
    assert text["四色等级调整"] == "橙 · 父母均外出"
    assert text["关爱帮扶记录"] == "学业辅导 · 志愿者每周辅导 · 团委"
    assert text["入户走访"] == text["发现问题"] == "作业无人辅导"
    body = client.get(reverse("children:detail", args=[child.pk])).content.decode()
    assert f'<small class="who">· {county}</small>' in body


def test_the_timeline_is_whole_where_the_archive_lists_stop(client, users, tree, child):
    """The page lists the 10 latest visits; the timeline still has all 12, in order with the older care record."""
    first = datetime.date(2026, 4, 1)
    for n in range(12):
        day = first + datetime.timedelta(days=n)
        Visit.objects.create(child=child, kind="contact", visited_at=_at(day), visit_date=day, met_whom=f"第{n}次")
    CareRecord.objects.create(child=child, date=first - datetime.timedelta(days=1), kind="material", description="冬衣")
    client.force_login(users.director)
    timeline = client.get(reverse("children:detail", args=[child.pk])).context["timeline"]
    kinds = [e.kind for e in timeline]
    assert kinds == ["电话/微信联系"] * 12 + ["关爱帮扶记录", "建档"]


def test_the_timeline_shows_the_latest_sixty_across_kinds(users, child):
    from guardianship.timeline import for_child

    first = datetime.date(2026, 1, 10)
    for n in range(70):
        WorkLogEntry.objects.create(child=child, date=first + datetime.timedelta(days=n), content=f"日志{n}")
    Visit.objects.create(
        child=child,
        kind="home",
        visited_at=_at(first + datetime.timedelta(days=69)),
        visit_date=first + datetime.timedelta(days=69),
    )
    events = for_child(child)
    assert len(events) == 60
    assert events[0].day == events[1].day == first + datetime.timedelta(days=69)
    assert events[0].text == "日志69" and events[1].kind == "入户走访"  # within a day the work log comes after a visit
    assert events[-1].text == "日志11"
    assert len(for_child(child, limit=None)) == 72  # and the registration


def _archive_queries(client, child) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("children:detail", args=[child.pk]))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_archive_page_reads_its_timeline_in_a_fixed_number_of_queries(client, users, tree, child):
    from exchange.models import ChangeProposal
    from tests.exchange.objects import make_objects as make_list_change

    director, county = users.director, users.county_staff
    _one_of_each(child, tree, director, county, datetime.date(2026, 3, 1))
    change = make_list_change(users, tree, child)["list_change"]  # the archive's "名单变动" section
    client.force_login(users.supervisor)
    _archive_queries(client, child)  # warm: the session and the compiled timeline
    few = _archive_queries(client, child)
    others = [UserFactory(role="director", areas=[tree.v1]) for _ in range(3)]
    for n, user in enumerate(others):
        _one_of_each(child, tree, user, county if n % 2 else director, datetime.date(2026, 5, 1 + 12 * n))
        ChangeProposal.objects.create(
            child=child, kind="died", row=change.row, status="dismissed", reason="核实不符", decided_by=user
        )
    many = _archive_queries(client, child)
    assert many == few
    assert len(client.get(reverse("children:detail", args=[child.pk])).context["timeline"]) == 45


def test_the_compiled_timeline_statement_reads_what_the_orm_reads(users, tree, child):
    """The timeline's union is compiled once per process for a stand-in child; for a child with events of every
    kind it reads exactly the rows the ORM's union reads (types included), on either database."""
    from guardianship import timeline

    _one_of_each(child, tree, users.director, users.county_staff, datetime.date(2026, 3, 1))
    reference = timeline._orm_rows(child, None)
    assert len(reference) == 12 and any(r.amount is not None for r in reference)
    assert timeline._rows(child, None) == reference
    assert timeline._rows(child, 3) == timeline._orm_rows(child, 3) == reference[:3]
