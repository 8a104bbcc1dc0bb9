"""Registering a child already registered elsewhere names only the county civil-affairs office holding the archive
and offers a transfer request; inside the user's own area it links to the archive. The request reaches the
holding county's civil-affairs staff, who accept (the child is transferred, with history) or decline with a reason.

ID numbers are typed in (checked by hand against GB 11643's check digit), not made by the code under test."""

import datetime
import io
import re

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AreaLevel, Notification, Role
from children import imports, services, transfers
from children.models import AccessLog, Child, Transfer, TransferRequest
from tests.factories import ChildFactory, UserFactory, area

# 胶州市 (370281), born 2015-06-01, male.
JIAOZHOU_BOY = "370281201506010016"
JIAOZHOU_BOY_2 = "370281201506010032"
# 平度市 (370283), born 2015-06-01, male: a different number with the same birth date and sex.
PINGDU_BOY = "370283201506010051"
# 平度市, born 2016-03-08, female.
PINGDU_GIRL = "370283201603080027"

# Names of the other county's township and village (tests/conftest.py `tree`): never shown to outsiders.
HIDDEN_PLACES = ("阜安街道", "北关村")


def _register_post(village, **extra):
    data = {
        "name": "刘晓军",
        "id_number": JIAOZHOU_BOY,
        "village": village.code,
        "ethnicity": "汉族",
        "health": "healthy",
        "enrolment": "enrolled",
        "categories": ["left_behind_rural"],
        "colour": "green",
    }
    data.update(extra)
    return data


def _token(body: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', body).group(1)


def _lookups(user, child) -> int:
    return AccessLog.objects.filter(user=user, child=child, action="lookup").count()


@pytest.fixture
def held(tree):
    """A boy whose open archive is in the other county (胶州市, township 阜安街道, village 北关村)."""
    return ChildFactory(village=tree.v4, name="刘小军", id_number=JIAOZHOU_BOY, birth_date=datetime.date(2015, 6, 1))


@pytest.fixture
def third(tree):
    """A third county (莱西市) with its civil-affairs staff."""
    county = area("370285", "莱西市", AreaLevel.COUNTY, tree.city)
    township = area("370285001", "水集街道", AreaLevel.TOWNSHIP, county)
    area("370285001001", "东庄村", AreaLevel.VILLAGE, township)
    return UserFactory(username="third_county", role=Role.CIVIL_AFFAIRS, areas=[county])


# --- The duplicate message ----------------------------------------------------------------------------------------


def test_an_id_number_open_in_another_county_names_only_that_county_office_and_offers_a_request(
    client, users, tree, held
):
    client.force_login(users.director)
    response = client.post(reverse("children:register"), _register_post(tree.v1))
    body = response.content.decode()
    assert response.status_code == 200
    assert "该儿童已在胶州市民政部门建档" in body
    assert not any(place in body for place in HIDDEN_PLACES)
    assert held.name not in body  # the archive's own name (the director typed 刘晓军) is not disclosed
    assert reverse("children:detail", args=[held.pk]) not in body
    assert f'action="{reverse("children:transfer_request_new")}"' in body and "向胶州市民政部门申请迁入" in body
    assert _lookups(users.director, held) == 1  # kept although the registration was refused
    assert Child.objects.count() == 1


def test_an_id_number_open_in_the_users_own_area_links_to_the_archive(client, users, tree):
    mine = ChildFactory(village=tree.v1, name="陈小芳", id_number=PINGDU_GIRL, sex="F")
    client.force_login(users.county_staff)
    response = client.post(reverse("children:register"), _register_post(tree.v3, id_number=PINGDU_GIRL))
    body = response.content.decode()
    assert f'href="{reverse("children:detail", args=[mine.pk])}"' in body
    assert reverse("children:transfer_request_new") not in body
    assert _lookups(users.county_staff, mine) == 1
    assert Child.objects.count() == 1


def test_same_name_birth_date_and_sex_in_another_county_follows_the_same_rules(client, users, tree, held):
    client.force_login(users.director)
    data = _register_post(tree.v1, name="刘小军", id_number=PINGDU_BOY)  # another number, same birth date and sex
    response = client.post(reverse("children:register"), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "胶州市民政部门已有同名、同出生日期、同性别儿童的在档档案" in body
    assert not any(place in body for place in HIDDEN_PLACES)
    assert "向胶州市民政部门申请迁入" in body
    assert JIAOZHOU_BOY not in body  # nor the other child's ID number
    assert _lookups(users.director, held) == 1
    # A different child after all: confirmed, it is registered.
    response = client.post(reverse("children:register"), {**data, "confirm_not_duplicate": "on"})
    assert response.status_code == 302
    assert Child.objects.filter(id_number=PINGDU_BOY, village=tree.v1).exists()


def test_editing_an_id_number_to_one_open_elsewhere_names_only_the_county_office(users, tree, held):
    mine = ChildFactory(village=tree.v1, name="陈小芳", id_number=PINGDU_GIRL, sex="F")
    mine.id_number = JIAOZHOU_BOY
    with pytest.raises(services.DuplicateArchive) as excinfo:
        services.child_update(user=users.director, child=mine, expected_version=None)
    message = excinfo.value.message_dict["id_number"][0]
    assert "胶州市" in message and not any(place in message for place in HIDDEN_PLACES)
    assert _lookups(users.director, held) == 1


def _roster(rows) -> io.BytesIO:
    book = openpyxl.Workbook()
    book.active.append(["姓名", "身份证号", "村（社区）代码", "儿童类别"])
    for row in rows:
        book.active.append(row)
    buf = io.BytesIO()
    book.save(buf)
    buf.seek(0)
    buf.name = "roster.xlsx"
    return buf


def test_the_import_error_for_an_id_number_open_elsewhere_names_only_the_county_office(users, tree, held):
    outcome = imports.run_import(
        _roster([["刘晓军", JIAOZHOU_BOY, tree.v1.code, "农村留守儿童"]]), user=users.county_staff, dry_run=True
    )
    (message,) = outcome.invalid[0].errors["身份证号"]
    assert "胶州市民政部门" in message
    assert not any(place in message for place in HIDDEN_PLACES)
    assert _lookups(users.county_staff, held) == 1


# --- The request --------------------------------------------------------------------------------------------------


def _request_through_the_pages(client, user, village, reason="随父母迁居平度，现在东关村居住并就读"):
    """Register, follow the duplicate notice's button, then send the request; returns the last response."""
    client.force_login(user)
    body = client.post(reverse("children:register"), _register_post(village)).content.decode()
    token = _token(body)
    url = reverse("children:transfer_request_new")
    opened = client.post(url, {"token": token, "to_village": village.code, "start": "1"})
    page = opened.content.decode()
    assert opened.status_code == 200 and "胶州市民政部门" in page
    assert not any(place in page for place in HIDDEN_PLACES)
    return client.post(url, {"token": token, "to_village": village.code, "reason": reason})


def test_request_notify_accept_transfers_the_child_with_history_and_tells_the_requester(client, users, tree, held):
    response = _request_through_the_pages(client, users.director, tree.v1)
    request = TransferRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("children:transfer_request", args=[request.pk])
    assert (request.child, request.to_village, request.status) == (held, tree.v1, "pending")
    assert (request.name_given, request.holding_county) == ("刘晓军", tree.other_county)
    # The holding county's civil-affairs staff are told, no one else.
    notes = Notification.objects.filter(key=f"transfer-request:{request.pk}")
    assert [n.user for n in notes] == [users.other_county_staff]
    assert notes[0].url == reverse("children:transfer_request", args=[request.pk])
    # The requester sees the request, not the archive.
    body = client.get(reverse("children:transfer_request", args=[request.pk])).content.decode()
    assert "刘晓军" in body and held.name not in body and not any(place in body for place in HIDDEN_PLACES)
    assert client.get(reverse("children:detail", args=[held.pk])).status_code == 404
    # ... and may not decide it.
    assert client.post(reverse("children:transfer_request_accept", args=[request.pk])).status_code == 403

    client.force_login(users.other_county_staff)
    listing = client.get(reverse("children:transfer_requests")).content.decode()
    assert held.name in listing and reverse("children:transfer_request", args=[request.pk]) in listing
    history_before = held.history.count()
    response = client.post(reverse("children:transfer_request_accept", args=[request.pk]))
    assert response.status_code == 302

    held.refresh_from_db()
    request.refresh_from_db()
    assert held.village == tree.v1
    transfer = Transfer.objects.get(child=held)
    assert (transfer.from_village, transfer.to_village, transfer.transferred_by) == (
        tree.v4,
        tree.v1,
        users.other_county_staff,
    )
    assert held.history.count() == history_before + 1
    assert held.history.first().village_id == tree.v1.code and held.history.all()[1].village_id == tree.v4.code
    assert (request.status, request.decided_by) == ("accepted", users.other_county_staff)
    assert request.decided_at is not None
    assert [h.status for h in request.history.all()] == ["accepted", "pending"]
    back = Notification.objects.get(key=f"transfer-request-decided:{request.pk}")
    assert back.user == users.director and back.url == reverse("children:detail", args=[held.pk])
    # The requester now holds the archive; the old holder still reads the decision it made.
    client.force_login(users.director)
    assert client.get(reverse("children:detail", args=[held.pk])).status_code == 200
    client.force_login(users.other_county_staff)
    assert client.get(reverse("children:transfer_request", args=[request.pk])).status_code == 200
    assert client.get(reverse("children:detail", args=[held.pk])).status_code == 404


def test_decline_needs_a_reason_and_tells_the_requester(client, users, tree, held):
    _request_through_the_pages(client, users.director, tree.v1)
    request = TransferRequest.objects.get()
    with pytest.raises(ValidationError):
        transfers.transfer_request_decline(user=users.other_county_staff, transfer_request=request, note=" ")
    client.force_login(users.other_county_staff)
    url = reverse("children:transfer_request_decline", args=[request.pk])
    assert client.post(url, {"note": " "}).status_code == 200
    request.refresh_from_db()
    assert request.status == "pending"
    assert client.post(url, {"note": "该儿童仍在胶州市就读，监护人未迁居"}).status_code == 302
    request.refresh_from_db()
    held.refresh_from_db()
    assert (request.status, request.decision_note) == ("declined", "该儿童仍在胶州市就读，监护人未迁居")
    assert held.village == tree.v4 and not Transfer.objects.exists()
    back = Notification.objects.get(key=f"transfer-request-decided:{request.pk}")
    assert back.user == users.director and back.body == "该儿童仍在胶州市就读，监护人未迁居"
    # Decided once: accepting afterwards changes nothing.
    client.post(reverse("children:transfer_request_accept", args=[request.pk]))
    held.refresh_from_db()
    assert held.village == tree.v4
    client.force_login(users.director)
    body = client.get(reverse("children:transfer_request", args=[request.pk])).content.decode()
    assert "该儿童仍在胶州市就读" in body and "已拒绝" in body


def test_the_requester_may_withdraw_a_pending_request(client, users, tree, held):
    _request_through_the_pages(client, users.director, tree.v1)
    request = TransferRequest.objects.get()
    assert client.post(reverse("children:transfer_request_withdraw", args=[request.pk])).status_code == 302
    request.refresh_from_db()
    assert request.status == "withdrawn"
    client.force_login(users.other_county_staff)
    client.post(reverse("children:transfer_request_accept", args=[request.pk]))
    held.refresh_from_db()
    assert held.village == tree.v4


def test_a_user_of_a_third_county_can_neither_see_nor_decide_the_request(client, users, tree, held, third):
    _request_through_the_pages(client, users.director, tree.v1)
    request = TransferRequest.objects.get()
    client.force_login(third)
    for name in ("transfer_request", "transfer_request_accept", "transfer_request_decline"):
        url = reverse(f"children:{name}", args=[request.pk])
        assert client.get(url).status_code in (404, 405)
        assert client.post(url, {"note": "不同意"}).status_code == 404
    assert held.name not in client.get(reverse("children:transfer_requests")).content.decode()
    request.refresh_from_db()
    held.refresh_from_db()
    assert request.status == "pending" and held.village == tree.v4


def test_a_look_up_reference_serves_only_the_user_it_was_given_to(client, users, tree, held):
    client.force_login(users.director)
    token = _token(client.post(reverse("children:register"), _register_post(tree.v1)).content.decode())
    client.force_login(users.other_director)  # another village's director replays it
    response = client.post(
        reverse("children:transfer_request_new"), {"token": token, "to_village": tree.v2.code, "reason": "迁居"}
    )
    assert response.status_code == 200 and not TransferRequest.objects.exists()


def test_the_request_goes_only_to_a_village_of_the_requesters_area(users, tree, held):
    token = services.lookup_token(user=users.director, child_id=held.pk, name="刘晓军")
    with pytest.raises(ValidationError):
        transfers.transfer_request_create(user=users.director, token=token, to_village=tree.v2, reason="迁居")
    assert not TransferRequest.objects.exists()


def test_the_list_of_requests_takes_the_same_queries_for_many_rows(client, users, tree):
    def make(n):
        for i in range(n):
            child = ChildFactory(village=tree.v4)
            token = services.lookup_token(user=users.director, child_id=child.pk, name=f"某{i}")
            transfers.transfer_request_create(user=users.director, token=token, to_village=tree.v1, reason="迁居")

    def count(user):
        client.force_login(user)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("children:transfer_requests")).status_code == 200
        return len(ctx.captured_queries)

    make(2)
    few = count(users.director), count(users.other_county_staff)
    make(20)
    assert (count(users.director), count(users.other_county_staff)) == few
