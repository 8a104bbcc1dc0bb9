"""The pages: a liaison uploads a list; a director sees and decides the changes of their children only; outsiders
get 404; the lists are read in a fixed number of queries."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from exchange.models import ChangeProposal, Submission
from tests.exchange.conftest import ID_DETAINED, ID_DIED, ID_DROPOUT, ID_PUPIL, receive

pytestmark = pytest.mark.django_db


def _csv(lines: list[str]) -> SimpleUploadedFile:
    return SimpleUploadedFile("list.csv", ("\n".join(lines) + "\n").encode("utf-8"))


def test_a_liaison_uploads_a_list_through_the_shipped_profile(client, users, lists):
    from exchange.profiles import shipped_profile

    profile = shipped_profile()
    client.force_login(users.liaison)
    response = client.post(
        reverse("exchange:sources"),
        {
            "department": users.department.pk,
            "kind": "school",
            "profile": profile.pk,
            "file": _csv(["姓名,身份证号码,就学状况", f"李小辍,{ID_DROPOUT},辍学", f"孙小学,{ID_PUPIL},在校"]),
        },
    )
    submission = Submission.objects.get()
    assert response.status_code == 302 and response.url == reverse("exchange:submission", args=[submission.pk])
    assert (submission.rows_n, submission.proposals_n, submission.via) == (2, 1, "upload")
    assert client.get(response.url).status_code == 200


def test_a_bad_upload_shows_the_row_and_stores_nothing(client, users, lists):
    from exchange.profiles import shipped_profile

    client.force_login(users.liaison)
    response = client.post(
        reverse("exchange:sources"),
        {
            "department": users.department.pk,
            "kind": "school",
            "profile": shipped_profile().pk,
            "file": _csv(["姓名,身份证号码,就学状况", f"李小辍,{ID_DROPOUT},毕业"]),
        },
    )
    assert response.status_code == 200
    assert "第 2 行" in response.content.decode()
    assert not Submission.objects.exists()


def test_a_bad_upload_reads_in_english_on_the_english_page(client, users, lists):
    """The row's message and the cell check's words in it are in the page's language, whole."""
    from exchange.profiles import shipped_profile

    client.force_login(users.liaison)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("exchange:sources"),
        {
            "department": users.department.pk,
            "kind": "school",
            "profile": shipped_profile().pk,
            "file": _csv(["姓名,身份证号码,出生日期,就学状况", "李小辍,,2015-02-30,在校"]),
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Row 2: the date of birth is not a valid date." in body
    assert "第 2 行" not in body and "不是有效日期" not in body


def test_a_liaison_cannot_upload_to_another_departments_source(client, users, lists):
    from exchange.profiles import shipped_profile

    client.force_login(users.liaison)
    response = client.post(
        reverse("exchange:sources"),
        {
            "department": lists.police.department_id,
            "kind": "police",
            "profile": shipped_profile().pk,
            "file": _csv(["姓名,身份证号码,状态", f"赵小故,{ID_DIED},死亡"]),
        },
    )
    assert response.status_code == 200  # the choice is not offered: a form error
    assert not Submission.objects.exists()


def test_directors_see_their_own_childrens_changes(client, users, lists, django_assert_max_num_queries):
    receive(users.liaison, lists.school, [{"name": "李小辍", "id_number": ID_DROPOUT, "status": "dropped_out"}])
    receive(
        lists.police_liaison,
        lists.police,
        [
            {"name": "张小押", "id_number": ID_DETAINED, "status": "parent_detained", "relation": "father"},
            {"name": "赵小故", "id_number": ID_DIED, "status": "died"},
        ],
    )
    client.force_login(users.director)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("exchange:changes"))
    page = response.content.decode()
    assert "李小辍" in page and "张小押" in page and "赵小故" in page
    client.force_login(users.other_director)
    page = client.get(reverse("exchange:changes")).content.decode()
    assert "李小辍" not in page


def test_the_changes_page_query_count_does_not_grow(client, users, lists, django_assert_max_num_queries):
    receive(users.liaison, lists.school, [{"name": "李小辍", "id_number": ID_DROPOUT, "status": "dropped_out"}])
    client.force_login(users.director)
    with django_assert_max_num_queries(12) as one:
        client.get(reverse("exchange:changes"))
    receive(
        lists.police_liaison,
        lists.police,
        [
            {"name": "张小押", "id_number": ID_DETAINED, "status": "parent_detained", "relation": "father"},
            {"name": "赵小故", "id_number": ID_DIED, "status": "died"},
        ],
    )
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(reverse("exchange:changes"))


def test_outsiders_get_404_on_a_change(client, users, lists):
    receive(users.liaison, lists.school, [{"name": "李小辍", "id_number": ID_DROPOUT, "status": "dropped_out"}])
    proposal = ChangeProposal.objects.get()
    client.force_login(users.other_director)
    assert client.post(reverse("exchange:confirm", args=[proposal.pk])).status_code == 404
    assert client.post(reverse("exchange:dismiss", args=[proposal.pk]), {"reason": "x"}).status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == "pending"


def test_outsiders_get_404_on_a_submission(client, users, lists):
    submission = receive(
        users.liaison, lists.school, [{"name": "李小辍", "id_number": ID_DROPOUT, "status": "enrolled"}]
    )
    client.force_login(users.other_county_staff)
    assert client.get(reverse("exchange:submission", args=[submission.pk])).status_code == 404
    client.force_login(lists.police_liaison)
    assert client.get(reverse("exchange:submission", args=[submission.pk])).status_code == 404


def test_confirming_a_dropout_leads_to_the_return_to_school_plan(client, users, lists):
    receive(users.liaison, lists.school, [{"name": "李小辍", "id_number": ID_DROPOUT, "status": "dropped_out"}])
    proposal = ChangeProposal.objects.get()
    client.force_login(users.supervisor)
    response = client.post(reverse("exchange:confirm", args=[proposal.pk]))
    assert response.status_code == 302
    assert response.url == reverse("plans:new", args=[lists.dropout.pk]) + "?kind=return_to_school"


def test_dismissing_needs_a_reason(client, users, lists):
    receive(users.liaison, lists.school, [{"name": "李小辍", "id_number": ID_DROPOUT, "status": "dropped_out"}])
    proposal = ChangeProposal.objects.get()
    client.force_login(users.director)
    client.post(reverse("exchange:dismiss", args=[proposal.pk]), {"reason": ""})
    proposal.refresh_from_db()
    assert proposal.status == "pending"
    client.post(reverse("exchange:dismiss", args=[proposal.pk]), {"reason": "已转学"})
    proposal.refresh_from_db()
    assert (proposal.status, proposal.reason) == ("dismissed", "已转学")


def test_a_departments_first_upload_makes_its_source(client, users, lists):
    from exchange.models import Source
    from exchange.profiles import shipped_profile

    client.force_login(users.liaison)
    response = client.post(
        reverse("exchange:sources"),
        {
            "department": users.department.pk,
            "kind": "welfare",
            "profile": shipped_profile().pk,
            "file": _csv(["姓名,身份证号码,状态", f"孙小学,{ID_PUPIL},低保"]),
        },
    )
    assert response.status_code == 302
    source = Source.objects.get(department=users.department, kind="welfare")
    assert source.submissions.get().matched_n == 1


def test_the_sources_page_query_count_does_not_grow(client, users, lists, django_assert_max_num_queries):
    receive(users.liaison, lists.school, [{"name": "李小辍", "id_number": ID_DROPOUT, "status": "enrolled"}])
    client.force_login(users.county_staff)
    with django_assert_max_num_queries(20) as one:
        assert client.get(reverse("exchange:sources")).status_code == 200
    receive(users.liaison, lists.school, [{"name": "李小辍", "id_number": ID_DROPOUT, "status": "dropped_out"}])
    receive(lists.police_liaison, lists.police, [{"name": "赵小故", "id_number": ID_DIED, "status": "died"}])
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(reverse("exchange:sources")).content.decode()
    assert page.count(reverse("exchange:submission", args=[Submission.objects.order_by("pk").last().pk])) == 1
