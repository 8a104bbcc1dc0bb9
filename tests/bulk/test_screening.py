"""Confirming the children ticked on a screening's page: each through visits.services.screening_confirm, after the
gate; refusals (outside the area, closed, already confirmed) reported with the service's reasons."""

import datetime

from django.urls import reverse
from django.utils import timezone

from bulk.models import BulkRun
from children.models import AccessLog, ChildCategory
from tests.factories import CategoryFactory
from visits.models import CategoryEndProposal, ScreeningCampaign, ScreeningConfirmation

TODAY = timezone.localdate()


def _campaign(tree):
    return ScreeningCampaign.objects.create(
        name="下半年排查",
        area=tree.county,
        starts_on=TODAY - datetime.timedelta(days=5),
        deadline=TODAY + datetime.timedelta(days=20),
    )


def _post(client, campaign, ids, **data):
    body = {"campaign": campaign.pk, "child": [str(i) for i in ids], "still_eligible": "on", "data_current": "on"}
    body.update(data)
    return client.post(reverse("bulk:screening_confirm"), body)


def test_the_campaign_page_offers_the_ticked_confirmation(client, users, tree, kids):
    campaign = _campaign(tree)
    client.force_login(users.director)
    page = client.get(reverse("visits:campaign", args=[campaign.pk])).content.decode()
    assert reverse("bulk:screening_confirm") in page and f'name="child" value="{kids["a"].pk}"' in page


def test_ticked_children_are_confirmed_and_refusals_reported(client, users, tree, kids):
    campaign = _campaign(tree)
    a, b, c, closed, far, v2 = kids["a"], kids["b"], kids["c"], kids["closed"], kids["far"], kids["v2"]
    ScreeningConfirmation.objects.create(campaign=campaign, child=c, confirmed_by=users.director)
    client.force_login(users.director)
    response = _post(client, campaign, [a.pk, b.pk, c.pk, closed.pk, far.pk, v2.pk])
    run = BulkRun.objects.get()
    assert response["Location"] == reverse("bulk:run", args=[run.pk])
    assert (run.done, run.refused) == (2, 4)
    confirmed = ScreeningConfirmation.objects.filter(campaign=campaign, confirmed_by=users.director)
    assert set(confirmed.values_list("child_id", flat=True)) == {a.pk, b.pk, c.pk}  # c was confirmed before
    assert ScreeningConfirmation.objects.filter(campaign=campaign).count() == 3
    reasons = dict(run.items.filter(status="refused").values_list("child_ref", "reason"))
    assert "排查中确认" in reasons[c.pk]
    assert "销档" in reasons[closed.pk]
    # Another village's and another county's children are not the director's: not found, like a 404.
    assert reasons[far.pk] == reasons[v2.pk] == "未找到该儿童。"
    assert set(AccessLog.objects.values_list("child_id", flat=True)) == {a.pk, b.pk, c.pk, closed.pk}
    page = client.get(response["Location"]).content.decode()
    assert "已完成 2" in page and "未执行 4" in page and "乙一" not in page and "远方一" not in page


def test_no_longer_eligible_proposes_and_changes_no_category(client, users, tree, kids):
    """Ticked as no longer eligible, each child gets a proposal to end its categories for the director to decide
    (the single confirmation's rule): the categories themselves do not change."""
    campaign = _campaign(tree)
    a, b = kids["a"], kids["b"]
    for child in (a, b):
        CategoryFactory(child=child)
    client.force_login(users.director)
    _post(client, campaign, [a.pk, b.pk], still_eligible="")
    assert CategoryEndProposal.objects.filter(child__in=[a, b], status="open").count() == 2
    assert ChildCategory.objects.filter(child__in=[a, b], ended_on__isnull=True).count() == 2


def test_an_unknown_campaign_is_not_found_and_bad_input_changes_nothing(client, users, tree, kids):
    campaign = _campaign(tree)
    client.force_login(users.director)
    response = client.post(reverse("bulk:screening_confirm"), {"campaign": "x", "child": [kids["a"].pk]})
    assert response.status_code == 404
    other = ScreeningCampaign.objects.create(
        name="胶州", area=tree.other_county, starts_on=TODAY, deadline=TODAY + datetime.timedelta(days=9)
    )
    assert _post(client, other, [kids["a"].pk]).status_code == 404
    assert _post(client, campaign, [kids["a"].pk, "1e3"]).status_code == 302
    assert not ScreeningConfirmation.objects.exists() and not BulkRun.objects.exists()
