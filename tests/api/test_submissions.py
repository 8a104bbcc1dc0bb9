"""POST /api/v1/submissions/: a department's list through the same service as the upload page (exchange.matching).
The client's scope, its department, bad rows answered 400 with nothing stored."""

import pytest

from api.models import Scope
from exchange.models import ChangeProposal, Source, Submission

from .conftest import ID_A, ID_A2, http, make_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/submissions/"


def _post(key, body):
    return http(key).post(URL, body, format="json")


def test_a_department_posts_two_lists_and_the_change_is_proposed(api):
    first = _post(
        api.dept.key,
        {
            "kind": "school",
            "rows": [
                {"name": "李小明", "id_number": ID_A, "status": "enrolled"},
                {"name": "李小红", "id_number": ID_A2, "status": "enrolled"},
            ],
        },
    )
    assert first.status_code == 201, first.content
    assert (first.json()["rows_n"], first.json()["matched_n"], first.json()["proposals_n"]) == (2, 2, 0)
    second = _post(
        api.dept.key,
        {
            "kind": "school",
            "rows": [
                {"name": "李小明", "id_number": ID_A, "status": "dropped_out"},
                {"name": "李小红", "id_number": ID_A2, "status": "enrolled"},
            ],
        },
    )
    assert second.status_code == 201, second.content
    body = second.json()
    assert (body["changed_n"], body["proposals_n"], body["kind"]) == (1, 1, "school")
    assert list(ChangeProposal.objects.values_list("child_id", "kind")) == [(api.child.pk, "dropout")]
    source = Source.objects.get()
    assert (source.department_id, source.kind) == (api.dept.user.department_id, "school")
    assert Submission.objects.filter(source=source).count() == 2


def test_chinese_codes_through_a_profile(api):
    from exchange.profiles import SHIPPED_NAME, shipped_profile

    shipped_profile()
    response = _post(
        api.dept.key,
        {"kind": "school", "profile": SHIPPED_NAME, "rows": [{"姓名": "李小明", "身份证号": ID_A, "就学状况": "辍学"}]},
    )
    assert response.status_code == 201, response.content
    assert response.json()["proposals_n"] == 1


def test_a_bad_row_is_a_400_and_nothing_is_stored(api):
    response = _post(
        api.dept.key,
        {"kind": "school", "rows": [{"name": "李小明", "id_number": "370283201506011231", "status": "dropped_out"}]},
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    # The row's message in Chinese and in English, the ID number check's own words put in each (typed in here).
    assert error["fields"] == {
        "non_field": [
            {
                "code": "invalid",
                "message_zh": "第 1 行：身份证号最后一位校验码不正确，请核对号码。",
                "message_en": "Row 1: The last character of this ID number does not match its check digit; "
                "please check the number.",
            }
        ]
    }
    assert not Submission.objects.exists()


def test_row_errors_with_values_read_in_both_languages(api):
    """A cell check that puts values into its words (a name too long, a status not in the code list), a
    repeated person, and the count of rows beyond those shown: each message whole in each language."""
    rows = [
        {"name": "李" * 51, "id_number": ID_A, "status": "enrolled"},
        {"name": "李小明", "id_number": ID_A, "status": "graduated"},
        {"name": "王小红", "birth_date": "2015-06-01", "status": "enrolled"},
        {"name": "王小红", "birth_date": "2015-06-01", "status": "enrolled"},
    ] + [{"name": f"无号{n}", "status": "enrolled"} for n in range(20)]
    response = _post(api.dept.key, {"kind": "school", "rows": rows})
    assert response.status_code == 400
    items = response.json()["error"]["fields"]["non_field"]
    assert [(i["message_zh"], i["message_en"]) for i in items[:3]] == [
        ("第 1 行：姓名超过 50 个字符。", "Row 1: the name is longer than 50 characters."),
        (
            "第 2 行：状态须为以下之一：died、disabled、dropped_out、enrolled、on_roll、parent_detained、"
            "parent_returned、seriously_ill。",
            "Row 2: the status must be one of: died、disabled、dropped_out、enrolled、on_roll、parent_detained、"
            "parent_returned、seriously_ill.",
        ),
        ("第 4 行：与第 3 行是同一人。", "Row 4: the same person as row 3."),
    ]
    assert len(items) == 21
    assert (items[-1]["message_zh"], items[-1]["message_en"]) == ("……另有 3 行有误。", "… and 3 more rows with errors.")
    assert not Submission.objects.exists()


def test_without_the_scope_403(api, users):
    limited = make_client(api.dept.user, department=users.department, scopes=[Scope.READ_CHILDREN], name="只读")
    response = _post(
        limited.key, {"kind": "school", "rows": [{"name": "李小明", "id_number": ID_A, "status": "enrolled"}]}
    )
    assert response.status_code == 403
    assert not Submission.objects.exists()


def test_an_area_client_names_a_department_of_its_area(api, users):
    response = _post(
        api.county.key,
        {
            "kind": "school",
            "department": users.department.pk,
            "rows": [{"name": "李小明", "id_number": ID_A, "status": "enrolled"}],
        },
    )
    assert response.status_code == 201, response.content
    other = _post(
        api.other_county.key,
        {
            "kind": "school",
            "department": users.department.pk,
            "rows": [{"name": "李小明", "id_number": ID_A, "status": "enrolled"}],
        },
    )
    assert other.status_code == 403
