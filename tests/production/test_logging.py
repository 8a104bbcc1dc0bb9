"""One JSON line per request and per Celery task, with the user's id and never their name or the query string."""

import json
import logging

from config.logging import JsonFormatter


def _request_lines(caplog) -> list[dict]:
    formatter = JsonFormatter()
    return [json.loads(formatter.format(r)) for r in caplog.records if r.name == "care.request"]


def test_one_json_line_per_request_with_user_id_and_no_query_or_names(client, users, caplog):
    director = users.director
    director.phone = "13800138000"
    director.save()
    client.force_login(director)
    with caplog.at_level(logging.INFO, logger="care.request"):
        client.get("/visits/worklist/?q=110101201001011234&name=张三")
        client.get("/no-such-page/")
    lines = _request_lines(caplog)
    assert len(lines) == 2
    first, second = lines
    assert set(first) >= {"time", "method", "path", "status", "duration_ms", "user_id"}
    assert first["method"] == "GET" and first["path"] == "/visits/worklist/" and first["status"] == 200
    assert first["user_id"] == director.pk and isinstance(first["duration_ms"], float)
    assert second["status"] == 404 and second["path"] == "/no-such-page/"
    raw = "\n".join(JsonFormatter().format(r) for r in caplog.records if r.name == "care.request")
    for secret in ("110101201001011234", "张三", director.username, director.last_name, "13800138000", "?"):
        assert secret not in raw


def test_anonymous_requests_log_no_user(client, db, caplog):
    with caplog.at_level(logging.INFO, logger="care.request"):
        client.post("/accounts/login/", {"username": "nobody", "password": "secret-Pw-1!"})
    (line,) = _request_lines(caplog)
    assert line["method"] == "POST" and line["user_id"] is None and "secret" not in json.dumps(line)


def test_the_formatter_writes_one_parseable_line_even_for_multiline_messages():
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "two\nlines", None, None)
    text = JsonFormatter().format(record)
    assert "\n" not in text and json.loads(text)["message"] == "two\nlines"


def test_celery_tasks_log_one_line_each(caplog):
    from config.celery import app

    @app.task(name="tests.production.sample_task")
    def sample_task(child_id):
        return child_id

    with caplog.at_level(logging.INFO, logger="care.task"):
        sample_task.apply(args=[987654321])
    lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name == "care.task"]
    assert len(lines) == 1
    assert lines[0]["task"] == "tests.production.sample_task" and lines[0]["state"] == "SUCCESS"
    assert lines[0]["duration_ms"] >= 0 and "987654321" not in json.dumps(lines[0])


def test_settings_route_every_log_through_the_json_formatter(settings):
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "json"
    assert settings.LOGGING["formatters"]["json"]["()"] == "config.logging.JsonFormatter"
