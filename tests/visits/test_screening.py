"""Screening campaigns (issue 15, 一年两排): launch notices, deadline reminders, the villages not finished, counties
whose region asks for two screenings a year told when half a year passes without one, and the proposal to end the
categories of a child a screening found no longer eligible. Figures counted by hand from the data each test makes."""

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import AreaLevel, Notification, Role
from children.models import ChildCategory
from tests.factories import CategoryFactory, ChildFactory, UserFactory, area
from visits import rules, screening, services
from visits.models import CategoryEndProposal, ProposalStatus, RuleSet, ScreeningCampaign, ScreeningConfirmation

SEEDS = Path("/work/shared/seeds")
D = datetime.date


def _campaign(tree, *, area_=None, starts_on=None, deadline=None, name="2026年下半年排查"):
    return ScreeningCampaign.objects.create(
        name=name,
        area=area_ or tree.county,
        starts_on=starts_on or D(2026, 11, 1),
        deadline=deadline or D(2026, 12, 20),
    )


def _keys(user, prefix):
    return sorted(Notification.objects.filter(user=user, key__startswith=prefix).values_list("key", flat=True))


# ------------------------------------------------------------------ rules (pure)


def test_reminder_days_are_7_and_1_days_before_the_deadline():
    deadline = D(2026, 12, 20)
    assert rules.campaign_reminder_due(deadline, D(2026, 12, 13)) == 7
    assert rules.campaign_reminder_due(deadline, D(2026, 12, 19)) == 1
    assert rules.campaign_reminder_due(deadline, D(2026, 12, 14)) is None
    assert rules.campaign_reminder_due(deadline, D(2026, 12, 20)) is None


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert rules.add_months(D(2026, 1, 10), 6) == D(2026, 7, 10)
    assert rules.add_months(D(2026, 8, 31), 6) == D(2027, 2, 28)
    assert rules.add_months(D(2026, 12, 5), 1) == D(2027, 1, 5)


def test_a_half_year_without_a_screening_is_a_lapse_from_the_day_after_it_was_due():
    assert rules.screening_lapse(D(2026, 1, 10), D(2026, 7, 10), 2) is None  # due today: still time
    assert rules.screening_lapse(D(2026, 1, 10), D(2026, 7, 11), 2) == D(2026, 7, 10)
    assert rules.screening_lapse(D(2026, 1, 10), D(2026, 12, 1), 1) is None  # once a year: due 2027-01-10
    assert rules.screening_lapse(D(2026, 1, 10), D(2027, 1, 11), None) is None  # the region asks for none
    # Never screened: told once per half year, dated from its first day.
    assert rules.screening_lapse(None, D(2026, 11, 29), 2) == D(2026, 7, 1)
    assert rules.screening_lapse(None, D(2026, 3, 2), 2) == D(2026, 1, 1)


# ------------------------------------------------------------------ launch


@pytest.fixture
def sent(monkeypatch):
    """The (task, arguments) handed to the broker; none is really sent: the tests run what the worker would."""
    messages = []

    def enqueue(task, *args, **kwargs):
        messages.append((task.name, args))
        return True

    monkeypatch.setattr("config.queue.enqueue", enqueue)
    return messages


def _launch(users, area_, name: str, capture):
    with capture(execute=True):
        return services.campaign_create(
            user=users.county_staff, name=name, area=area_, starts_on=D(2026, 11, 1), deadline=D(2026, 12, 20)
        )


def test_launching_a_campaign_notifies_every_director_of_its_area_once_on_the_worker(
    users, tree, sent, django_capture_on_commit_callbacks
):
    from visits.tasks import screening_launched

    far = UserFactory(username="far_director", role=Role.DIRECTOR, areas=[tree.v4])  # the other county
    campaign = _launch(users, tree.county, "2026年下半年排查", django_capture_on_commit_callbacks)
    key = f"screening-launched:{campaign.pk}"
    # The request queued the notices (a province's campaign tells tens of thousands of directors) and wrote none.
    assert sent == [("visits.tasks.screening_launched", (campaign.pk,))]
    assert not Notification.objects.filter(key=key).exists()
    assert screening_launched(campaign.pk) == {"told": 2}  # what the worker runs
    assert sorted(Notification.objects.filter(key=key).values_list("user__username", flat=True)) == [
        "director",
        "other_director",
    ]
    assert screening.notify_launch(campaign) == 2  # again: the same two, nothing written twice
    assert Notification.objects.filter(key=key).count() == 2
    assert not Notification.objects.filter(user__in=[far, users.supervisor, users.county_staff]).exists()


def test_with_the_broker_down_the_notices_go_out_at_once(users, tree, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr("config.queue.enqueue", lambda task, *args, **kwargs: False)
    campaign = _launch(users, tree.county, "2026年下半年排查", django_capture_on_commit_callbacks)
    assert Notification.objects.filter(key=f"screening-launched:{campaign.pk}").count() == 2


def test_a_township_campaign_notifies_only_the_townships_directors(
    users, tree, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("config.queue.enqueue", lambda task, *args, **kwargs: False)  # notices in the request
    _launch(users, tree.t2, "南村镇排查", django_capture_on_commit_callbacks)
    third = UserFactory(username="third", role=Role.DIRECTOR, areas=[tree.v3])
    assert not Notification.objects.filter(key__startswith="screening-launched").exists()  # nobody in t2 yet
    campaign = _launch(users, tree.t2, "南村镇排查2", django_capture_on_commit_callbacks)
    assert list(
        Notification.objects.filter(key=f"screening-launched:{campaign.pk}").values_list("user", flat=True)
    ) == [third.pk]


# ------------------------------------------------------------------ deadline reminders


@pytest.fixture
def screening_data(users, tree):
    """v1: 3 open children (1 confirmed) and 1 closed; v2: 1 open; v3: 1 open, confirmed."""
    campaign = _campaign(tree)
    v1 = [ChildFactory(village=tree.v1) for _ in range(3)]
    ChildFactory(village=tree.v1, status="closed")
    v2 = [ChildFactory(village=tree.v2)]
    v3 = [ChildFactory(village=tree.v3)]
    for child in (v1[0], v3[0]):
        ScreeningConfirmation.objects.create(campaign=campaign, child=child)
    return campaign, v1, v2, v3


def test_directors_with_children_to_confirm_are_reminded_7_and_1_days_before_the_deadline(users, tree, screening_data):
    campaign, *_ = screening_data
    third = UserFactory(username="third", role=Role.DIRECTOR, areas=[tree.v3])  # all confirmed: not reminded
    assert screening.sweep(today=D(2026, 12, 12))["deadline"] == 0  # 8 days before
    result = screening.sweep(today=D(2026, 12, 13))  # 7 days before
    assert result["deadline"] == 2
    note = Notification.objects.get(user=users.director, key=f"screening-deadline:{campaign.pk}:7")
    assert "7" in note.title and "2" in note.title  # two children of 东关村 still to confirm
    other = Notification.objects.get(user=users.other_director, key=f"screening-deadline:{campaign.pk}:7")
    assert "1" in other.title
    screening.sweep(today=D(2026, 12, 13))  # run twice: written once
    assert Notification.objects.filter(key__startswith="screening-deadline").count() == 2
    assert screening.sweep(today=D(2026, 12, 14))["deadline"] == 0
    screening.sweep(today=D(2026, 12, 19))  # 1 day before
    assert _keys(users.director, "screening-deadline") == [
        f"screening-deadline:{campaign.pk}:1",
        f"screening-deadline:{campaign.pk}:7",
    ]
    assert not Notification.objects.filter(user=third).exists()


def test_a_campaign_not_yet_started_sends_no_deadline_reminder(users, tree):
    _campaign(tree, starts_on=D(2026, 12, 15), deadline=D(2026, 12, 20))
    ChildFactory(village=tree.v1)
    assert screening.sweep(today=D(2026, 12, 13))["deadline"] == 0


def test_the_screening_sweep_task_runs_the_sweep_for_a_given_date(users, tree, screening_data):
    from visits.tasks import screening_sweep

    assert screening_sweep("2026-12-13")["deadline"] == 2


# ------------------------------------------------------------------ villages not finished


def test_the_campaign_page_lists_villages_not_finished_with_counts(client, users, tree, screening_data):
    campaign, *_ = screening_data
    client.force_login(users.county_staff)
    response = client.get(reverse("visits:campaign", args=[campaign.pk]))
    assert response.status_code == 200
    rows = {p["code"]: (p["left"], p["done"], p["total"]) for p in response.context["unfinished"]}
    # 东关村: 3 open, 1 confirmed; 西关村: 1 open, none; 南村: 1 of 1 done (finished, not listed).
    assert rows == {tree.v1.code: (2, 1, 3), tree.v2.code: (1, 0, 1)}
    body = response.content.decode()
    assert f'data-village="{tree.v1.code}" data-left="2"' in body
    directors = {p["code"]: p["directors"] for p in response.context["unfinished"]}
    assert directors == {tree.v1.code: str(users.director), tree.v2.code: str(users.other_director)}


# ------------------------------------------------------------------ two a year (一年两排)


def test_jiangsu_asks_for_two_screenings_a_year_in_the_words_of_002(db):
    jiangsu = RuleSet.objects.get(prefix="32")
    assert jiangsu.screenings_per_year == 2 and jiangsu.screenings_source == "002"
    seed = next(SEEDS.glob("002_*.txt")).read_text(encoding="utf-8")
    assert jiangsu.screenings_clause and jiangsu.screenings_clause in seed
    # Qingdao (000 #26), Putuo (003 §8), Binhai (004 §8) and the default ask for a screening but no number a year.
    assert list(RuleSet.objects.exclude(prefix="32").filter(screenings_per_year__isnull=False)) == []


@pytest.fixture
def jiangning(db):
    province = area("320000", "江苏省", AreaLevel.PROVINCE)
    city = area("320100", "南京市", AreaLevel.CITY, province)
    county = area("320115", "江宁区", AreaLevel.COUNTY, city)
    staff = UserFactory(username="jiangning_staff", role=Role.CIVIL_AFFAIRS, areas=[county])
    city_staff = UserFactory(username="nanjing_staff", role=Role.CIVIL_AFFAIRS, areas=[city])
    return county, staff, city_staff, province


def test_a_jiangsu_county_is_told_when_half_a_year_passes_without_a_screening(users, tree, jiangning):
    county, staff, city_staff, _province = jiangning
    ScreeningCampaign.objects.create(name="上半年排查", area=county, starts_on=D(2026, 1, 10), deadline=D(2026, 3, 1))
    assert screening.sweep(today=D(2026, 7, 10))["lapse"] == 0
    assert screening.sweep(today=D(2026, 7, 11))["lapse"] == 1
    note = Notification.objects.get(user=staff)
    assert note.key == "screening-lapse:320115:2026-07-10" and "002" in note.title and "2026-01-10" in note.title
    screening.sweep(today=D(2026, 7, 12))
    assert Notification.objects.filter(user=staff).count() == 1  # one notice per lapse
    # Only the county's own civil affairs; Qingdao's counties have no such rule.
    assert not Notification.objects.filter(user__in=[city_staff, users.county_staff, users.other_county_staff]).exists()


def test_a_province_wide_screening_covers_the_county_and_a_township_one_does_not(users, tree, jiangning):
    county, staff, _city_staff, province = jiangning
    township = area("320115001", "东山街道", AreaLevel.TOWNSHIP, county)
    ScreeningCampaign.objects.create(name="上半年", area=county, starts_on=D(2026, 1, 10), deadline=D(2026, 3, 1))
    ScreeningCampaign.objects.create(name="街道", area=township, starts_on=D(2026, 6, 1), deadline=D(2026, 7, 1))
    assert screening.sweep(today=D(2026, 7, 11))["lapse"] == 1
    ScreeningCampaign.objects.create(name="全省", area=province, starts_on=D(2026, 7, 11), deadline=D(2026, 9, 1))
    Notification.objects.all().delete()
    assert screening.sweep(today=D(2026, 7, 12))["lapse"] == 0


def test_a_county_set_that_says_nothing_defers_to_the_province_and_zero_means_none(users, tree, jiangning):
    county, staff, *_ = jiangning
    RuleSet.objects.create(name="江宁区走访规则", area=county, source="local")  # screenings_per_year empty
    assert screening.sweep(today=D(2026, 7, 11))["lapse"] == 1  # never screened: told for the half year
    assert Notification.objects.get(user=staff).key == "screening-lapse:320115:2026-07-01"
    RuleSet.objects.filter(area=county).update(screenings_per_year=0)
    Notification.objects.all().delete()
    assert screening.sweep(today=D(2026, 7, 11))["lapse"] == 0


def test_the_campaigns_page_shows_lapsed_counties_to_their_civil_affairs(client, users, tree, jiangning):
    county, staff, *_ = jiangning
    client.force_login(staff)
    response = client.get(reverse("visits:campaigns"))
    assert [c.county.code for c in response.context["lapsed"]] == ["320115"]
    client.force_login(users.county_staff)  # 平度市: no such rule
    assert client.get(reverse("visits:campaigns")).context["lapsed"] == []


# ------------------------------------------------------------------ no longer eligible -> proposal


@pytest.fixture
def left_behind(users, tree):
    child = ChildFactory(village=tree.v1)
    CategoryFactory(child=child, category="left_behind_rural")
    CategoryFactory(child=child, category="single_parent")
    return child


def test_a_child_confirmed_no_longer_eligible_gets_a_proposal_and_the_archive_is_unchanged(users, tree, left_behind):
    campaign = _campaign(tree)
    services.screening_confirm(
        user=users.director,
        campaign=campaign,
        child=left_behind,
        still_eligible=False,
        data_current=True,
        note="父母已返乡",
    )
    proposal = CategoryEndProposal.objects.get(child=left_behind)
    assert proposal.status == ProposalStatus.OPEN
    assert sorted(proposal.category_codes) == ["left_behind_rural", "single_parent"]
    assert ChildCategory.objects.filter(child=left_behind, ended_on__isnull=True).count() == 2  # nothing ended
    assert Notification.objects.filter(user=users.director, key=f"category-end-proposal:{proposal.pk}").exists()
    assert not Notification.objects.filter(user=users.other_director).exists()


def test_an_eligible_child_gets_no_proposal(users, tree, left_behind):
    services.screening_confirm(
        user=users.director, campaign=_campaign(tree), child=left_behind, still_eligible=True, data_current=True
    )
    assert not CategoryEndProposal.objects.exists()


def _proposal(users, tree, child):
    services.screening_confirm(
        user=users.director, campaign=_campaign(tree), child=child, still_eligible=False, data_current=True
    )
    return CategoryEndProposal.objects.get(child=child)


def _direct(tree):
    """The county lets directors change categories directly (the region's approval setting)."""
    from approvals.models import ApprovalSetting

    ApprovalSetting.objects.create(name="平度市：儿童主任直接办理", area=tree.county, required=False)


def _current(child) -> list[str]:
    return sorted(ChildCategory.objects.filter(child=child, ended_on__isnull=True).values_list("category", flat=True))


def test_confirming_proposes_to_the_approver_and_nothing_ends_until_approved(users, tree, left_behind):
    from approvals import services as approvals
    from approvals.models import Approval, ApprovalStatus

    proposal = _proposal(users, tree, left_behind)
    history = left_behind.history.count()
    approval = services.proposal_confirm(
        user=users.director, proposal=proposal, categories=["left_behind_rural"], ended_on=D(2026, 11, 20)
    )
    assert isinstance(approval, Approval) and approval.status == ApprovalStatus.PROPOSED
    assert approval.kind == "screening_category_end" and approval.approver_level == "township"
    # Nothing changed: both categories current, the proposal still open, the archive's history untouched.
    assert _current(left_behind) == ["left_behind_rural", "single_parent"]
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.OPEN
    assert left_behind.history.count() == history
    assert Notification.objects.filter(user=users.supervisor, key=f"approval:{approval.pk}").exists()
    with pytest.raises(ValidationError):  # one request waits per proposal
        services.proposal_confirm(
            user=users.director, proposal=proposal, categories=["single_parent"], ended_on=D(2026, 11, 20)
        )
    with pytest.raises(PermissionDenied):  # the proposer does not approve their own request
        approvals.approval_approve(user=users.director, approval=approval)

    approvals.approval_approve(user=users.supervisor, approval=approval, note="同意")
    assert _current(left_behind) == ["single_parent"]
    ended = ChildCategory.objects.get(child=left_behind, category="left_behind_rural")
    assert ended.ended_on == D(2026, 11, 20)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CONFIRMED and proposal.decided_by == users.supervisor
    left_behind.refresh_from_db()
    from children.categories import CATEGORY_BITS

    assert left_behind.category_flags == CATEGORY_BITS["single_parent"]
    with pytest.raises(ValidationError):  # decided once
        services.proposal_dismiss(user=users.director, proposal=proposal, reason="重复操作，应当被拒绝。")


def test_a_returned_request_changes_nothing(users, tree, left_behind):
    from approvals import services as approvals

    proposal = _proposal(users, tree, left_behind)
    approval = services.proposal_confirm(
        user=users.director, proposal=proposal, categories=["left_behind_rural"], ended_on=D(2026, 11, 20)
    )
    approvals.approval_return(user=users.supervisor, approval=approval, reason="父亲仍在外地务工，请核实")
    assert _current(left_behind) == ["left_behind_rural", "single_parent"]
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.OPEN


def test_where_the_region_lets_directors_act_the_ticked_categories_end_at_once(users, tree, left_behind):
    from approvals.models import Approval

    _direct(tree)
    proposal = _proposal(users, tree, left_behind)
    assert (
        services.proposal_confirm(
            user=users.director, proposal=proposal, categories=["left_behind_rural"], ended_on=D(2026, 11, 20)
        )
        is None
    )
    assert not Approval.objects.exists()
    assert _current(left_behind) == ["single_parent"]
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CONFIRMED and proposal.decided_by == users.director


def test_dismissing_needs_a_reason_and_keeps_the_categories(users, tree, left_behind):
    proposal = _proposal(users, tree, left_behind)
    with pytest.raises(ValidationError):
        services.proposal_dismiss(user=users.director, proposal=proposal, reason="短")
    services.proposal_dismiss(user=users.director, proposal=proposal, reason="父亲仍在外地务工，只是春节回家。")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DISMISSED and "春节" in proposal.reason
    assert ChildCategory.objects.filter(child=left_behind, ended_on__isnull=True).count() == 2


def test_only_the_childs_director_decides(users, tree, left_behind):
    proposal = _proposal(users, tree, left_behind)
    for who in (users.county_staff, users.supervisor, users.other_director):
        with pytest.raises(PermissionDenied):
            services.proposal_confirm(
                user=who, proposal=proposal, categories=["single_parent"], ended_on=D(2026, 11, 20)
            )
    with pytest.raises(ValidationError):  # nothing ticked: dismiss instead
        services.proposal_confirm(user=users.director, proposal=proposal, categories=[], ended_on=D(2026, 11, 20))


def test_proposal_page_confirm_through_the_gate(client, users, tree, left_behind):
    proposal = _proposal(users, tree, left_behind)
    url = reverse("visits:proposal", args=[left_behind.pk, proposal.pk])
    client.force_login(users.other_director)
    assert client.get(url).status_code == 404
    client.force_login(users.county_staff)  # reads the archive; may not decide
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "dismiss", "reason": "县里不应替主任决定这件事。"}).status_code == 403
    client.force_login(users.director)
    assert 'id="waits-for-approval"' in client.get(url).content.decode()
    response = client.post(url, {"action": "confirm", "categories": ["left_behind_rural"], "ended_on": "2026-11-20"})
    assert response.status_code == 302
    assert _current(left_behind) == ["left_behind_rural", "single_parent"]  # sent for approval
    page = client.get(url).content.decode()
    assert 'id="pending-approval"' in page and 'name="ended_on"' not in page


def test_proposal_page_confirm_directly_where_the_region_allows(client, users, tree, left_behind):
    _direct(tree)
    proposal = _proposal(users, tree, left_behind)
    url = reverse("visits:proposal", args=[left_behind.pk, proposal.pk])
    client.force_login(users.director)
    assert 'id="waits-for-approval"' not in client.get(url).content.decode()
    response = client.post(url, {"action": "confirm", "categories": ["left_behind_rural"], "ended_on": "2026-11-20"})
    assert response.status_code == 302
    assert ChildCategory.objects.get(child=left_behind, category="left_behind_rural").ended_on == D(2026, 11, 20)


def test_proposals_list_shows_open_proposals_of_the_users_children(client, users, tree, left_behind):
    proposal = _proposal(users, tree, left_behind)
    client.force_login(users.director)
    assert [p.pk for p in client.get(reverse("visits:proposals")).context["rows"]] == [proposal.pk]
    client.force_login(users.other_director)
    assert client.get(reverse("visits:proposals")).context["rows"] == []


# ------------------------------------------------------------------ query counts of the lists


def _count(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_proposals_list_reads_a_fixed_number_of_queries(client, users, tree):
    campaign = _campaign(tree)

    def propose():
        child = _child_in(tree.v1)
        services.screening_confirm(
            user=users.director, campaign=campaign, child=child, still_eligible=False, data_current=True
        )

    propose()
    client.force_login(users.director)
    small = _count(client, reverse("visits:proposals"))
    for _ in range(4):
        propose()
    assert _count(client, reverse("visits:proposals")) == small


def test_the_campaign_page_reads_a_fixed_number_of_queries(client, users, tree):
    campaign = _campaign(tree)
    _child_in(tree.v1)
    client.force_login(users.county_staff)
    small = _count(client, reverse("visits:campaign", args=[campaign.pk]))
    UserFactory(username="third", role=Role.DIRECTOR, areas=[tree.v3])
    for village in (tree.v1, tree.v2, tree.v3, tree.v3):
        child = _child_in(village)
    services.screening_confirm(
        user=users.county_staff, campaign=campaign, child=child, still_eligible=False, data_current=True
    )
    assert _count(client, reverse("visits:campaign", args=[campaign.pk])) == small


def _child_in(village):
    child = ChildFactory(village=village)
    CategoryFactory(child=child, category="left_behind_rural")
    return child


def test_the_directors_worklist_holds_the_open_proposals(client, users, tree, left_behind):
    proposal = _proposal(users, tree, left_behind)
    client.force_login(users.director)
    response = client.get(reverse("visits:worklist"))
    assert [p.pk for p in response.context["screening_proposals"]] == [proposal.pk]
    assert f'data-proposal="{proposal.pk}"' in response.content.decode()
    client.force_login(users.other_director)
    assert client.get(reverse("visits:worklist")).context["screening_proposals"] == []
    services.proposal_dismiss(user=users.director, proposal=proposal, reason="父亲仍在外地务工，只是春节回家。")
    client.force_login(users.director)
    assert client.get(reverse("visits:worklist")).context["screening_proposals"] == []


def test_the_screening_sweep_is_scheduled_daily_and_registered(db):
    import importlib

    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    from config.celery import app

    migration = importlib.import_module("visits.migrations.0010_screenings_rule_and_proposals")
    migration.ship(apps, None)  # a transactional test elsewhere may have flushed the row; twice creates nothing new
    migration.ship(apps, None)
    task = PeriodicTask.objects.get(task="visits.tasks.screening_sweep")
    assert task.enabled and (task.crontab.hour, task.crontab.minute, task.crontab.day_of_week) == ("7", "10", "*")
    assert str(task.crontab.timezone) == "Asia/Shanghai"
    app.loader.import_default_modules()
    assert "visits.tasks.screening_sweep" in app.tasks


def test_a_confirmation_awaiting_approval_leaves_the_directors_worklist(client, users, tree, left_behind):
    from approvals import services as approvals

    proposal = _proposal(users, tree, left_behind)
    approval = services.proposal_confirm(
        user=users.director, proposal=proposal, categories=["left_behind_rural"], ended_on=D(2026, 11, 20)
    )
    client.force_login(users.director)
    # The township decides now: not the director's to do, so not in the director's worklist …
    assert client.get(reverse("visits:worklist")).context["screening_proposals"] == []
    # … and the proposals list says why it is still open.
    page = client.get(reverse("visits:proposals")).content.decode()
    assert f'data-proposal="{proposal.pk}"' in page and "待审批" in page
    approvals.approval_return(user=users.supervisor, approval=approval, reason="请先核实父亲是否已返乡。")
    assert [p.pk for p in client.get(reverse("visits:worklist")).context["screening_proposals"]] == [proposal.pk]
    assert "待审批" not in client.get(reverse("visits:proposals")).content.decode()
