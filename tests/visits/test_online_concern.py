"""Online protection on a visit (issue 18; 000 #42–43, 001 §18, 003 §15, 004 §15): a visit records an online risk it
observed, and a mandatory report filed from that visit starts with that kind of harm, so that it is counted and can be
referred to the 网信 department."""

from django.urls import reverse
from django.utils import timezone

from guardianship.models import HarmType
from tests.factories import visit_fields
from visits import services
from visits.models import RECORDED_FIELDS, OnlineConcern, Visit


def test_online_concerns_are_kinds_of_harm_of_a_report():
    assert {(c.value, str(c.label)) for c in OnlineConcern} <= {(h.value, str(h.label)) for h in HarmType}
    assert "online_concern" in RECORDED_FIELDS  # the web form and the API take it


def test_a_report_from_a_visit_that_saw_internet_addiction_starts_with_that_kind(client, users, child):
    fields = visit_fields(visited_at=timezone.now(), harm_found=True, online_concern="internet_addiction")
    (visit,) = services.visit_create(user=users.director, child=child, visit=Visit(**fields))
    client.force_login(users.director)
    page = client.get(reverse("guardianship:report_new"), {"child": child.pk, "visit": visit.pk})
    assert page.context["form"].initial["harm_type"] == "internet_addiction"
    plain = services.visit_create(
        user=users.director, child=child, visit=Visit(**visit_fields(visited_at=timezone.now()))
    )
    page = client.get(reverse("guardianship:report_new"), {"child": child.pk, "visit": plain[0].pk})
    assert "harm_type" not in page.context["form"].initial


def test_the_visit_form_asks_for_it_in_the_safety_section(client, users, child):
    client.force_login(users.director)
    page = client.get(reverse("visits:new", args=[child.pk])).content.decode()
    assert 'name="online_concern"' in page and "网络沉迷" in page
