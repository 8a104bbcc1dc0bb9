"""The archive opens with a summary a director reads in two seconds (issue 17): the visit status, the colour, the
risk grade, the categories in force, and what is still open, counted by hand here."""

import datetime

from django.urls import reverse
from django.utils import timezone

from children.models import Problem
from guardianship.models import FollowUp, Referral, Report
from visits.models import Visit

D = datetime.date(2026, 3, 2)


def _report(child, status):
    at = timezone.make_aware(datetime.datetime(2026, 3, 2, 10))
    return Report.objects.create(
        child=child, area_id=child.village_id, found_at=at, reported_at=at, what_found="身上有伤",
        harm_type="physical", reported_to="police", status=status,
    )


def _summary(client, child) -> str:
    body = client.get(reverse("children:detail", args=[child.pk])).content.decode()
    start = body.index('id="summary"')
    return body[start : body.index("</section>", start)]


def test_the_summary_counts_what_is_open(client, users, child):
    _report(child, "filed")
    _report(child, "handling")
    _report(child, "closed")
    Referral.objects.create(child=child, department=users.department, service="schooling", reason="劝返", due_on=D)
    Referral.objects.create(
        child=child, department=users.department, service="schooling", reason="已完成", due_on=D, status="done"
    )
    at = timezone.make_aware(datetime.datetime(2026, 3, 1, 9))
    visit = Visit.objects.create(child=child, kind="home", visited_at=at, visit_date=at.date(), met_whom="奶奶")
    FollowUp.objects.create(child=child, visit=visit, description="联系父母另选照护人", owner=users.director, due_on=D)
    Problem.objects.create(child=child, found_on=D, description="作业无人辅导")
    Problem.objects.create(child=child, found_on=D, description="已解决", resolved_on=D)
    client.force_login(users.director)
    summary = _summary(client, child)
    assert "强制报告 2 件" in summary
    assert "转介 1 件" in summary
    assert "跟进事项 1 件" in summary and "联系父母另选照护人" in summary
    assert "问题 1 个" in summary


def test_nothing_open_says_so_and_the_visits_come_first(client, users, child):
    client.force_login(users.director)
    body = client.get(reverse("children:detail", args=[child.pk])).content.decode()
    summary = _summary(client, child)
    assert "没有未办结事项" in summary and "未评估" in summary
    assert child.get_colour_display() in summary
    assert body.index('id="summary"') < body.index('id="visits"') < body.index('id="family"')


def test_the_summary_names_the_visit_status_and_the_rule_behind_it(client, users, child):
    from visits import schedule
    from visits.selectors import child_visits

    schedule.refresh(child_ids=[child.pk])
    client.force_login(users.director)
    summary = _summary(client, child)
    visits = child_visits(child, timezone.localdate())
    assert visits.schedule is not None and visits.home_rule is not None  # the fixture child has a rule
    assert f"下次应访 {visits.schedule.due_on:%Y-%m-%d}" in summary
    # The rule in words a director reads (its citation in the link's title), not the citation code alone.
    rule = visits.home_rule
    assert f'决定频次的规则 <a href="#visits" title="{rule.source}">{rule.description}</a>' in summary
    assert str(visits.status_label) in summary or "逾期" in summary
