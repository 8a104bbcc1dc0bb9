"""The installable app's files: the service worker from the root with its scope header and settings, the manifest
and its icons (each served, each of its declared size), the outbox page behind sign-in, and the head every page
gets (manifest, icons, the page script and its settings, no inline script)."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from offline import config

pytestmark = pytest.mark.django_db


def test_the_service_worker_is_served_from_the_root_with_its_settings(client, settings):
    settings.OFFLINE_CACHE_DAYS = 3
    response = client.get("/sw.js")  # no sign-in: the browser fetches it on its own
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    first, settings_line, rest = body.split("\n", 2)
    assert re.fullmatch(r"// version [0-9a-f]{12}", first)
    worker = json.loads(settings_line.removeprefix("const CONFIG = ").removesuffix(";"))
    assert worker["days"] == 3 and worker["outbox"] == "/offline/outbox/"
    assert worker["pages"]["zh-hans"]["body"] == "当前没有网络，本机也没有保存这个页面。"
    with open(finders.find("pwa/sw.js"), encoding="utf-8") as f:
        assert rest == f.read()
    settings.OFFLINE_CACHE_DAYS = 5
    assert client.get("/sw.js").content.split(b"\n")[0] != first.encode()  # new settings: a new worker


def test_the_manifest_names_the_app_and_its_icons_exist_in_their_sizes(client):
    from PIL import Image

    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "儿童关爱服务" and manifest["short_name"] == "儿童关爱"
    assert manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    purposes = set()
    for icon in manifest["icons"]:
        assert icon["src"].startswith("/static/pwa/icons/")  # our own files, no other server
        path = finders.find(icon["src"].removeprefix("/static/"))
        width, height = (int(n) for n in icon["sizes"].split("x"))
        with Image.open(path) as image:
            assert image.size == (width, height) and image.format == "PNG"
        purposes.add(icon["purpose"])
    assert {"any", "maskable"} <= purposes
    assert {"192x192", "512x512"} <= {i["sizes"] for i in manifest["icons"]}


def test_the_outbox_page_needs_a_sign_in(client, users):
    url = reverse("offline:outbox")
    assert client.get(url).status_code == 302
    client.force_login(users.director)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="outbox-list"' in html and "待发送箱" in html
    assert "7 天后删除" in html  # OFFLINE_CACHE_DAYS, default 7


def _offline_config(html: str) -> dict:
    found = re.search(r'<script id="offline-config" type="application/json">(.*?)</script>', html, re.S)
    assert found, "no offline settings in the page"
    return json.loads(found.group(1))


def test_every_page_gets_the_manifest_and_the_page_script_with_the_users_settings(client, users):
    client.force_login(users.director)
    response = client.get(reverse("visits:worklist"))
    html = response.content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert '<link rel="apple-touch-icon" href="/static/pwa/icons/apple-touch-icon.png">' in html
    assert '<script src="/static/pwa/offline.js" defer></script>' in html
    assert "<script>" not in html  # script-src 'self': nothing inline
    page = _offline_config(html)
    assert page["user"] == users.director.pk
    assert page["days"] == 7 and page["maxPhotos"] == 9
    assert page["api"] == "/api/v1/visits/" and page["logout"] == "/accounts/logout/"
    assert page["required"]["home"] == ["met_whom", "living_conditions", "caregiver_status", "safety_hazards", "mood"]
    assert page["text"]["saved"] == "已保存在本机，网络恢复后自动发送。"
    assert "/static/css/app.css" in page["static"]


def test_a_signed_out_page_tells_the_script_of_nobody(client):
    page = _offline_config(client.get(reverse("login")).content.decode())
    assert page["user"] is None and page["text"] == {}


@pytest.mark.parametrize(
    ("name", "path", "child"),
    [
        ("visits:new", "/visits/child/42/new/", "42"),
        ("children:detail", "/children/7/", "7"),
        ("visits:new", "/visits/child/42/", None),
        ("children:detail", "/children/7/edit/", None),
        ("children:detail", "/children/x/", None),
    ],
)
def test_the_page_patterns_match_only_their_pages(name, path, child):
    found = re.match(config.id_pattern(name), path)  # the same syntax in JavaScript: ^, \d+, escaped slashes
    assert (found.group(1) if found else None) == child
