"""Helpers for the production tests: run manage.py (or Python) in a fresh process with chosen environment."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The environment that makes "production" (README 正式运行, .env.example).
PRODUCTION_ENV = {
    "DEBUG": "false",
    "ALLOWED_HOSTS": "care.example.gov.cn",
    "CSRF_TRUSTED_ORIGINS": "https://care.example.gov.cn",
    "BEHIND_TLS_PROXY": "true",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_COOKIES": "true",
    "SECURE_HSTS_SECONDS": "31536000",
}


def run(args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_ALLOW"))}
    full_env.update({"DJANGO_SETTINGS_MODULE": "config.settings", **env})
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture
def production_env(tmp_path):
    return {**PRODUCTION_ENV, "SECRET_KEY": secrets.token_urlsafe(50), "VAR_DIR": str(tmp_path)}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Many sign-ins here; the production hasher's cost is not what these tests are about."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
