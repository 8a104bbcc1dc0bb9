"""Playwright against Debian's chromium (playwright cannot download its own browser here)."""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls of the fixtures are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"


@pytest.fixture(autouse=True)
def _need_chromium():
    from tests.conftest import require

    require(os.path.exists(CHROMIUM), "Chromium (apt-get install chromium fonts-wqy-microhei)")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--headless",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture
def phone(page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.set_default_timeout(15000)
    return page


@pytest.fixture
def sign_in(live_server):
    def _sign_in(page, username: str, password: str = "pw-Test-2026!"):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

    return _sign_in
