"""A real server for tests that need one: gunicorn in a subprocess on a free port, and a client that keeps cookies.

Used by tests that run the app as deployed (a PostgreSQL restart under it, PgBouncer in front of its database)."""

import contextlib
import http.cookiejar
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

from tests.faults.conftest import free_port, wait_port

ROOT = Path(__file__).resolve().parents[1]


class Browser:
    """urllib with cookies, never following redirects (so each response is seen as served)."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def open(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")

    def csrf_token(self, path: str) -> str:
        """The form's CSRF token on the page at `path`."""
        status, page = self.open(path)
        assert status == 200, (path, status)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def sign_in(self, username: str, password: str) -> None:
        token = self.csrf_token("/accounts/login/")
        status, _ = self.open(
            "/accounts/login/", {"csrfmiddlewaretoken": token, "username": username, "password": password}
        )
        assert status == 302, "sign-in failed"


@contextlib.contextmanager
def gunicorn(tmp_path: Path, database_url: str, *, args: tuple[str, ...] = (), **env: str) -> Iterator[str]:
    """gunicorn serving `database_url` (one worker unless `args` say otherwise) with DEBUG off and no Redis; `env`
    adds or overrides environment variables. Yields the base URL; its log is tmp_path/gunicorn.log."""
    port = free_port()
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_ALLOW"))}
    full_env.update(
        {
            "DATABASE_URL": database_url,
            "REDIS_URL": "",
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECRET_KEY": "live-test-" + "x" * 40,
            "VAR_DIR": str(tmp_path / "var"),
            "STATIC_ROOT": str(tmp_path / "static"),
            "MEDIA_ROOT": str(tmp_path / "media"),
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            **env,
        }
    )
    collectstatic = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"]
    subprocess.run(collectstatic, cwd=ROOT, env=full_env, check=True)
    command = [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}"]
    with open(tmp_path / "gunicorn.log", "w") as log:
        proc = subprocess.Popen(
            [*command, "--workers", "1", "--timeout", "30", *args],
            cwd=ROOT,
            env=full_env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    try:
        wait_port(port, up=True, timeout=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
