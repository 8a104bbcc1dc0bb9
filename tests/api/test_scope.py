"""A client of one area or department reads and writes only what its service account may: another's data is 404,
exactly like a missing record. Numbers are masked for the acting user as on the pages."""

import datetime

import pytest
from guardian.shortcuts import assign_perm

from children import access
from guardianship.models import Referral, ReferralStatus

from .conftest import ID_A, http

pytestmark = pytest.mark.django_db


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_an_area_client_lists_its_own_county_only(api):
    assert _ids(http(api.county.key).get("/api/v1/children/")) == {api.child.pk, api.child2.pk}
    assert _ids(http(api.other_county.key).get("/api/v1/children/")) == {api.other_child.pk}


def test_the_area_filter_narrows_within_the_scope_only(api, tree):
    assert _ids(http(api.county.key).get("/api/v1/children/", {"area": tree.t1.code})) == {api.child.pk}
    assert _ids(http(api.county.key).get("/api/v1/children/", {"area": tree.other_county.code})) == set()


def test_another_areas_child_is_404_like_a_missing_one(api):
    for pk in (api.other_child.pk, 987654321):
        response = http(api.county.key).get(f"/api/v1/children/{pk}/")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert http(api.other_county.key).get(f"/api/v1/children/{api.other_child.pk}/").status_code == 200


def test_a_department_client_reads_no_archive_even_of_a_child_shared_for_a_referral(api, users):
    referral = _referral(api, users.department)
    assert _ids(http(api.dept.key).get("/api/v1/children/")) == set()
    assert http(api.dept.key).get(f"/api/v1/children/{referral.child_id}/").status_code == 404


def test_the_acting_user_sees_numbers_as_on_the_pages(api, users):
    from rest_framework.test import APIClient

    full = http(api.county.key).get(f"/api/v1/children/{api.child.pk}/").json()
    assert full["id_number"] == ID_A
    supervisor = APIClient()
    supervisor.force_login(users.supervisor)
    masked = supervisor.get(f"/api/v1/children/{api.child.pk}/").json()
    assert masked["id_number"] == "370283********1230"
    assert ID_A not in supervisor.get("/api/v1/children/").content.decode()


def test_another_areas_client_cannot_post_a_visit_for_the_child(api):
    response = http(api.other_county.key).post(
        "/api/v1/visits/",
        {
            "child": api.child.pk,
            "client_key": "k1",
            "kind": "contact",
            "met_whom": "父亲",
            "channel": "phone",
            "visited_at": "2026-11-20T10:00:00+08:00",
        },
        format="json",
    )
    assert response.status_code == 404
    assert not api.child.visits.exists()


def _referral(api, department, child=None) -> Referral:
    child = child or api.child
    referral = Referral.objects.create(
        child=child,
        department=department,
        service="schooling",
        reason="辍学风险，需要劝返",
        due_on=datetime.date(2099, 1, 1),
    )
    from guardianship.referrals import department_group

    assign_perm(access.VIEW_PERMISSION, department_group(department), child)
    return referral


def test_a_department_reads_and_moves_its_own_referrals_only(api, users):
    mine = _referral(api, users.department)
    theirs = _referral(api, api.other_department, child=api.child2)
    assert _ids(http(api.dept.key).get("/api/v1/referrals/")) == {mine.pk}
    assert _ids(http(api.other_dept.key).get("/api/v1/referrals/")) == {theirs.pk}
    for verb in ("get", "patch"):
        response = getattr(http(api.dept.key), verb)(
            f"/api/v1/referrals/{theirs.pk}/", {"status": "accepted"}, format="json"
        )
        assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == ReferralStatus.SENT
    response = http(api.dept.key).patch(f"/api/v1/referrals/{mine.pk}/", {"status": "accepted"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    mine.refresh_from_db()
    assert mine.status == ReferralStatus.ACCEPTED


def test_a_referral_move_the_rules_refuse_is_400_in_both_languages(api, users):
    mine = _referral(api, users.department)
    response = http(api.dept.key).patch(f"/api/v1/referrals/{mine.pk}/", {"status": "declined"}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"]["note"][0]["message_en"] == "Give the reason for declining."
    assert error["fields"]["note"][0]["message_zh"] != "Give the reason for declining."


def test_the_area_reads_its_childrens_referrals_but_only_the_department_moves_them(api, users):
    mine = _referral(api, users.department)
    assert _ids(http(api.county.key).get("/api/v1/referrals/")) == {mine.pk}
    assert _ids(http(api.other_county.key).get("/api/v1/referrals/")) == set()
    response = http(api.county.key).patch(f"/api/v1/referrals/{mine.pk}/", {"status": "accepted"}, format="json")
    assert response.status_code == 403


@pytest.fixture
def assignments(db, tree):
    from accounts.models import Department, Role
    from api.models import ApiClient
    from tasks.models import Assignment
    from tasks.plans import load_all
    from tests.factories import UserFactory

    from .conftest import make_client

    load_all()
    education = Department.objects.get(area_id="370200", kind="education")
    police = Department.objects.get(area_id="370200", kind="public_security")
    clients = {}
    for name, dept in (("education", education), ("police", police)):
        user = UserFactory(username=f"svc_{name}", role=Role.LIAISON, department=dept)
        clients[name] = make_client(user, department=dept, name=name)
    assert ApiClient.objects.count() >= 2
    return (
        clients,
        Assignment.objects.filter(department=education).first(),
        Assignment.objects.filter(department=police),
    )


def test_a_department_reads_and_updates_its_own_assignments_only(assignments):
    clients, edu_assignment, police_assignments = assignments
    seen = set()
    url = "/api/v1/assignments/?page_size=200"
    while url:
        page = http(clients["education"].key).get(url).json()
        seen |= {row["id"] for row in page["results"]}
        url = page["next"]
    assert edu_assignment.pk in seen and not seen & set(police_assignments.values_list("pk", flat=True))
    response = http(clients["police"].key).patch(
        f"/api/v1/assignments/{edu_assignment.pk}/", {"status": "in_progress"}, format="json"
    )
    assert response.status_code == 404
    response = http(clients["education"].key).patch(
        f"/api/v1/assignments/{edu_assignment.pk}/", {"status": "in_progress", "note": "已召开部署会"}, format="json"
    )
    assert response.status_code == 200, response.content
    edu_assignment.refresh_from_db()
    assert edu_assignment.status == "in_progress" and edu_assignment.notes.get().note == "已召开部署会"
