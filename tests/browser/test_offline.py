"""Offline visits, measured in Chromium (issue 17): after one online visit to the worklist the browser context goes
offline (the service worker's own fetches fail too, checked); three visits are recorded, one with a photo, and pages
are reloaded offline; back online the outbox is sent, the first answer being lost on the way so that the phone sends
that visit again; the server holds each visit exactly once with its photo. Signing out with unsent visits warns;
afterwards nothing of the user is left in the browser's caches or storage."""

import io

import pytest

from visits.models import Visit, VisitPhoto

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOGOUT = "form[action='/accounts/logout/']"
OFFLINE_PROBE = "fetch('/healthz', {cache: 'no-store'}).then(() => 'online', () => 'offline')"
STORAGE = """async () => ({
    caches: await caches.keys(),
    databases: (await indexedDB.databases()).map((d) => d.name),
    local: localStorage.length,
    session: sessionStorage.length,
})"""


def _until(page, expression: str, timeout: float = 15.0):
    """Poll an expression through page.evaluate (CDP): wait_for_function polls with eval, which our CSP refuses."""
    import time

    from playwright.sync_api import Error

    end = time.monotonic() + timeout
    while True:
        try:
            value = page.evaluate(expression)
        except Error:  # the page was being replaced: ask the next one
            value = None
        if value:
            return value
        assert time.monotonic() < end, f"timed out: {expression}"
        page.wait_for_timeout(100)


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _fill_home_visit(page, met: str) -> None:
    page.select_option("select[name=kind]", "home")
    page.fill("input[name=met_whom]", met)
    page.check("input[name=living_conditions][value=fair]", force=True)
    page.check("input[name=caregiver_status][value=good]", force=True)
    page.fill("input[name=safety_hazards]", "无")
    page.check("input[name=mood][value=good]", force=True)
    page.fill("textarea[name=help_given]", "送去冬衣")


def test_three_visits_recorded_offline_reach_the_server_once_each(phone, users, tree, live_server, sign_in):
    from tests.visits.test_views import _orphans

    _orphans(tree.v1, 3, last_visit_days_ago=50)
    before = set(Visit.objects.values_list("pk", flat=True))
    page = phone
    context = page.context
    sign_in(page, "director")

    # One online visit to the worklist: the worker takes control, the pages are kept.
    page.goto(f"{live_server.url}/visits/worklist/")
    _until(page, "navigator.serviceWorker.controller !== null")
    page.wait_for_selector("html[data-offline-kept]")
    forms = [a.get_attribute("href") for a in page.locator(".work-row a.button").all()]
    children = [int(r.get_attribute("data-child")) for r in page.locator(".work-row").all()]
    assert len(forms) == 3 and len(set(children)) == 3

    context.set_offline(True)
    assert page.evaluate(OFFLINE_PROBE) == "offline"  # not even the service worker reaches the server

    for i, form in enumerate(forms):
        page.goto(f"{live_server.url}{form}")
        page.wait_for_selector("form[data-offline=ready]")
        _fill_home_visit(page, f"奶奶{i}")
        if i == 1:
            page.set_input_files(
                "input[name=photos]", files=[{"name": "家.png", "mimeType": "image/png", "buffer": _png()}]
            )
        page.click("button[type=submit]")
        page.wait_for_url("**/offline/outbox/")
        page.wait_for_selector(f"html[data-outbox='{i + 1}']")

    # Reloaded offline: the outbox, the worklist and a child's summary come from the phone.
    page.reload()
    page.wait_for_selector("html[data-outbox='3']")
    assert page.locator(".outbox-item.waiting").count() == 3
    assert page.locator(".outbox-item[data-photos='1']").count() == 1
    page.goto(f"{live_server.url}/visits/worklist/")
    assert page.locator(".work-row").count() == 3
    page.wait_for_selector("#offline-banner .offline-state")
    page.goto(f"{live_server.url}/")  # the app's start page, opened from the home screen
    assert page.locator(".work-row").count() == 3
    # Every script and stylesheet the page loads came from the phone too.
    loaded = page.evaluate(
        "[...document.querySelectorAll('script[src], link[rel=stylesheet]')].map((e) => e.src || e.href)"
    )
    assert loaded and all(page.evaluate(f"fetch('{url}').then((r) => r.ok, () => false)") for url in loaded), loaded
    page.goto(f"{live_server.url}/children/{children[0]}/")
    assert page.locator("h1").count() >= 1 and "503" not in page.title()
    assert set(Visit.objects.values_list("pk", flat=True)) == before  # nothing reached the server

    # Signing out with unsent visits warns; declining keeps everything.
    messages = []

    def decline(dialog):
        messages.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", decline)
    page.evaluate(f'document.querySelector("{LOGOUT}").requestSubmit()')
    page.wait_for_timeout(500)
    assert messages and "3" in messages[0]
    assert "/accounts/login/" not in page.url

    # Back online. The first answer of the server is lost on the way: that visit is sent again on the next load.
    lost = []

    def lose_first_answer(route):
        if route.request.method == "POST" and not lost:
            route.fetch()  # the server records it ...
            lost.append(1)
            route.abort("internetdisconnected")  # ... and the phone never hears back
        else:
            route.continue_()

    page.route("**/api/v1/visits/", lose_first_answer)
    page.goto(f"{live_server.url}/offline/outbox/")  # reached while still offline: from the phone
    context.set_offline(False)
    _until(page, "document.documentElement.dataset.outbox !== undefined")
    page.wait_for_timeout(1000)
    assert lost == [1]
    page.reload()
    page.wait_for_selector("html[data-outbox='0']", timeout=20000)
    page.unroute("**/api/v1/visits/")

    made = Visit.objects.exclude(pk__in=before)
    assert made.count() == 3
    assert sorted(made.values_list("child_id", flat=True)) == sorted(children)
    assert sorted(made.values_list("met_whom", flat=True)) == ["奶奶0", "奶奶1", "奶奶2"]
    assert set(made.values_list("created_by__username", flat=True)) == {"director"}
    photos = VisitPhoto.objects.filter(visit__in=made)
    assert photos.count() == 1
    photo = photos.get()
    assert photo.visit.met_whom == "奶奶1" and photo.image.name.endswith(".png")
    with photo.image.open("rb") as f:
        assert f.read() == _png()
    assert all(v.history.count() == 1 for v in made)  # history kept, as for the web form

    # Signing out (nothing unsent: no warning) leaves nothing of the user in the browser.
    page.goto(f"{live_server.url}/visits/worklist/")
    page.wait_for_selector("html[data-offline-kept]")
    assert page.evaluate(STORAGE)["caches"]  # pages were kept again
    page.evaluate(f'document.querySelector("{LOGOUT}").requestSubmit()')
    page.wait_for_url("**/accounts/login/**")
    left = page.evaluate(STORAGE)
    assert left == {"caches": [], "databases": [], "local": 0, "session": 0}


def _record_offline(page, live_server, context):
    """One online visit to the worklist, then offline; a home visit for the first child. Returns its id."""
    page.goto(f"{live_server.url}/visits/worklist/")
    _until(page, "navigator.serviceWorker.controller !== null")
    page.wait_for_selector("html[data-offline-kept]")
    row = page.locator(".work-row").first
    child_id = int(row.get_attribute("data-child"))
    form = row.locator("a.button").get_attribute("href")
    context.set_offline(True)
    page.goto(f"{live_server.url}{form}")
    page.wait_for_selector("form[data-offline=ready]")
    _fill_home_visit(page, "爷爷")
    page.click("button[type=submit]")
    page.wait_for_url("**/offline/outbox/")
    page.wait_for_selector("html[data-outbox='1']")
    return child_id


def test_a_visit_refused_on_arrival_comes_back_with_the_reason(phone, users, tree, live_server, sign_in):
    from children.models import Child
    from tests.visits.test_views import _orphans

    _orphans(tree.v1, 1, last_visit_days_ago=50)
    page = phone
    sign_in(page, "director")
    child_id = _record_offline(page, live_server, page.context)
    page.goto(f"{live_server.url}/visits/worklist/")  # offline, from the phone: the child says its visit waits
    page.wait_for_selector(f".work-row[data-child='{child_id}'] .offline-tag")
    assert page.locator(f".work-row[data-child='{child_id}'] .offline-tag").count() == 1

    Child.objects.filter(pk=child_id).update(status="closed")  # closed meanwhile, by someone else
    page.goto(f"{live_server.url}/offline/outbox/")
    page.context.set_offline(False)
    page.wait_for_selector(".outbox-item.refused")
    item = page.locator(".outbox-item.refused")
    assert "这份档案已销档，不能再记录走访。" in item.inner_text()  # the server's reason, in Chinese
    assert not Visit.objects.filter(child_id=child_id, met_whom="爷爷").exists()

    page.reload()  # still there, with its reason: never silently lost
    page.wait_for_selector(".outbox-item.refused")
    assert page.locator("#offline-banner .msg.error").count() == 1

    messages = []
    page.once("dialog", lambda d: (messages.append(d.message), d.accept()))
    page.evaluate(f'document.querySelector("{LOGOUT}").requestSubmit()')
    page.wait_for_url("**/accounts/login/**")
    assert messages and "1" in messages[0]  # the refused visit counted as unsent
    assert page.evaluate(STORAGE) == {"caches": [], "databases": [], "local": 0, "session": 0}


def test_kept_pages_expire_after_the_configured_days(phone, users, tree, live_server, sign_in, settings):
    from tests.visits.test_views import _orphans

    settings.OFFLINE_CACHE_DAYS = 0  # every kept copy is already too old
    _orphans(tree.v1, 1, last_visit_days_ago=50)
    page = phone
    sign_in(page, "director")
    page.goto(f"{live_server.url}/visits/worklist/")
    _until(page, "navigator.serviceWorker.controller !== null")
    page.wait_for_selector("html[data-offline-kept]")
    page.context.set_offline(True)
    page.goto(f"{live_server.url}/visits/worklist/")
    assert page.locator(".work-row").count() == 0
    assert "没有保存" in page.content() or "not kept" in page.content()


def test_a_large_photo_is_made_smaller_on_the_phone_and_one_too_large_is_refused(
    phone, users, tree, live_server, sign_in, settings
):
    import random

    from PIL import Image

    from tests.visits.test_views import _orphans

    settings.OFFLINE_PHOTO_MAX_BYTES = 40_000
    smooth, noisy = io.BytesIO(), io.BytesIO()
    Image.radial_gradient("L").resize((1600, 1600)).convert("RGB").save(smooth, format="PNG")  # about 105 kB
    noise = random.Random(17).randbytes(1000 * 1000 * 3)
    Image.frombytes("RGB", (1000, 1000), noise).save(noisy, format="PNG")  # 3 MB, still 350 kB at 800 px as JPEG
    assert len(smooth.getvalue()) > 40_000

    _orphans(tree.v1, 1, last_visit_days_ago=50)
    page = phone
    sign_in(page, "director")
    page.goto(f"{live_server.url}/visits/worklist/")
    _until(page, "navigator.serviceWorker.controller !== null")
    page.wait_for_selector("html[data-offline-kept]")
    form = page.locator(".work-row a.button").first.get_attribute("href")
    page.context.set_offline(True)
    page.goto(f"{live_server.url}{form}")
    page.wait_for_selector("form[data-offline=ready]")
    _fill_home_visit(page, "妈妈")

    page.set_input_files(
        "input[name=photos]", files=[{"name": "a.png", "mimeType": "image/png", "buffer": noisy.getvalue()}]
    )
    page.click("button[type=submit]")
    error = page.locator(".offline-error")
    error.wait_for()
    assert "照片太大" in error.inner_text()
    assert "/offline/outbox/" not in page.url  # nothing kept

    page.set_input_files(
        "input[name=photos]", files=[{"name": "b.png", "mimeType": "image/png", "buffer": smooth.getvalue()}]
    )
    page.click("button[type=submit]")
    page.wait_for_url("**/offline/outbox/")
    page.wait_for_selector("html[data-outbox='1']")
    page.context.set_offline(False)
    page.wait_for_selector("html[data-outbox='0']", timeout=20000)

    photo = VisitPhoto.objects.get(visit__met_whom="妈妈")
    assert photo.image.name.endswith(".jpg")  # made smaller as a JPEG on the phone
    assert photo.image.size <= 40_000


def test_online_but_nothing_gets_through_keeps_the_visit_in_the_outbox(phone, users, tree, live_server, sign_in):
    """A weak signal: the phone says it is online (navigator.onLine) but no request reaches the server."""
    from tests.visits.test_views import _orphans

    _orphans(tree.v1, 1, last_visit_days_ago=50)
    page = phone
    context = page.context
    sign_in(page, "director")
    page.goto(f"{live_server.url}/visits/worklist/")
    _until(page, "navigator.serviceWorker.controller !== null")
    page.wait_for_selector("html[data-offline-kept]")
    form = page.locator(".work-row a.button").first.get_attribute("href")

    def nothing_gets_through(route):
        route.abort("timedout")

    context.route("**/*", nothing_gets_through)
    page.goto(f"{live_server.url}{form}")
    page.wait_for_selector("form[data-offline=ready]")
    assert page.evaluate("navigator.onLine") is True
    _fill_home_visit(page, "姑姑")
    page.check("input[name=harm_found]", force=True)
    page.click("button[type=submit]")
    page.wait_for_url("**/offline/outbox/")
    page.wait_for_selector("html[data-outbox='1']")
    assert "请在联网后立即提交强制报告" in page.locator("#outbox-note").inner_text()
    assert not Visit.objects.filter(met_whom="姑姑").exists()

    context.unroute("**/*", nothing_gets_through)
    page.reload()
    page.wait_for_selector("html[data-outbox='0']", timeout=20000)
    visit = Visit.objects.get(met_whom="姑姑")
    assert visit.harm_found
    # As after the web form: straight on to the mandatory report for this visit.
    link = page.locator("#offline-banner .harm-report a")
    assert link.get_attribute("href") == f"/guardianship/reports/new/?child={visit.child_id}&visit={visit.pk}"


def test_a_session_that_ended_keeps_the_visits_until_the_same_user_signs_in(phone, users, tree, live_server, sign_in):
    from tests.visits.test_views import _orphans

    _orphans(tree.v1, 1, last_visit_days_ago=50)
    page = phone
    context = page.context
    sign_in(page, "director")
    _record_offline(page, live_server, context)

    context.clear_cookies()  # the session ended on the server's side (idle), no sign-out on the phone
    page.reload()  # still offline: the kept outbox page
    page.wait_for_selector(".outbox-item.waiting")
    context.set_offline(False)  # the phone tries to send: 401
    _until(page, "document.querySelector('.outbox-item .status').textContent.includes('重新登录')")
    assert page.locator(".outbox-item.waiting").count() == 1  # waits; not refused, not lost
    assert not Visit.objects.filter(met_whom="爷爷").exists()

    sign_in(page, "director")  # back to the start page, which sends the outbox
    page.wait_for_selector("html[data-outbox='0']", timeout=20000)
    assert Visit.objects.filter(met_whom="爷爷").count() == 1


def test_another_user_signing_in_removes_the_previous_users_pages(phone, users, tree, live_server, sign_in):
    from tests.visits.test_views import _orphans

    _orphans(tree.v1, 1, last_visit_days_ago=50)
    page = phone
    sign_in(page, "director")
    page.goto(f"{live_server.url}/visits/worklist/")
    page.wait_for_selector("html[data-offline-kept]")
    assert page.evaluate(STORAGE)["caches"] == [f"care-u{users.director.pk}"]

    page.context.clear_cookies()  # the director walked away without signing out
    sign_in(page, "other_director")
    _until(page, f"caches.has('care-u{users.director.pk}').then((has) => !has)")
    assert f"care-u{users.director.pk}" not in page.evaluate(STORAGE)["caches"]
