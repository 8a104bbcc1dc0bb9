"""Production settings: `check --deploy` is clean, every setting is in .env.example, the deploy files agree
with the settings."""

import json
import re
import runpy

import pytest

from .conftest import ROOT, run


def test_check_deploy_gives_no_warning_under_production_settings(production_env):
    done = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], {**production_env, "DATABASE_URL": ""})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout, done.stdout + done.stderr
    assert "WARNINGS" not in done.stderr


def test_check_deploy_does_warn_without_the_production_variables(production_env):
    """The test above means something: leave out HSTS and secure cookies and the check complains."""
    env = {**production_env, "DATABASE_URL": "", "SECURE_HSTS_SECONDS": "0", "SECURE_COOKIES": "false"}
    done = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert done.returncode != 0
    assert "security.W004" in done.stderr and "security.W012" in done.stderr


def _settings_in_process(env: dict[str, str], expression: str):
    code = (
        f"import django, json; django.setup(); from django.conf import settings as s; print(json.dumps({expression}))"
    )
    done = run(["-c", code], env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_production_switches_and_database_reconnect(production_env):
    values = _settings_in_process(
        {**production_env, "DATABASE_URL": "postgres://care@db.internal:5432/careservices"},
        "[s.SECURE_PROXY_SSL_HEADER, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS, s.X_FRAME_OPTIONS, s.SECURE_REFERRER_POLICY,"
        " s.DATABASES['default']['CONN_HEALTH_CHECKS']]",
    )
    assert values == [
        ["HTTP_X_FORWARDED_PROTO", "https"],
        True,
        True,
        True,
        31536000,
        "DENY",
        "same-origin",
        True,
    ]


def test_proxy_header_name_is_configurable(production_env):
    header = _settings_in_process(
        {**production_env, "DATABASE_URL": "", "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_SSL=on"},
        "s.SECURE_PROXY_SSL_HEADER",
    )
    assert header == ["HTTP_X_FORWARDED_SSL", "on"]
    assert _settings_in_process({"DATABASE_URL": "", "BEHIND_TLS_PROXY": "false"}, "s.SECURE_PROXY_SSL_HEADER") is None


def test_upload_storage_comes_from_the_environment(production_env):
    storage = _settings_in_process(
        {
            **production_env,
            "DATABASE_URL": "",
            "FILE_STORAGE_BACKEND": "storages.backends.s3.S3Storage",
            "FILE_STORAGE_OPTIONS": '{"bucket_name": "care"}',
        },
        "s.STORAGES['default']",
    )
    assert storage == {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {"bucket_name": "care"}}


def _env_names(path) -> set[str]:
    text = path.read_text()
    names = set(re.findall(r'env_(?:str|bool|int|list)\("([A-Z0-9_]+)"', text))
    names |= set(re.findall(r'_int\("([A-Z0-9_]+)"', text))
    names |= set(re.findall(r'os\.environ\.get\("([A-Z0-9_]+)"', text))
    return names


def test_env_example_lists_every_variable_the_settings_read():
    example = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", example, flags=re.M))
    listed |= set(re.findall(r"\b(WEB_CONCURRENCY)\b", example))
    read = _env_names(ROOT / "config" / "settings.py") | _env_names(ROOT / "config" / "gunicorn.py")
    read -= {"DJANGO_SETTINGS_MODULE"}
    assert read - listed == set()


@pytest.mark.parametrize(
    ("env", "expected"), [({}, None), ({"GUNICORN_WORKERS": "3"}, 3), ({"WEB_CONCURRENCY": "4"}, 4)]
)
def test_gunicorn_workers_from_the_environment_default_one_per_core_plus_one(monkeypatch, env, expected):
    import os

    for name in ("GUNICORN_WORKERS", "WEB_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    conf = runpy.run_path(str(ROOT / "config" / "gunicorn.py"))
    assert conf["workers"] == (expected or len(os.sched_getaffinity(0)) + 1)
    assert conf["bind"] == "127.0.0.1:8001" and conf["accesslog"] is None


def test_nginx_site_matches_the_upload_limit_and_never_serves_media(settings):
    site = (ROOT / "deploy" / "nginx" / "careservices.conf").read_text()
    size = re.search(r"client_max_body_size (\d+)m;", site)
    limit_mb = int(size.group(1))
    # Lets a file of exactly UPLOAD_MAX_BYTES through with its form, and not much more.
    assert settings.UPLOAD_MAX_BYTES <= limit_mb * 1024 * 1024 <= settings.UPLOAD_MAX_BYTES + 2 * 1024 * 1024
    assert re.search(r"location /media/ \{\s*return 404;", site)
    assert "alias /var/lib/careservices/media" not in site
    for header in ("X-Forwarded-Proto $scheme", "X-Real-IP $remote_addr", "Host $host"):
        assert f"proxy_set_header {header};" in site
    assert "listen 443 ssl" in site and "return 301 https://" in site


def test_systemd_units_start_each_piece_with_one_command():
    units = ROOT / "deploy" / "systemd"
    starts = {
        p.name: re.search(r"^ExecStart=(.+)$", p.read_text(), flags=re.M).group(1) for p in units.glob("*.service")
    }
    assert starts == {
        "careservices-web.service": "/srv/careservices/.venv/bin/gunicorn -c config/gunicorn.py config.wsgi",
        "careservices-worker.service": "/srv/careservices/.venv/bin/celery -A config worker --loglevel=INFO",
        "careservices-beat.service": "/srv/careservices/.venv/bin/celery -A config beat --loglevel=INFO",
    }
    for unit in units.glob("*.service"):
        assert "EnvironmentFile=/etc/careservices/env" in unit.read_text()


PG_URL = "postgres://care@db.internal:5432/careservices"


@pytest.mark.parametrize(
    ("env", "no_server_side_cursors"),
    [
        ({"DATABASE_URL": PG_URL}, False),  # PostgreSQL, directly
        ({"DATABASE_URL": PG_URL, "DATABASE_POOLER": "session"}, False),
        ({"DATABASE_URL": PG_URL, "DATABASE_POOLER": "transaction"}, True),
        ({"DATABASE_URL": PG_URL, "DATABASE_POOLER": "Transaction"}, True),
        ({"DATABASE_URL": ""}, None),  # SQLite
    ],
    ids=["direct", "session-pooler", "transaction-pooler", "transaction-pooler-any-case", "sqlite"],
)
def test_the_pooler_setting_and_django_s_own_sessions(env, no_server_side_cursors):
    """A transaction-mode pooler (DATABASE_POOLER=transaction) turns server-side cursors off; sessions and the
    signed-in user are read by Django's own session engine and ModelBackend everywhere (no hand-prepared reads)."""
    values = _settings_in_process(
        env,
        "[s.SESSION_ENGINE, s.AUTHENTICATION_BACKENDS[1], s.DATABASES['default'].get('DISABLE_SERVER_SIDE_CURSORS')]",
    )
    assert values == [
        "django.contrib.sessions.backends.db",
        "django.contrib.auth.backends.ModelBackend",
        no_server_side_cursors,
    ]


def test_an_unknown_pooler_mode_is_refused():
    done = run(["manage.py", "check"], {"DATABASE_URL": PG_URL, "DATABASE_POOLER": "statement"})
    assert done.returncode != 0 and "DATABASE_POOLER must be" in done.stderr
