"""Every error in one shape, in Chinese and English, whatever the page's language."""

import pytest

from .conftest import http

pytestmark = pytest.mark.django_db


def test_a_404_has_the_shape_in_both_languages(api):
    for url in (f"/api/v1/children/{api.other_child.pk}/", "/api/v1/no-such-thing/", "/api/v1/children/abc/"):
        response = http(api.county.key).get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 404, url
        assert response.json() == {
            "error": {"code": "not_found", "message_zh": "未找到。", "message_en": "Not found.", "fields": {}}
        }


def test_a_control_character_in_an_api_url_is_a_json_400(api):
    response = http(api.county.key).get("/api/v1/children/?area=%00")
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "bad_request",
        "message_zh": "请求中含有控制字符。",
        "message_en": "The request contains a control character.",
        "fields": {},
    }


def test_control_characters_and_broken_unicode_in_posted_text_are_400(api):
    import json

    for text in ("奶奶\x1b[31m", "奶奶\ud800"):
        body = {"child": api.child.pk, "client_key": "x", "kind": "school", "met_whom": text}
        body["visited_at"] = "2026-11-20T10:00:00+08:00"
        response = http(api.county.key).generic(
            "POST", "/api/v1/visits/", json.dumps(body), content_type="application/json"
        )  # json.dumps escapes the lone surrogate as \ud800, as a client's JSON would
        assert response.status_code == 400, response.content
        assert list(response.json()["error"]["fields"]) == ["met_whom"]
    assert not api.child.visits.exists()


def test_a_validation_error_names_each_field(api):
    response = http(api.county.key).post("/api/v1/visits/", {"child": "x", "visited_at": "soon"}, format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"child", "visited_at"}
    assert fields["child"][0]["message_en"] == "A valid integer is required."
    assert fields["child"][0]["message_zh"] == "请填写合法的整数值。"
