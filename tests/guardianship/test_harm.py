"""Harm must reach someone, at once (issue 15): a report to a department without a liaison reaches the area's civil
affairs and the filer is told who; a department's new liaison is caught up; visits that found harm with no report are
listed and reminded daily until a report or the director's reason exists; late reports are flagged."""

import datetime
from types import SimpleNamespace

import pytest
import time_machine
from django.contrib import admin
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.admin import UserAdmin
from accounts.models import AreaLevel, Notification, Role, User
from children import access
from guardianship import harm, referrals, reports, rules, sweep
from guardianship.models import Report
from tests.factories import ChildFactory, DepartmentFactory, UserFactory, area
from visits import services as visit_services
from visits.models import Visit

BEIJING = datetime.timezone(datetime.timedelta(hours=8))


def _report(child, user, *, found_at=None, reported_at=None, visit=None, **kw):
    now = timezone.now()
    r = Report(
        child=child,
        visit=visit,
        found_at=found_at or now,
        reported_at=reported_at or now,
        what_found="孩子身上有多处淤青",
        harm_type="physical",
        reported_to="police",
        **kw,
    )
    return reports.report_file(user=user, report=r)


def _notified(report) -> set[str]:
    return set(Notification.objects.filter(key=f"report-new:{report.pk}").values_list("user__username", flat=True))


@pytest.fixture
def police(tree):
    """A department of the child's county with no liaison account at all."""
    return DepartmentFactory(name="平度市公安局", area=tree.county)


# --------------------------------------------------------------------------------------- 1. reaching someone


def test_a_report_to_a_department_without_a_liaison_reaches_the_countys_civil_affairs_at_once(users, child, police):
    UserFactory(username="city_staff", role=Role.CIVIL_AFFAIRS, areas=[users.county_staff.areas.get().parent])
    r = _report(child, users.director, handling_department=police)
    assert _notified(r) == {"county_staff"}  # the county's staff, not the city's, and not 24 hours later


def test_an_inactive_liaison_does_not_count(users, child):
    User.objects.filter(pk=users.liaison.pk).update(is_active=False)
    r = _report(child, users.director, handling_department=users.department)
    assert _notified(r) == {"county_staff"}


def test_a_department_with_an_active_liaison_gets_it_and_nobody_else_needs_to(users, child):
    r = _report(child, users.director, handling_department=users.department)
    assert _notified(r) == {"liaison"}


def test_a_county_without_civil_affairs_staff_hands_it_to_the_city(users, tree):
    county = area("370285", "莱西市", AreaLevel.COUNTY, tree.city)
    village = area(
        "370285001001", "东庄村", AreaLevel.VILLAGE, area("370285001", "水集街道", AreaLevel.TOWNSHIP, county)
    )
    director = UserFactory(username="laixi_director", role=Role.DIRECTOR, areas=[village])
    UserFactory(username="city_staff", role=Role.CIVIL_AFFAIRS, areas=[tree.city])
    r = _report(ChildFactory(village=village), director)
    assert _notified(r) == {"city_staff"}


def test_the_filer_is_told_who_was_notified(client, users, child, police):
    User.objects.filter(pk=users.county_staff.pk).update(last_name="李", first_name="四")
    client.force_login(users.director)
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"{reverse('guardianship:report_new')}?child={child.pk}",
        {
            "source": "staff",
            "found_at": now,
            "what_found": "孩子说继父打他",
            "harm_type": "physical",
            "reported_to": "police",
            "reported_at": now,
            "handling_department": police.pk,
        },
        follow=True,
    )
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("已通知：平度市民政部门 李四" in m for m in said), said
    assert "平度市民政部门 李四" in response.content.decode().split('id="notified"')[1].split("</dd>")[0]


def test_a_filer_is_warned_when_nobody_can_be_notified(client, users, tree):
    lonely = area("370285", "莱西市", AreaLevel.COUNTY, area("379900", "某市", AreaLevel.CITY, None))
    village = area(
        "370285001001", "东庄村", AreaLevel.VILLAGE, area("370285001", "水集街道", AreaLevel.TOWNSHIP, lonely)
    )
    User.objects.filter(role=Role.CIVIL_AFFAIRS).update(is_active=False)
    director = UserFactory(username="laixi_director", role=Role.DIRECTOR, areas=[village])
    child = ChildFactory(village=village)
    client.force_login(director)
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"{reverse('guardianship:report_new')}?child={child.pk}",
        {
            "source": "staff",
            "found_at": now,
            "what_found": "x",
            "harm_type": "neglect",
            "reported_to": "police",
            "reported_at": now,
        },
        follow=True,
    )
    assert any("请立即电话告知民政部门" in str(m) for m in get_messages(response.wsgi_request))


def test_moving_a_report_to_another_department_notifies_that_department(users, child, police):
    r = _report(child, users.director, handling_department=police)
    reports.report_move(user=users.county_staff, report=r, status="acknowledged", handling_department=users.department)
    assert _notified(r) == {"county_staff", "liaison"}


def test_a_liaison_activated_in_the_admin_hears_of_the_departments_open_reports_and_referrals(users, child, police):
    r = _report(child, users.director, handling_department=police)
    closed = _report(child, users.director, handling_department=police)
    reports.report_move(user=users.county_staff, report=closed, status="acknowledged")
    reports.report_move(
        user=users.county_staff, report=closed, status="closed", outcome="已处置", reporter_informed=True
    )
    referral = referrals.referral_send(
        user=users.county_staff,
        child=child,
        department=police,
        service="legal_aid",
        reason="需要法律援助",
        due_on=timezone.localdate() + datetime.timedelta(days=7),
    )
    new = UserFactory(username="police_liaison", role=Role.LIAISON, department=police, is_active=False)
    assert access.level_for(new, child) == access.Level.NONE
    new.is_active = True
    request = RequestFactory().post("/admin/")
    request.user = UserFactory(username="root", role=Role.ADMIN, is_superuser=True, is_staff=True)
    UserAdmin(User, admin.site).save_model(request, new, SimpleNamespace(changed_data=["is_active"]), change=True)
    keys = set(Notification.objects.filter(user=new).values_list("key", flat=True))
    assert keys == {f"report-new:{r.pk}", f"referral:{referral.pk}"}  # not the closed report
    new = User.objects.get(pk=new.pk)
    assert access.level_for(new, child) == access.Level.SHARED  # in the department's group: sees the referral
    assert sweep.daily() >= 0 and Notification.objects.filter(user=new).count() == 2  # caught up once


def test_the_daily_sweep_catches_up_a_liaison_made_anywhere(users, child, police):
    r = _report(child, users.director, handling_department=police)
    new = User.objects.create(username="made_in_a_shell", role=Role.LIAISON, department=police)
    sweep.daily()
    sweep.daily()
    assert list(Notification.objects.filter(user=new).values_list("key", flat=True)) == [f"report-new:{r.pk}"]


# ----------------------------------------------------------------------- 2. visits that found harm, unanswered


def _harm_visit(child, user, at=None, **kw):
    at = at or timezone.now() - datetime.timedelta(hours=2)
    return visit_services.visit_create(
        user=user,
        child=child,
        visit=Visit(
            kind="home",
            visited_at=at,
            met_whom="孩子和奶奶",
            living_conditions="fair",
            caregiver_status="fair",
            safety_hazards="无",
            mood="poor",
            problems_found="孩子手臂有烫伤",
            harm_found=True,
            **kw,
        ),
    )[0]


def test_an_unanswered_harm_visit_is_listed_for_the_director_supervisor_and_county_only(client, users, child):
    visit = _harm_visit(child, users.director)
    Visit.objects.create(child=child, kind="home", visited_at=timezone.now(), visit_date=timezone.localdate())
    client.force_login(users.director)
    assert [v.pk for v in client.get(reverse("visits:worklist")).context["unreported_harm"]] == [visit.pk]
    for who in ("supervisor", "county_staff"):
        client.force_login(getattr(users, who))
        page = client.get(reverse("guardianship:unreported_harm"))
        assert [v.pk for v in page.context["page"]] == [visit.pk], who
    for who in ("other_supervisor", "other_county_staff"):
        client.force_login(getattr(users, who))
        assert list(client.get(reverse("guardianship:unreported_harm")).context["page"]) == [], who
    client.force_login(users.other_director)
    assert client.get(reverse("visits:worklist")).context["unreported_harm"] == []
    for who in ("director", "liaison"):  # directors have their worklist; liaisons nothing
        client.force_login(getattr(users, who))
        assert client.get(reverse("guardianship:unreported_harm")).status_code == 404


def test_a_report_filed_from_the_visit_or_since_for_the_child_answers_it(users, child, tree):
    visit = _harm_visit(child, users.director)
    other = ChildFactory(village=tree.v1)
    second = _harm_visit(other, users.director)
    _report(child, users.director, visit=visit, found_at=visit.visited_at)
    _report(other, users.director)  # about the child, filed after the visit
    assert not harm.unanswered_harm_visits().exists()
    assert harm.is_unanswered(visit) is False and harm.is_unanswered(second) is False


def test_a_report_filed_before_the_visit_does_not_answer_it(users, child):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=3)):
        _report(child, users.director)
    visit = _harm_visit(child, users.director)
    assert list(harm.unanswered_harm_visits()) == [visit]


def test_the_directors_reason_answers_it_and_is_kept_in_the_archive(client, users, child):
    visit = _harm_visit(child, users.director)
    with pytest.raises(PermissionDenied):
        visit_services.visit_no_report(user=users.supervisor, visit=visit, reason="经核实为邻居孩子打闹所致")
    with pytest.raises(ValidationError):
        visit_services.visit_no_report(user=users.director, visit=visit, reason="无")
    client.force_login(users.director)
    detail = reverse("visits:detail", args=[child.pk, visit.pk])
    assert client.get(detail).context["no_report_form"] is not None
    response = client.post(reverse("visits:no_report", args=[child.pk, visit.pk]), {"reason": "经核实为摔伤，已就医"})
    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.no_report_by, visit.no_report_reason) == (users.director, "经核实为摔伤，已就医")
    assert visit.no_report_at is not None
    assert not harm.unanswered_harm_visits().exists()
    page = client.get(detail).content.decode()
    assert "经核实为摔伤，已就医" in page and "无需报告" in page
    timeline = client.get(reverse("children:detail", args=[child.pk])).context["timeline"]
    assert any(e.kind == "无需强制报告" and "经核实为摔伤，已就医" in e.text for e in timeline)
    assert visit.history.filter(no_report_reason="经核实为摔伤，已就医").exists()


def test_unanswered_harm_is_reminded_daily_to_the_area_until_answered(users, child, tree):
    visit = _harm_visit(child, users.director)
    today = timezone.localdate()
    sweep.daily(today=today)
    sweep.daily(today=today)
    key = f"harm-unreported:{today}"
    assert set(Notification.objects.filter(key=key).values_list("user__username", flat=True)) == {
        "director",
        "supervisor",
        "county_staff",
    }
    tomorrow = today + datetime.timedelta(days=1)
    sweep.daily(today=tomorrow)
    assert Notification.objects.filter(key=f"harm-unreported:{tomorrow}").count() == 3
    _report(child, users.director, visit=visit, found_at=visit.visited_at)
    later = today + datetime.timedelta(days=2)
    sweep.daily(today=later)
    assert not Notification.objects.filter(key=f"harm-unreported:{later}").exists()


def test_the_unreported_harm_list_runs_a_fixed_number_of_queries(client, users, tree):
    client.force_login(users.county_staff)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("guardianship:unreported_harm")).status_code == 200
        return len(ctx.captured_queries)

    _harm_visit(ChildFactory(village=tree.v1), users.director)
    small = count()
    for village in (tree.v1, tree.v2, tree.v3):
        for _ in range(3):
            _harm_visit(ChildFactory(village=village), users.county_staff)
    assert count() == small


# ------------------------------------------------------------------------------------------- 3. late reports


@pytest.mark.parametrize(
    ("gap", "late"),
    [
        (datetime.timedelta(0), False),
        (datetime.timedelta(hours=23, minutes=59), False),
        (datetime.timedelta(hours=24), False),
        (datetime.timedelta(hours=24, minutes=1), True),
        (datetime.timedelta(days=3, hours=2), True),
    ],
)
def test_the_late_rule_and_its_query_agree(users, child, gap, late):
    found = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=BEIJING)
    assert rules.reported_late(found, found + gap) is late
    with time_machine.travel(datetime.datetime(2026, 11, 25, 9, tzinfo=BEIJING)):
        r = _report(child, users.director, found_at=found, reported_at=found + gap)
    assert Report.objects.filter(reports.late_q(), pk=r.pk).exists() is late
    assert r.late is late


def test_the_delay_is_shown_and_late_reports_filtered_in_the_list(client, users, child):
    found = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=BEIJING)
    with time_machine.travel(datetime.datetime(2026, 11, 25, 9, tzinfo=BEIJING)):
        late = _report(child, users.director, found_at=found, reported_at=found + datetime.timedelta(days=3, hours=2))
        prompt = _report(child, users.director, found_at=found, reported_at=found + datetime.timedelta(hours=1))
    client.force_login(users.county_staff)
    body = client.get(reverse("guardianship:reports")).content.decode()
    row = body.split(f'data-report="{late.pk}"')[1].split("</tr>")[0]
    assert "3天2小时" in row and "迟报" in row
    row = body.split(f'data-report="{prompt.pk}"')[1].split("</tr>")[0]
    assert "0天1小时" in row and "迟报" not in row
    rows = client.get(reverse("guardianship:reports"), {"late": "1"}).context["rows"]
    assert [r.pk for r in rows] == [late.pk]
    detail = client.get(reverse("guardianship:report", args=[late.pk])).content.decode()
    assert "3天2小时" in detail and "迟报：发现伤害应当立即报告" in detail


def test_the_late_filter_applies_to_the_export(client, users, child):
    found = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=BEIJING)
    with time_machine.travel(datetime.datetime(2026, 11, 25, 9, tzinfo=BEIJING)):
        _report(child, users.director, found_at=found, reported_at=found + datetime.timedelta(days=3, hours=2))
        _report(child, users.director, found_at=found, reported_at=found + datetime.timedelta(hours=1))
    client.force_login(users.county_staff)
    page = client.get(reverse("guardianship:reports"), {"late": "1"}).content.decode()
    assert "late=1&amp;format=csv" in page
    lines = client.get(reverse("guardianship:reports"), {"late": "1", "format": "csv"}).content.decode().splitlines()
    assert len(lines) == 2 and "3天2小时 迟报" in lines[1]
    lines = client.get(reverse("guardianship:reports"), {"format": "csv"}).content.decode().splitlines()
    assert len(lines) == 3 and "2026-11-20 09:00" in lines[2]


def test_a_report_from_a_visit_is_found_at_the_visit_and_never_later(client, users, child):
    visit = _harm_visit(child, users.director, at=timezone.now() - datetime.timedelta(days=2))
    client.force_login(users.director)
    url = f"{reverse('guardianship:report_new')}?child={child.pk}&visit={visit.pk}"
    assert client.get(url).context["form"].initial["found_at"] == visit.visited_at
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    data = {"source": "visit", "what_found": "烫伤", "harm_type": "physical", "reported_to": "police"}
    response = client.post(url, {**data, "found_at": now, "reported_at": now})
    assert response.status_code == 200 and "found_at" in response.context["form"].errors
    found = timezone.localtime(visit.visited_at).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, {**data, "found_at": found, "reported_at": now}, follow=True)
    report = Report.objects.get(visit=visit)
    assert report.late
    assert any("已标记为迟报" in str(m) for m in get_messages(response.wsgi_request))
