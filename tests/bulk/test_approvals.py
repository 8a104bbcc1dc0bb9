"""A bulk action whose single service goes through approvals (approvals.services.request_or_apply) makes requests,
not changes, where the child's region asks for approval: the run counts them as sent for approval, and the archive
is untouched until an approver decides. (Of the list's actions none is approvable today: the archive's transfer and
the screening confirmation act directly, as their single pages do; the runner is ready for those that are.)"""

import datetime

from django.urls import reverse

from approvals import kinds
from approvals import services as approval_services
from approvals.models import Approval, ApprovalSetting
from bulk import services
from bulk.models import BulkKind, ItemStatus
from children.models import ChildCategory


def _add_category(user):
    return lambda child: approval_services.request_or_apply(
        kind=kinds.CATEGORY_ADD,
        child=child,
        user=user,
        payload={"category": "dropout", "started_on": datetime.date(2026, 2, 1), "note": "已连续两周未到校"},
        reason="已连续两周未到校",
    )


def _run(user, children):
    items = services.run_each(children, _add_category(user))
    return services.run_record(user=user, kind=BulkKind.TRANSFER, items=items)


def test_where_the_region_asks_for_approval_each_child_becomes_a_request(client, users, kids):
    a, b = kids["a"], kids["b"]
    run = _run(users.director, [a, b])
    assert (run.done, run.requested, run.refused) == (0, 2, 0)
    assert set(run.items.values_list("status", flat=True)) == {ItemStatus.REQUESTED}
    assert Approval.objects.filter(child__in=[a, b], status="proposed").count() == 2
    assert not ChildCategory.objects.filter(child__in=[a, b], category="dropout").exists()  # nothing changed
    client.force_login(users.director)
    page = client.get(reverse("bulk:run", args=[run.pk])).content.decode()
    assert "已提交审批 2 项" in page


def test_where_directors_act_directly_the_change_is_made(users, tree, kids):
    ApprovalSetting.objects.create(name="东阁街道", area=tree.t1, required=False)
    a, b = kids["a"], kids["b"]
    run = _run(users.director, [a, b])
    assert (run.done, run.requested) == (2, 0)
    assert ChildCategory.objects.filter(child__in=[a, b], category="dropout").count() == 2


def test_a_refusal_undoes_only_that_childs_change(users, kids):
    """The closed archive is refused by the approval's dry run (the service's own refusal): it is reported, and the
    other child's request stands."""
    a, closed = kids["a"], kids["closed"]
    run = _run(users.director, [a, closed])
    assert (run.requested, run.refused) == (1, 1)
    assert list(Approval.objects.values_list("child_id", flat=True)) == [a.pk]
