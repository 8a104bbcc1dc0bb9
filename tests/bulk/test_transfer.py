"""Transferring several children ticked on the children list: each through the archive's own transfer
(children.services.child_transfer), each through the gate; what could not be done is reported, and bad input
changes nothing."""

import datetime

from django.urls import reverse
from django.utils import timezone

from bulk.models import BulkRun
from children.models import AccessLog, Child, Transfer

TODAY = timezone.localdate()


def _post(client, ids, follow=False, **data):
    body = {"child": [str(i) for i in ids], "to_village": "370283002001", "transferred_on": TODAY.isoformat()}
    body.update(reason="随父母迁居", **data)
    return client.post(reverse("bulk:transfer"), body, follow=follow)


def test_the_list_leads_to_the_transfer_step_with_the_selection_in_the_body(client, users, kids):
    client.force_login(users.director)
    page = client.get(reverse("children:list")).content.decode()
    assert f'name="child" value="{kids["a"].pk}"' in page and reverse("bulk:children") in page
    response = client.post(reverse("bulk:children"), {"child": [kids["a"].pk, kids["b"].pk], "do": "transfer"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('type="hidden" name="child"') == 2 and 'action="/bulk/transfer/"' in body
    assert not Transfer.objects.exists()  # nothing yet


def test_ticked_children_are_transferred_and_the_others_reported(client, users, tree, kids):
    client.force_login(users.director)
    a, b, far, closed = kids["a"], kids["b"], kids["far"], kids["closed"]
    response = _post(client, [a.pk, far.pk, closed.pk, b.pk, 987654])
    run = BulkRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("bulk:run", args=[run.pk])
    assert (run.done, run.refused) == (2, 3)
    for child in (a, b):
        child.refresh_from_db()
        assert child.village_id == tree.v3.code
        # The archive's own history keeps the old village and the reason, as the single transfer does.
        last = child.history.order_by("-history_id").first()
        assert last.history_change_reason == "随父母迁居" and last.history_user_id == users.director.pk
    assert Transfer.objects.filter(child__in=[a, b], from_village=tree.v1, to_village=tree.v3).count() == 2
    far.refresh_from_db()
    closed.refresh_from_db()
    assert far.village_id == tree.v4.code and closed.village_id == tree.v1.code
    reasons = dict(run.items.filter(status="refused").values_list("child_ref", "reason"))
    assert set(reasons) == {far.pk, closed.pk, 987654}
    assert reasons[far.pk] == reasons[987654]  # outside the area: the same answer as a number that names no child
    assert reasons[closed.pk] != reasons[far.pk]
    # The gate logged the children it let through, not the one outside the area.
    logged = set(AccessLog.objects.values_list("child_id", flat=True))
    assert logged == {a.pk, b.pk, closed.pk}
    page = client.get(response["Location"]).content.decode()
    assert "已完成 2" in page and "未执行 3" in page
    assert "已销一" in page and "远方一" not in page  # a child not found is not described


def test_bad_input_changes_nothing(client, users, kids):
    client.force_login(users.director)
    before = list(Child.objects.order_by("pk").values_list("village_id", "version"))
    response = _post(client, [kids["a"].pk], to_village="999999999999")
    assert response.status_code == 200 and "没有" in response.content.decode()
    response = _post(client, [kids["a"].pk, "abc"])
    assert response.status_code == 302
    response = _post(client, [kids["a"].pk], transferred_on=(TODAY + datetime.timedelta(days=2)).isoformat())
    assert response.status_code == 200
    assert list(Child.objects.order_by("pk").values_list("village_id", "version")) == before
    assert not Transfer.objects.exists() and not BulkRun.objects.exists()


def test_the_selection_is_capped(client, users, kids):
    client.force_login(users.director)
    response = _post(client, [kids["a"].pk, *range(10_000, 10_500)], follow=True)
    assert "最多 500" in response.content.decode()
    assert not Transfer.objects.exists() and not BulkRun.objects.exists()


def test_nothing_ticked(client, users, kids):
    client.force_login(users.director)
    response = client.post(reverse("bulk:children"), {"do": "transfer"}, follow=True)
    assert "至少勾选一名儿童" in response.content.decode()
