"""Approval pages: the director's close and category forms create a request where the region asks for one (flash,
archive unchanged, shown on the archive); the township supervisor finds it in the worklist and approves or returns
it with a required reason; outsiders get 404; list pages keep a fixed number of queries."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from approvals import kinds, services
from approvals.models import Approval, ApprovalSetting, ApprovalStatus
from children.models import ArchiveStatus, Child, ChildCategory
from tests.factories import CategoryFactory, ChildFactory

CLOSE = {"reason": "moved_away", "closed_on": "2026-11-02", "note": "全家迁往外省"}


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _propose_close(user, child) -> Approval:
    return services.request_or_apply(
        kind=kinds.CHILD_CLOSE, child=child, user=user, payload=dict(CLOSE), reason=CLOSE["note"]
    )


def test_closing_as_a_director_waits_for_approval(client, users, child):
    client.force_login(users.director)
    response = client.post(reverse("children:close", args=[child.pk]), CLOSE)
    assert response.status_code == 302
    assert any("approv" in m.lower() or "审批" in m for m in _messages(response))
    assert Child.objects.get(pk=child.pk).status == ArchiveStatus.OPEN
    approval = Approval.objects.get()
    assert (approval.kind, approval.proposed_by, approval.reason) == ("child_close", users.director, "全家迁往外省")
    page = client.get(reverse("children:detail", args=[child.pk]))
    assert page.context["approvals"] == [approval]
    assert reverse("approvals:detail", args=[approval.pk]) in page.content.decode()


def test_closing_where_the_county_lets_directors_act(client, users, tree, child):
    ApprovalSetting.objects.create(name="平度市", area=tree.county, required=False)
    client.force_login(users.director)
    response = client.post(reverse("children:close", args=[child.pk]), CLOSE)
    assert response.status_code == 302
    assert Child.objects.get(pk=child.pk).status == ArchiveStatus.CLOSED
    assert not Approval.objects.exists()


def test_a_refused_proposal_shows_the_error_and_records_nothing(client, users, child):
    client.force_login(users.director)
    response = client.post(reverse("children:close", args=[child.pk]), {**CLOSE, "closed_on": "2025-01-01"})
    assert response.status_code == 200  # before the registration date (2026-01-05)
    assert "closed_on" in response.context["form"].errors
    assert not Approval.objects.exists()


def test_category_add_and_end_as_a_director(client, users, child):
    item = CategoryFactory(child=child, category="single_parent")
    client.force_login(users.director)
    client.post(
        reverse("children:category_add", args=[child.pk]),
        {"category": "dropout", "started_on": "2026-11-03", "note": "连续两周未到校"},
    )
    client.post(reverse("children:category_end", args=[child.pk, item.pk]), {"ended_on": "2026-11-04"})
    assert sorted(Approval.objects.values_list("kind", "subject")) == [
        ("category_add", "category-add:dropout"),
        ("category_end", f"category:{item.pk}"),
    ]
    assert list(ChildCategory.objects.filter(child=child).values_list("category", "ended_on")) == [
        ("single_parent", None)
    ]


def test_the_supervisor_approves_from_the_worklist(client, users, child):
    approval = _propose_close(users.director, child)
    client.force_login(users.supervisor)
    worklist = client.get(reverse("visits:worklist"))
    assert worklist.context["approvals"] == [approval]
    assert reverse("approvals:detail", args=[approval.pk]) in worklist.content.decode()
    page = client.get(reverse("approvals:detail", args=[approval.pk]))
    assert page.status_code == 200 and page.context["can_decide"]
    response = client.post(reverse("approvals:approve", args=[approval.pk]))
    assert response.status_code == 302
    assert Child.objects.get(pk=child.pk).status == ArchiveStatus.CLOSED
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.APPROVED and approval.decided_by == users.supervisor
    assert client.get(reverse("visits:worklist")).context["approvals"] == []


def test_returning_without_a_reason_is_refused(client, users, child):
    approval = _propose_close(users.director, child)
    client.force_login(users.supervisor)
    response = client.post(reverse("approvals:return", args=[approval.pk]), {"reason": ""})
    assert response.status_code == 200 and "reason" in response.context["return_form"].errors
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.PROPOSED
    response = client.post(reverse("approvals:return", args=[approval.pk]), {"reason": "请补充迁出证明"})
    assert response.status_code == 302
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.RETURNED and approval.decision_reason == "请补充迁出证明"
    assert Child.objects.get(pk=child.pk).status == ArchiveStatus.OPEN


def test_the_director_sees_but_cannot_decide_their_own_request(client, users, child):
    approval = _propose_close(users.director, child)
    client.force_login(users.director)
    page = client.get(reverse("approvals:detail", args=[approval.pk]))
    assert page.status_code == 200 and not page.context["can_decide"] and page.context["can_withdraw"]
    assert client.post(reverse("approvals:approve", args=[approval.pk])).status_code == 403
    assert Child.objects.get(pk=child.pk).status == ArchiveStatus.OPEN
    client.post(reverse("approvals:withdraw", args=[approval.pk]))
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.WITHDRAWN


@pytest.mark.parametrize("who", ["other_director", "other_supervisor", "other_county_staff", "liaison"])
def test_outsiders_get_404(client, users, child, who):
    approval = _propose_close(users.director, child)
    client.force_login(getattr(users, who))
    for name in ("approvals:detail", "approvals:approve", "approvals:withdraw"):
        method = client.get if name == "approvals:detail" else client.post
        assert method(reverse(name, args=[approval.pk])).status_code == 404
    assert client.post(reverse("approvals:return", args=[approval.pk]), {"reason": "x"}).status_code == 404
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.PROPOSED
    assert client.get(reverse("visits:worklist")).context["approvals"] == []


def _requests(tree, users, n):
    for village in [tree.v1, tree.v2] * (n // 2):
        _propose_close(users.director if village == tree.v1 else users.other_director, ChildFactory(village=village))


def test_worklist_and_list_keep_their_query_counts(client, users, tree, django_assert_max_num_queries):
    client.force_login(users.supervisor)
    _requests(tree, users, 2)
    counts = {}
    for name in ("visits:worklist", "approvals:list"):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(name)).status_code == 200
        counts[name] = len(ctx.captured_queries)
    _requests(tree, users, 20)
    for name, count in counts.items():
        with django_assert_max_num_queries(count):
            response = client.get(reverse(name))
        rows = response.context["approvals"] if name == "visits:worklist" else response.context["to_decide"]
        assert len(rows) == 22


def test_an_approved_change_is_in_the_archive_history(client, users, child):
    approval = _propose_close(users.director, child)
    services.approval_approve(user=users.supervisor, approval=approval)
    client.force_login(users.director)
    page = client.get(reverse("children:detail", args=[child.pk]))
    body = page.content.decode()
    assert str(users.director) in body and str(users.supervisor) in body
    assert page.context["approvals"][0].status == ApprovalStatus.APPROVED
    assert datetime.date(2026, 11, 2) == Child.objects.get(pk=child.pk).closed_on


def test_confirming_what_the_facts_imply_waits_for_approval_too(client, users, tree):
    from children import identification
    from children.models import CategoryProposal, CategoryProposalStatus

    kid = ChildFactory(village=tree.v1, health="seriously_ill")
    identification.evaluate([kid.pk])
    proposal = CategoryProposal.objects.get(child=kid, category="seriously_ill", action="add")
    client.force_login(users.director)
    response = client.post(reverse("children:proposal_confirm", args=[kid.pk, proposal.pk]), {"on": "2026-11-05"})
    assert response.status_code == 302
    approval = Approval.objects.get(kind="category_proposal")
    proposal.refresh_from_db()
    assert proposal.status == CategoryProposalStatus.PENDING
    assert not ChildCategory.objects.filter(child=kid, category="seriously_ill").exists()
    services.approval_approve(user=users.supervisor, approval=approval)
    proposal.refresh_from_db()
    assert proposal.status == CategoryProposalStatus.CONFIRMED
    assert ChildCategory.objects.get(child=kid, category="seriously_ill").started_on == datetime.date(2026, 11, 5)


def test_the_form_says_beforehand_that_the_change_waits(client, users, tree, child):
    url = reverse("children:close", args=[child.pk])
    client.force_login(users.director)
    assert client.get(url).context["waits"] is True
    client.force_login(users.supervisor)  # an approver acts directly
    assert client.get(url).context["waits"] is False
    ApprovalSetting.objects.create(name="平度市", area=tree.county, required=False)
    client.force_login(users.director)
    assert client.get(url).context["waits"] is False
