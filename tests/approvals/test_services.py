"""Approvals (issue 18): a director's change waits for the approver; nothing changes before approval; approving
applies it through the children services (history kept), returning needs a reason; a region may let directors act
directly. The default setting (approval by the township supervisor) is shipped by a data migration."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Notification
from approvals import kinds, services
from approvals.models import Approval, ApprovalSetting, ApprovalStatus
from children.models import ArchiveStatus, Child, ChildCategory
from tests.factories import CategoryFactory

CLOSED_ON = datetime.date(2026, 11, 2)


def _close(user, child, **payload):
    data = {"reason": "moved_away", "closed_on": CLOSED_ON, "note": "全家迁往外省"}
    data.update(payload)
    return services.request_or_apply(kind=kinds.CHILD_CLOSE, child=child, user=user, payload=data, reason=data["note"])


def _fresh(child) -> Child:
    return Child.objects.get(pk=child.pk)


def test_the_default_setting_is_shipped_and_asks_the_township_supervisor(db):
    default = ApprovalSetting.objects.get(prefix="", kind="")
    assert default.required and default.approver_level == "township"


def test_a_director_proposes_and_nothing_changes(users, child):
    approval = _close(users.director, child)
    assert approval.status == ApprovalStatus.PROPOSED
    assert approval.approver_level == "township"
    assert approval.payload == {"reason": "moved_away", "closed_on": "2026-11-02", "note": "全家迁往外省"}
    fresh = _fresh(child)
    assert fresh.status == ArchiveStatus.OPEN and fresh.closed_on is None and fresh.version == child.version
    assert fresh.history.count() == child.history.count()
    # The township's supervisor is told; the other township's is not.
    assert list(Notification.objects.filter(key=f"approval:{approval.pk}").values_list("user", flat=True)) == [
        users.supervisor.pk
    ]


def test_approving_applies_the_change_and_tells_the_proposer(users, child):
    approval = _close(users.director, child)
    services.approval_approve(user=users.supervisor, approval=approval, note="同意")
    fresh = _fresh(child)
    assert fresh.status == ArchiveStatus.CLOSED
    assert fresh.close_reason == "moved_away" and fresh.closed_on == CLOSED_ON
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.APPROVED
    assert approval.decided_by == users.supervisor and approval.decided_at is not None
    assert approval.decision_reason == "同意"
    # The request's history shows the proposal and the decision; the archive's history the closing.
    assert [h.status for h in approval.history.order_by("history_date", "history_id")] == ["proposed", "approved"]
    assert fresh.history.first().status == ArchiveStatus.CLOSED
    assert Notification.objects.filter(user=users.director, key=f"approval-decided:{approval.pk}").exists()


def test_returning_needs_a_reason_and_changes_nothing(users, child):
    approval = _close(users.director, child)
    with pytest.raises(ValidationError):
        services.approval_return(user=users.supervisor, approval=approval, reason="  ")
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.PROPOSED
    services.approval_return(user=users.supervisor, approval=approval, reason="家庭尚未迁出，请核实")
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.RETURNED and approval.decision_reason == "家庭尚未迁出，请核实"
    assert _fresh(child).status == ArchiveStatus.OPEN
    note = Notification.objects.get(user=users.director, key=f"approval-decided:{approval.pk}")
    assert note.body == "家庭尚未迁出，请核实"
    with pytest.raises(ValidationError):  # decided once
        services.approval_approve(user=users.supervisor, approval=approval)


def test_a_county_that_lets_directors_act_directly(users, tree, child):
    ApprovalSetting.objects.create(name="平度市：儿童主任直接办理", area=tree.county, required=False)
    assert _close(users.director, child) is None
    assert _fresh(child).status == ArchiveStatus.CLOSED
    assert not Approval.objects.exists()


def test_the_nearest_region_wins(users, tree, child):
    ApprovalSetting.objects.create(name="平度市", area=tree.county, required=False)
    ApprovalSetting.objects.create(name="东阁街道", area=tree.t1, required=True, approver_level="county")
    approval = _close(users.director, child)
    assert approval.approver_level == "county"
    # At county level the township supervisor asks too, and may not decide.
    assert services.needs_approval(users.supervisor, child, kinds.CHILD_CLOSE)
    assert not services.can_decide(users.supervisor, approval)
    assert services.can_decide(users.county_staff, approval)
    assert not services.can_decide(users.other_county_staff, approval)


def test_a_setting_for_one_kind_only(users, tree, child):
    ApprovalSetting.objects.create(name="平度市：类别变更", area=tree.county, kind=kinds.CATEGORY_ADD, required=False)
    added = services.request_or_apply(
        kind=kinds.CATEGORY_ADD,
        child=child,
        user=users.director,
        payload={"category": "dropout", "started_on": datetime.date(2026, 11, 3), "note": ""},
    )
    assert added is None and ChildCategory.objects.filter(child=child, category="dropout").exists()
    assert isinstance(_close(users.director, child), Approval)


def test_approvers_act_directly(users, child):
    assert _close(users.supervisor, child) is None
    assert _fresh(child).status == ArchiveStatus.CLOSED


def test_bad_input_is_refused_when_proposing(users, child):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        _close(users.director, child, closed_on=tomorrow)
    assert "closed_on" in exc.value.error_dict
    assert not Approval.objects.exists()
    assert _fresh(child).status == ArchiveStatus.OPEN


def test_one_change_waits_once(users, child):
    _close(users.director, child)
    with pytest.raises(ValidationError):
        _close(users.director, child, note="再次提交")
    assert Approval.objects.count() == 1


def test_only_approvers_of_the_childs_area_decide(users, child):
    approval = _close(users.director, child)
    for outsider in (users.other_supervisor, users.other_county_staff, users.other_director, users.director):
        with pytest.raises(PermissionDenied):
            services.approval_approve(user=outsider, approval=approval)
    assert _fresh(child).status == ArchiveStatus.OPEN
    assert services.can_decide(users.county_staff, approval)  # civil affairs above the township may decide too


def test_the_proposer_withdraws(users, child):
    approval = _close(users.director, child)
    with pytest.raises(PermissionDenied):
        services.approval_withdraw(user=users.supervisor, approval=approval)
    services.approval_withdraw(user=users.director, approval=approval)
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.WITHDRAWN
    assert not services.can_decide(users.supervisor, approval)
    assert _close(users.director, child).status == ApprovalStatus.PROPOSED  # may propose again


def test_ending_a_category_through_approval(users, child):
    item = CategoryFactory(child=child, category="single_parent")
    approval = services.request_or_apply(
        kind=kinds.CATEGORY_END,
        child=child,
        user=users.director,
        payload={"item": item.pk, "category": item.category, "ended_on": datetime.date(2026, 11, 4)},
    )
    item.refresh_from_db()
    assert item.ended_on is None
    services.approval_approve(user=users.supervisor, approval=approval)
    item.refresh_from_db()
    assert item.ended_on == datetime.date(2026, 11, 4)
    assert _fresh(child).category_flags == 0


def test_approval_refused_when_the_archive_changed_meanwhile(users, child):
    item = CategoryFactory(child=child, category="single_parent")
    approval = services.request_or_apply(
        kind=kinds.CATEGORY_END,
        child=child,
        user=users.director,
        payload={"item": item.pk, "category": item.category, "ended_on": datetime.date(2026, 11, 4)},
    )
    from children.services import category_end

    category_end(user=users.supervisor, item=item, ended_on=datetime.date(2026, 11, 5))
    with pytest.raises(ValidationError):
        services.approval_approve(user=users.supervisor, approval=approval)
    approval.refresh_from_db()
    item.refresh_from_db()
    assert approval.status == ApprovalStatus.PROPOSED and item.ended_on == datetime.date(2026, 11, 5)


def test_county_level_requests_reach_the_county_and_township_ones_fall_back_to_it(users, tree, child):
    ApprovalSetting.objects.create(
        name="平度市：县级审批", area=tree.county, kind=kinds.CHILD_CLOSE, approver_level="county"
    )
    approval = _close(users.director, child)
    told = set(Notification.objects.filter(key=f"approval:{approval.pk}").values_list("user__username", flat=True))
    assert told == {"county_staff"}
    # A township without an active supervisor: its requests are announced to the county's civil affairs.
    users.supervisor.is_active = False
    users.supervisor.save()
    item = CategoryFactory(child=child, category="single_parent")
    ending = services.request_or_apply(
        kind=kinds.CATEGORY_END,
        child=child,
        user=users.director,
        payload={"item": item.pk, "category": item.category, "ended_on": datetime.date(2026, 11, 4)},
    )
    assert ending.approver_level == "township"
    told = set(Notification.objects.filter(key=f"approval:{ending.pk}").values_list("user__username", flat=True))
    assert told == {"county_staff"}
