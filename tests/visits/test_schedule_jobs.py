"""Saving a rule set in the admin queues a job instead of recomputing schedules in the request (issue 20).

The job's result is that of a full recomputation; saves that come while a job waits or runs are applied after it,
by one more recomputation however many there were. The tests on PostgreSQL use the transactional database: their
jobs run in threads (or a worker process) with their own connections and must see what the saves committed."""

import datetime
import threading
import time

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from children.jobs import run_job
from children.models import Job, JobState
from tests.factories import CategoryFactory, ChildFactory
from tests.visits.test_celery import Worker, wait_for
from visits import schedule, schedule_jobs
from visits.models import RuleSet, VisitRule, VisitSchedule

REGISTERED = datetime.date(2026, 1, 5)


def form_data(form) -> dict:
    """What a browser posts for an unbound (admin) form as rendered: its initial values, checkboxes only if ticked."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[form.add_prefix(name)] = "on"
            continue
        data[form.add_prefix(name)] = "" if value is None else value
    return data


def change_data(page) -> dict:
    """The whole admin change form of a page: the object's form and every inline formset with its management form."""
    data = form_data(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        data.update(form_data(inline.formset.management_form))
        for form in inline.formset.forms:
            data.update(form_data(form))
    return data


@pytest.fixture
def county_rules(tree):
    """Pingdu's own rule set: every open child of the county a home visit every 20 days (mask 0 matches all)."""
    rule_set = RuleSet.objects.create(name="平度市测试规则", area=tree.county, source="测试")
    VisitRule.objects.create(rule_set=rule_set, description="所有儿童", source="测试", home_visit_days=20)
    return rule_set


@pytest.fixture
def kids(tree, county_rules):
    """Two children of Pingdu (two townships) and an orphan of Jiaozhou (the shipped default rules), no visits."""
    children = [ChildFactory(village=v, registered_on=REGISTERED) for v in (tree.v1, tree.v3, tree.v4)]
    CategoryFactory(child=children[2], category="orphan_scattered")
    schedule.refresh()
    return children


def home_due(child) -> datetime.date | None:
    return VisitSchedule.objects.get(child=child).home_due_on


def schedules() -> dict:
    return {
        row["child_id"]: row
        for row in VisitSchedule.objects.values(
            "child_id", "home_days", "contact_days", "home_due_on", "contact_due_on", "due_on", "rule_ids"
        )
    }


def assert_as_full_recomputation():
    """The stored schedules are those a recomputation of everyone gives: it finds nothing to change."""
    before = schedules()
    assert schedule.refresh() in (0, -1)  # no row written (-1: SQLite's driver does not count a WITH statement)
    assert schedules() == before


def post_rule_days(client, rule_set, days: int, **changes):
    url = reverse("admin:visits_ruleset_change", args=[rule_set.pk])
    data = change_data(client.get(url))
    data["rules-0-home_visit_days"] = days
    data.update(changes)
    return client.post(url, data)


@pytest.fixture
def queued(monkeypatch):
    """The job ids handed to the broker (none is really sent: these tests run the job themselves)."""
    sent = []

    def enqueue(task, *args, **kwargs):
        sent.append(args[0])
        return True

    monkeypatch.setattr("config.queue.enqueue", enqueue)
    return sent


def test_saving_a_rule_set_answers_with_a_job_and_leaves_the_schedules_to_it(
    admin_client, kids, county_rules, queued, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(schedule, "today", lambda: datetime.date(2026, 1, 8))  # the day the job applies the rule
    assert home_due(kids[0]) == datetime.date(2026, 1, 25)  # 5 January + 20 days
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        response = post_rule_days(admin_client, county_rules, 10)
    assert response.status_code == 302
    # The request did nothing that grows with the children: no statement touched the schedules or the children.
    statements = " ".join(q["sql"] for q in queries.captured_queries)
    assert "visits_visitschedule" not in statements and "children_child" not in statements
    job = Job.objects.get(kind="schedules")
    assert job.state == JobState.QUEUED and job.params == {"prefixes": ["370283"]} and queued == [job.pk]
    assert home_due(kids[0]) == datetime.date(2026, 1, 25)  # the old rule until the job has run
    message = admin_client.get(response.url).content.decode()
    assert reverse("children:job", args=[job.pk]) in message and "自该任务完成时起生效" in message
    page = admin_client.get(reverse("children:job", args=[job.pk])).content.decode()
    assert "修改后的走访规则自本任务完成时起生效" in page and 'http-equiv="refresh"' in page
    change_page = reverse("admin:visits_ruleset_change", args=[county_rules.pk])
    said = f"任务 #{job.pk}：等待中。修改后的规则自该任务完成时起生效。"
    assert said in admin_client.get(change_page).content.decode()

    run_job(job.pk)
    job.refresh_from_db()
    written = 2 if connection.vendor == "postgresql" else None  # SQLite's driver does not count the rows
    assert job.state == JobState.DONE and job.summary["written"] == written and job.finished_at
    # The stricter rule counts from the day it was applied (issue 15: not back-dated): 8 January + 10 days.
    assert [home_due(k) for k in kids[:2]] == [datetime.date(2026, 1, 18)] * 2
    assert home_due(kids[2]) == datetime.date(2026, 2, 4)  # Jiaozhou: the default rules' 30 days, untouched
    assert_as_full_recomputation()
    page = admin_client.get(reverse("children:job", args=[job.pk])).content.decode()
    said = "走访计划已重新计算：2 份走访计划有变化。" if written else "走访计划已重新计算。"
    assert said in page and 'http-equiv="refresh"' not in page
    assert "处理完成。" in admin_client.get(change_page).content.decode()


def test_a_rule_set_moved_to_another_area_recomputes_the_old_area_too(
    admin_client, tree, kids, county_rules, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_rule_days(admin_client, county_rules, 20, area=tree.t2.code)  # 南村镇 only
    assert response.status_code == 302
    job = Job.objects.get(kind="schedules")
    assert job.params == {"prefixes": ["370283"]}  # the old area holds the new one
    run_job(job.pk)
    assert VisitSchedule.objects.get(child=kids[0]).home_days == 90  # 东关村: the shipped default rules
    assert home_due(kids[1]) == datetime.date(2026, 1, 25)
    assert_as_full_recomputation()


def test_deleting_a_rule_set_queues_the_recomputation(
    admin_client, kids, county_rules, queued, django_capture_on_commit_callbacks
):
    url = reverse("admin:visits_ruleset_delete", args=[county_rules.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(url, {"post": "yes"}).status_code == 302
    job = Job.objects.get(kind="schedules")
    assert queued == [job.pk] and home_due(kids[0]) == datetime.date(2026, 1, 25)
    run_job(job.pk)
    assert VisitSchedule.objects.get(child=kids[0]).home_days == 90  # the shipped default rules
    assert_as_full_recomputation()


def test_saving_without_a_change_queues_nothing(admin_client, kids, county_rules, queued):
    url = reverse("admin:visits_ruleset_change", args=[county_rules.pk])
    assert admin_client.post(url, change_data(admin_client.get(url))).status_code == 302
    assert not Job.objects.filter(kind="schedules").exists()


@pytest.fixture
def refreshes(monkeypatch):
    """The area prefixes of every schedule recomputation, in order."""
    calls = []
    real = schedule.refresh

    def counted(**kwargs):
        calls.append(kwargs.get("area_prefix"))
        return real(**kwargs)

    monkeypatch.setattr(schedule, "refresh", counted)
    return calls


def test_jobs_waiting_together_are_done_by_one_recomputation(users, tree, kids, county_rules, refreshes, monkeypatch):
    monkeypatch.setattr(schedule, "today", lambda: datetime.date(2026, 1, 8))  # the day the jobs apply the rule
    first = schedule_jobs.start_refresh(user=users.county_staff, prefixes=[tree.t1.prefix])
    VisitRule.objects.filter(rule_set=county_rules).update(home_visit_days=12)
    second = schedule_jobs.start_refresh(user=users.county_staff, prefixes=[tree.county.prefix, tree.t2.prefix])
    run_job(first.pk)
    assert refreshes == ["370283"]  # the union of both jobs' areas, once
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == second.state == JobState.DONE
    assert second.summary["by"] == first.pk and first.summary["jobs"] == [first.pk, second.pk]
    run_job(second.pk)  # its own message arrives later: nothing left to do
    assert refreshes == ["370283"]
    assert home_due(kids[1]) == datetime.date(2026, 1, 20)  # 8 January + 12 days
    assert_as_full_recomputation()


def test_a_job_the_broker_did_not_take_is_run_by_the_daily_sweep(
    users, tree, kids, county_rules, monkeypatch, django_capture_on_commit_callbacks
):
    from visits.tasks import visit_sweep

    monkeypatch.setattr("config.queue.enqueue", lambda task, *args, **kwargs: False)
    with django_capture_on_commit_callbacks(execute=True):
        VisitRule.objects.filter(rule_set=county_rules).update(home_visit_days=10)
        job = schedule_jobs.start_refresh(user=users.county_staff, prefixes=[tree.county.prefix])
    assert Job.objects.get(pk=job.pk).state == JobState.QUEUED
    visit_sweep.apply(args=["2026-01-06"])
    assert Job.objects.get(pk=job.pk).state == JobState.DONE


def test_the_covering_prefixes():
    assert schedule_jobs.covering(["370283001", "370283", "370281", "370283"]) == ["370281", "370283"]
    assert schedule_jobs.covering(["370283", ""]) == [""]
    assert schedule_jobs.covering([]) == []


def _run_in_thread(pk: int) -> threading.Thread:
    def target():
        try:
            run_job(pk)
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    return thread


def _waiting_for_the_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_saves_while_a_job_runs_are_applied_after_it_once(
    require_postgres, admin_client, kids, county_rules, queued, monkeypatch
):
    """A first save's job is held inside its recomputation; two more saves come meanwhile and their jobs start.
    Neither runs beside the first (they wait for its lock); when it finishes, one recomputation applies the last
    save's rule for both, and the other job finds itself done."""
    monkeypatch.setattr(schedule, "today", lambda: datetime.date(2026, 1, 6))  # the day the jobs apply the rules
    calls = []
    holding, release = threading.Event(), threading.Event()
    real = schedule.refresh

    def held(**kwargs):
        calls.append(kwargs.get("area_prefix"))
        written = real(**kwargs)
        if len(calls) == 1:
            holding.set()
            assert release.wait(30)
        return written

    monkeypatch.setattr(schedule, "refresh", held)
    assert post_rule_days(admin_client, county_rules, 10).status_code == 302
    first = _run_in_thread(queued[0])
    assert holding.wait(30)
    assert post_rule_days(admin_client, county_rules, 8).status_code == 302
    assert post_rule_days(admin_client, county_rules, 6).status_code == 302
    assert len(queued) == 3  # each save queued its own job, at once, while the first ran
    others = [_run_in_thread(pk) for pk in queued[1:]]
    assert wait_for(lambda: _waiting_for_the_lock() == 2, timeout=30)
    assert calls == ["370283"]  # nothing ran beside the first
    release.set()
    for thread in [first, *others]:
        thread.join(30)
    assert calls == ["370283", "370283"]  # the two later saves: one more recomputation
    jobs = {job.pk: job for job in Job.objects.filter(kind="schedules")}
    assert {job.state for job in jobs.values()} == {JobState.DONE}
    later = [jobs[pk] for pk in queued[1:]]
    assert sorted(bool(job.summary.get("by")) for job in later) == [False, True]
    # The first job's 10 days from 6 January (due 16 January); the last save's 6 days, stricter again, from the same
    # day: 12 January (issue 15: a stricter rule counts from the day it applies, never later than the due date before).
    assert [home_due(k) for k in kids[:2]] == [datetime.date(2026, 1, 12)] * 2
    assert_as_full_recomputation()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_saved_rule_set_is_recomputed_by_a_real_worker(require_postgres, redis_url, admin_client, kids, county_rules):
    from config.celery import app

    queue = f"test-schedules-{int(time.time())}"
    default_queue, app.conf.task_default_queue = app.conf.task_default_queue, queue
    worker = Worker(redis_url, queue).start()
    try:
        response = post_rule_days(admin_client, county_rules, 10)
        job = Job.objects.get(kind="schedules")
        assert response.status_code == 302 and home_due(kids[0]) == datetime.date(2026, 1, 25)
        assert wait_for(lambda: Job.objects.get(pk=job.pk).state == JobState.DONE, timeout=90), worker.output()
        # The worker applied the stricter rule from the day it ran; the child, overdue since 25 January under the old
        # rule, stays due then (a stricter rule never makes a child due later than before).
        row = VisitSchedule.objects.get(child=kids[0])
        assert (row.home_days, row.home_since, row.home_due_on) == (
            10,
            timezone.localdate(),
            datetime.date(2026, 1, 25),
        )
        page = admin_client.get(reverse("children:job", args=[job.pk])).content.decode()
        assert "走访计划已重新计算：2 份走访计划有变化。" in page
    finally:
        worker.kill()
        app.conf.task_default_queue = default_queue
