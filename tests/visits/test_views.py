import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from tests.factories import CategoryFactory, ChildFactory
from visits import schedule
from visits.models import Visit


def _orphans(village, n, last_visit_days_ago=40):
    today = timezone.localdate()
    for _ in range(n):
        child = ChildFactory(village=village, registered_on=datetime.date(2025, 1, 1))
        CategoryFactory(child=child, category="orphan_scattered")
        day = today - datetime.timedelta(days=last_visit_days_ago)
        Visit.objects.create(
            child=child,
            kind="home",
            visit_date=day,
            visited_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(9))),
        )
    schedule.refresh()


def _queries(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("director", "visits:worklist"),
        ("supervisor", "visits:overdue"),
        ("county_staff", "visits:overdue"),
        ("county_staff", "visits:compliance"),
    ],
)
def test_visit_lists_run_a_fixed_number_of_queries(client, users, tree, who, url, settings):
    settings.LIST_PAGE_SIZE = 500
    client.force_login(getattr(users, who))
    _orphans(tree.v1, 5)
    small, r1 = _queries(client, reverse(url))
    _orphans(tree.v1, 40)
    _orphans(tree.v2, 20)
    large, r2 = _queries(client, reverse(url))
    assert small == large
    assert r1.content != r2.content


def test_worklist_is_overdue_first_with_a_log_button(client, users, tree):
    _orphans(tree.v1, 1, last_visit_days_ago=25)  # due in 5 days
    _orphans(tree.v1, 1, last_visit_days_ago=50)  # 20 days overdue
    _orphans(tree.v1, 1, last_visit_days_ago=1)  # not this week
    client.force_login(users.director)
    rows = client.get(reverse("visits:worklist")).context["rows"]
    assert [r.status for r in rows] == ["overdue", "due_soon"]
    assert rows[0].days_overdue == 20
    body = client.get(reverse("visits:worklist")).content.decode()
    assert reverse("visits:new", args=[rows[0].child_id]) in body


def test_overdue_list_names_the_villages_directors(client, users, tree):
    _orphans(tree.v2, 2)
    client.force_login(users.supervisor)
    response = client.get(reverse("visits:overdue"))
    assert response.context["page"].paginator.count == 2
    assert str(users.other_director) in response.content.decode()
    client.force_login(users.other_supervisor)
    assert client.get(reverse("visits:overdue")).context["page"].paginator.count == 0
    client.force_login(users.director)
    assert client.get(reverse("visits:overdue")).status_code == 404


def test_compliance_counts_on_time_children_per_township(client, users, tree):
    import time_machine

    with time_machine.travel(datetime.datetime(2026, 11, 22, 12, tzinfo=datetime.UTC)):
        # Last full quarter: 2026-07-01 .. 2026-09-30. Orphans need a home visit every 30 days.
        def orphan(village, visit_days):
            child = ChildFactory(village=village, registered_on=datetime.date(2025, 1, 1))
            CategoryFactory(child=child, category="orphan_scattered")
            for day in visit_days:
                Visit.objects.create(
                    child=child,
                    kind="home",
                    visit_date=day,
                    visited_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(9))),
                )
            return child

        monthly = [datetime.date(2026, 6, 10) + datetime.timedelta(days=28 * k) for k in range(6)]
        orphan(tree.v1, monthly)  # on time all quarter
        orphan(tree.v1, monthly[:2] + monthly[3:])  # skipped one in August: a 56-day gap
        orphan(tree.v3, monthly)  # other township, on time
        schedule.refresh()
        client.force_login(users.county_staff)
        rows = {r["code"]: r for r in client.get(reverse("visits:compliance")).context["rows"]}
    assert (rows[tree.t1.code]["children"], rows[tree.t1.code]["on_time"], rows[tree.t1.code]["rate"]) == (2, 1, 50.0)
    assert (rows[tree.t2.code]["children"], rows[tree.t2.code]["on_time"]) == (1, 1)


def _visit_post(**extra):
    data = {
        "kind": "home",
        "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "met_whom": "奶奶",
        "living_conditions": "fair",
        "caregiver_status": "good",
        "safety_hazards": "无",
        "mood": "good",
        "parents_contacted": "true",
        "problems_found": "",
    }
    data.update(extra)
    return data


def test_logging_a_visit_from_the_worklist(client, users, tree):
    _orphans(tree.v1, 1, last_visit_days_ago=50)
    client.force_login(users.director)
    child_id = client.get(reverse("visits:worklist")).context["rows"][0].child_id
    response = client.post(reverse("visits:new", args=[child_id]), _visit_post(next="worklist"))
    assert response.status_code == 302 and response["Location"] == reverse("visits:worklist")
    assert client.get(reverse("visits:worklist")).context["rows"] == []
    visit = Visit.objects.filter(child_id=child_id).latest("created_at")
    assert visit.parents_contacted is True and visit.created_by == users.director


def test_a_visit_that_finds_harm_prompts_a_mandatory_report(client, users, child):
    client.force_login(users.director)
    response = client.post(reverse("visits:new", args=[child.pk]), _visit_post(harm_found="on"), follow=True)
    assert "强制报告" in response.content.decode()
    assert Visit.objects.get(child=child).harm_found


def test_a_future_visit_gets_a_chinese_error(client, users, child):
    client.force_login(users.director)
    future = (timezone.localtime() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("visits:new", args=[child.pk]), _visit_post(visited_at=future))
    assert response.status_code == 200 and "未来" in response.content.decode()
    assert not Visit.objects.exists()


def test_notifications_bell_and_page(client, users):
    Notification.objects.create(user=users.director, key="k1", title="本周待访：逾期 2 人")
    Notification.objects.create(user=users.other_director, key="k1", title="别人的")
    client.force_login(users.director)
    body = client.get(reverse("notifications")).content.decode()
    assert "本周待访" in body and "别人的" not in body
    assert client.get(reverse("children:list")).context["unread_notifications"] == 1
    client.post(reverse("notifications_read"))
    assert client.get(reverse("children:list")).context["unread_notifications"] == 0


# The visit form: required fields marked, ratings chosen by the director (issue 15).


def test_the_visit_form_marks_the_home_visits_fields_and_chooses_no_rating(client, users, child):
    client.force_login(users.director)
    body = client.get(reverse("visits:new", args=[child.pk])).content.decode()
    for name in ("met_whom", "safety_hazards"):
        assert f'<label for="id_{name}" class="required">' in body, name
    for name in ("living_conditions", "caregiver_status", "mood", "study", "health", "channel"):
        radios = re.findall(rf'<input type="radio" name="{name}"[^>]*>', body)
        assert radios, name
        assert not any('value=""' in r or "checked" in r for r in radios), (name, radios)
    assert "---------" not in body
    assert '<label for="id_study" class="required">' not in body


def test_an_empty_home_visit_posted_is_refused_with_a_chinese_message_per_field(client, users, child):
    client.force_login(users.director)
    response = client.post(
        reverse("visits:new", args=[child.pk]),
        {"kind": "home", "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 200 and not Visit.objects.exists()
    errors = response.context["form"].errors
    assert set(errors) == {"met_whom", "living_conditions", "caregiver_status", "safety_hazards", "mood"}
    assert errors["living_conditions"] == ["请选择生活状况。"]
    assert "请选择监护人或照护人状况。" in response.content.decode()


def test_a_contact_posted_needs_only_whom_and_how(client, users, child):
    client.force_login(users.director)
    at = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("visits:new", args=[child.pk]), {"kind": "contact", "visited_at": at})
    assert set(response.context["form"].errors) == {"met_whom", "channel"}
    response = client.post(
        reverse("visits:new", args=[child.pk]),
        {"kind": "contact", "visited_at": at, "met_whom": "母亲", "channel": "wechat"},
    )
    assert response.status_code == 302
    assert Visit.objects.get(child=child).channel == "wechat"


# The archive page names the rule that decides each interval, with its document and clause (issue 15).


def _region_child_and_reader(region_code: str, **child):
    from accounts.models import Role
    from tests.factories import UserFactory
    from tests.visits.test_rules import village_in

    village = village_in(region_code)
    kid = ChildFactory(village=village, registered_on=datetime.date(2026, 1, 1), **child)
    schedule.refresh(child_ids=[kid.pk])
    reader = UserFactory(role=Role.CIVIL_AFFAIRS, areas=[village.parent.parent])
    return kid, reader


def _rule_span(body: str, rule) -> str:
    return re.search(rf'<span class="rule" data-rule="{rule.pk}">.*?</span>', body, re.S).group(0)


def test_the_archive_names_the_deciding_rule_with_the_documents_title_and_the_clauses_words(client, tree):
    from children.categories import CATEGORY_BITS
    from visits.models import VisitRule

    kid, reader = _region_child_and_reader(
        "330903", category_flags=CATEGORY_BITS["left_behind_rural"], risk_grade="medium"
    )
    risk = VisitRule.objects.get(rule_set__prefix="330903", description="监护风险中、高等级的儿童增加走访频次")
    general = VisitRule.objects.get(rule_set__prefix="330903", contact_days=30)
    client.force_login(reader)
    response = client.get(reverse("children:detail", args=[kid.pk]))
    assert response.context["visits"].home_rule == risk and response.context["visits"].contact_rule == general
    body = response.content.decode()
    home_line = re.search(r"<dt>入户走访</dt><dd>(.*?)</dd>", body, re.S).group(1)
    assert f'决定频次的规则: <span class="rule" data-rule="{risk.pk}">' in home_line
    span = _rule_span(body, risk)
    assert "《普陀区留守儿童和困境儿童关爱服务质量提升三年行动实施方案》003 §8" in span
    assert "经家庭监护能力评估为中高风险的，儿童主任要加大走访频次" in span
    contact_line = re.search(r"<dt>联系</dt><dd>(.*?)</dd>", body, re.S).group(1)
    assert f'data-rule="{general.pk}"' in contact_line and "每三个月入户走访一次" in contact_line
    assert body.count("决定入户走访频次") == 1 and body.count("决定联系频次") == 1


def test_a_rule_that_is_the_regions_own_choice_is_labelled_so(client, tree):
    from children.categories import CATEGORY_BITS
    from visits.models import VisitRule

    kid, reader = _region_child_and_reader(
        "120116", category_flags=CATEGORY_BITS["left_behind_rural"], risk_grade="high"
    )
    own = VisitRule.objects.get(rule_set__prefix="120116", description="监护风险中、高等级的儿童增加走访频次")
    client.force_login(reader)
    body = client.get(reverse("children:detail", args=[kid.pk])).content.decode()
    span = _rule_span(body, own)
    assert "本地自定，非方案原文" in span and "《" not in span
    general = _rule_span(body, VisitRule.objects.get(rule_set__prefix="120116", contact_days=30))
    assert "本地自定" not in general and "《滨海新区农村留守儿童和困境儿童关爱服务质量提升三年行动方案》" in general
