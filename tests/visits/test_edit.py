"""Editing a visit: history kept, and two people editing the same visit record never overwrite each other
(optimistic locking, issue 8)."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from children.services import StaleEdit
from tests.factories import visit_fields
from tests.visits.test_views import _visit_post
from visits import services
from visits.models import Visit

STALE = (
    "Someone else changed this visit record after you opened it. Reload the page, check their changes and enter "
    "yours again."
)


@pytest.fixture
def visit(users, child):
    return services.visit_create(user=users.director, child=child, visit=Visit(**_fields("奶奶在家")))[0]


def _fields(observations: str) -> dict:
    return visit_fields(visited_at=timezone.now(), observations=observations)


def _opened(client, visit) -> dict:
    """The edit form as a browser would post it back: its hidden version and the visit's current values."""
    body = client.get(reverse("visits:edit", args=[visit.child_id, visit.pk])).content.decode()
    version = re.search(r'name="version" value="(\d+)"', body).group(1)
    return _visit_post(observations=Visit.objects.get(pk=visit.pk).observations, version=version)


def test_an_edit_is_saved_and_the_earlier_version_kept(client, users, visit):
    client.force_login(users.director)
    data = _opened(client, visit)
    data["observations"] = "孩子在写作业"
    response = client.post(reverse("visits:edit", args=[visit.child_id, visit.pk]), data)
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.observations == "孩子在写作业" and visit.version == 2
    assert [h.observations for h in visit.history.order_by("history_id")] == ["奶奶在家", "孩子在写作业"]


def test_the_second_of_two_racing_edits_is_refused_in_chinese_and_the_first_kept(users, visit):
    first, second = Client(), Client()
    first.force_login(users.director)
    second.force_login(users.supervisor)  # may edit this village's archives too
    url = reverse("visits:edit", args=[visit.child_id, visit.pk])
    a, b = _opened(first, visit), _opened(second, visit)  # both open the form
    a["observations"], b["observations"] = "甲的修改", "乙的修改"
    assert first.post(url, a).status_code == 302
    response = second.post(url, b)
    assert response.status_code == 200  # the form again, with the message
    with translation.override("zh-hans"):
        message = gettext(STALE)
    assert message != STALE and message in response.content.decode()
    assert Visit.objects.get(pk=visit.pk).observations == "甲的修改"
    # After reloading the form, the second user's edit goes through: a refusal, not a lock-out.
    b = _opened(second, visit)
    b["observations"] = "乙的修改"
    assert second.post(url, b).status_code == 302
    assert Visit.objects.get(pk=visit.pk).observations == "乙的修改"
    assert visit.history.count() == 3  # created, 甲, 乙: nothing lost


def test_the_service_refuses_a_stale_version_and_changes_nothing(users, visit):
    stale = Visit.objects.get(pk=visit.pk)
    Visit.objects.filter(pk=visit.pk).update(version=5)  # someone saved meanwhile
    stale.observations = "过期的编辑"
    with pytest.raises(StaleEdit):
        services.visit_update(user=users.director, visit=stale, expected_version=1)
    fresh = Visit.objects.get(pk=visit.pk)
    assert fresh.observations == "奶奶在家" and fresh.version == 5 and visit.history.count() == 1
