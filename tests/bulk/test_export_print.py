"""Exporting or printing the children ticked: only children the gate lets through go into the file, masked as the
user's role is shown, and each is written to the access log (export or PDF)."""

import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from bulk.models import BulkRun
from children.models import AccessLog


def _cells(response) -> str:
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return "\n".join(
        " ".join("" if v is None else str(v) for v in row) for row in book.active.iter_rows(values_only=True)
    )


def test_an_export_of_the_ticked_children_is_masked_and_logged(client, users, kids):
    a, b, far, v2 = kids["a"], kids["b"], kids["far"], kids["v2"]
    client.force_login(users.supervisor)  # a supervisor sees ID numbers masked
    response = client.post(reverse("bulk:children"), {"child": [a.pk, far.pk, b.pk], "do": "xlsx"})
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    text = _cells(response)
    assert "甲一" in text and "甲二" in text and "远方一" not in text and v2.name not in text
    assert a.id_number not in text and a.id_number[:6] in text  # masked
    rows = list(AccessLog.objects.values_list("child_id", "action"))
    assert sorted(rows) == sorted([(a.pk, "export"), (b.pk, "export")])
    run = BulkRun.objects.get()
    assert (run.kind, run.done, run.refused) == ("export", 2, 1)


def test_csv_export(client, users, kids):
    client.force_login(users.director)
    response = client.post(reverse("bulk:children"), {"child": [kids["a"].pk], "do": "csv"})
    assert "text/csv" in response["Content-Type"]
    text = response.content.decode("utf-8-sig")
    assert "甲一" in text and kids["a"].id_number in text and "甲二" not in text  # a director sees full numbers


def test_print_makes_one_pdf_and_logs_each_child(client, users, kids):
    a, b, far = kids["a"], kids["b"], kids["far"]
    client.force_login(users.director)
    response = client.post(reverse("bulk:children"), {"child": [a.pk, b.pk, far.pk], "do": "print"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert sorted(AccessLog.objects.values_list("child_id", "action")) == sorted([(a.pk, "pdf"), (b.pk, "pdf")])


def test_nothing_found_leads_to_the_result_page(client, users, kids):
    client.force_login(users.director)
    response = client.post(reverse("bulk:children"), {"child": [kids["far"].pk], "do": "print"})
    run = BulkRun.objects.get()
    assert response["Location"] == reverse("bulk:run", args=[run.pk])
    assert not AccessLog.objects.exists()


def test_print_is_capped_lower(client, users, kids):
    client.force_login(users.director)
    response = client.post(
        reverse("bulk:children"), {"child": [kids["a"].pk, *range(20_000, 20_050)], "do": "print"}, follow=True
    )
    assert "最多 50" in response.content.decode()
    assert not AccessLog.objects.exists() and not BulkRun.objects.exists()


def test_a_run_is_its_users_only(client, users, kids):
    client.force_login(users.director)
    client.post(reverse("bulk:children"), {"child": [kids["a"].pk], "do": "csv"})
    run = BulkRun.objects.get()
    assert client.get(reverse("bulk:run", args=[run.pk])).status_code == 200
    client.force_login(users.other_director)
    assert client.get(reverse("bulk:run", args=[run.pk])).status_code == 404


def _page_queries(client, run) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("bulk:run", args=[run.pk])).status_code == 200
    return len(ctx.captured_queries)


def test_the_result_page_has_a_fixed_number_of_queries(client, users, tree, kids):
    from tests.factories import ChildFactory

    client.force_login(users.director)
    few = [kids["a"].pk, kids["far"].pk]
    many = few + [ChildFactory(village=tree.v1).pk for _ in range(8)] + [kids["v2"].pk, 424242]
    client.post(reverse("bulk:children"), {"child": few, "do": "csv"})
    client.post(reverse("bulk:children"), {"child": many, "do": "csv"})
    first, second = BulkRun.objects.order_by("pk")
    assert (second.done, second.refused) == (9, 3)
    _page_queries(client, first)  # the session and caches warmed
    assert _page_queries(client, first) == _page_queries(client, second)


def test_a_liaison_holding_a_child_through_a_referral_exports_nothing(client, users, kids):
    """The shared level opens the reduced archive only: in a bulk action the child is not found, and not logged."""
    import datetime

    from guardianship import referrals

    referrals.referral_send(
        user=users.county_staff,
        child=kids["a"],
        department=users.department,
        service="psychological",
        reason="情绪低落",
        due_on=datetime.date.today() + datetime.timedelta(days=14),
    )
    client.force_login(users.liaison)
    for do in ("xlsx", "print", "transfer"):
        response = client.post(reverse("bulk:children"), {"child": [kids["a"].pk], "do": do})
        assert response.status_code in (200, 302) and "甲一" not in response.content.decode()
    response = client.post(
        reverse("bulk:transfer"),
        {"child": [kids["a"].pk], "to_village": "370283002001", "transferred_on": "2026-01-10", "reason": "迁居"},
    )
    kids["a"].refresh_from_db()
    assert kids["a"].village_id == "370283001001"
    assert not AccessLog.objects.filter(user=users.liaison).exists()
    assert set(BulkRun.objects.values_list("refused", flat=True)) == {1}


def test_the_whole_page_without_ticking_each_row(client, users, kids):
    a, b, c = kids["a"], kids["b"], kids["c"]
    client.force_login(users.director)
    page = client.get(reverse("children:list")).content.decode()
    assert 'name="whole_page"' in page and f'name="page_child" value="{a.pk}"' in page
    rows = {"page_child": [a.pk, b.pk, c.pk], "do": "csv"}
    response = client.post(reverse("bulk:children"), {**rows, "whole_page": "1"})
    text = response.content.decode("utf-8-sig")
    assert "甲一" in text and "甲二" in text and "甲三" in text
    response = client.post(reverse("bulk:children"), rows, follow=True)  # the page's rows alone are no selection
    assert "至少勾选一名儿童" in response.content.decode()
    assert AccessLog.objects.count() == 3
