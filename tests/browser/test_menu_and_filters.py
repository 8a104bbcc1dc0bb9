"""Issue 17's loose ends at phone (390 x 844) and desktop (1366 px) size: the menu in labelled drop-down groups
(keyboard, expanded state, one open at a time, every link reachable), the outbox in the director's menu with a count
only when something waits, and the children list's filters folded behind one 筛选 button on a phone."""

import pytest

from tests.browser.test_offline import _until
from tests.visits.test_views import _orphans

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GROUPS = ["儿童与走访", "保护与转介", "帮扶", "督导与统计", "管理"]
DESKTOP = {"width": 1366, "height": 900}


def _expanded(page, name: str) -> bool:
    """The expanded state a screen reader is told: the browser's accessibility tree (Chrome DevTools Protocol)."""
    cdp = page.context.new_cdp_session(page)
    try:
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        cdp.detach()
    for node in nodes:
        if node.get("name", {}).get("value") == name and node.get("role", {}).get("value") != "StaticText":
            states = {p["name"]: p["value"].get("value") for p in node.get("properties", [])}
            if "expanded" in states:
                return bool(states["expanded"])
    raise AssertionError(f"no expandable {name!r}")


def test_the_county_menu_is_five_drop_downs_on_a_desktop(page, live_server, sign_in, users, tree):
    page.set_viewport_size(DESKTOP)
    sign_in(page, "county_staff")
    page.goto(f"{live_server.url}/children/")
    nav = page.locator("nav.main-nav")
    assert page.locator("nav.main-nav summary").all_inner_texts() == GROUPS
    assert nav.bounding_box()["height"] <= 50  # one row, not two
    links = page.locator("nav.main-nav .menu-links a")
    assert links.count() == 24 and not any(link.is_visible() for link in links.all())

    # Keyboard: Tab to the first group, Enter opens it, Tab walks into its links, Escape closes it again.
    first = page.locator("nav.main-nav summary").first
    first.focus()
    assert not _expanded(page, "儿童与走访")
    page.keyboard.press("Enter")
    assert _expanded(page, "儿童与走访")
    overdue = page.locator("nav.main-nav a", has_text="逾期未访")
    assert overdue.is_visible()
    box = page.locator("details.menu-group").first.locator(".menu-links").bounding_box()
    assert box["y"] >= nav.bounding_box()["y"] + 40  # drops down below the row
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "本周待访"
    page.keyboard.press("Escape")
    assert not overdue.is_visible() and not _expanded(page, "儿童与走访")
    assert page.evaluate("document.activeElement.textContent") == "儿童与走访"

    # One drop-down at a time; a click elsewhere closes it; a link opens its page.
    page.locator("nav.main-nav summary", has_text="保护与转介").click()
    page.locator("nav.main-nav summary", has_text="督导与统计").click()
    assert page.locator("details.menu-group[open]").count() == 1
    page.locator("main h1").click()
    assert page.locator("details.menu-group[open]").count() == 0
    page.locator("nav.main-nav summary", has_text="督导与统计").click()
    page.locator("nav.main-nav a", has_text="走访及时率").click()
    page.wait_for_url(f"{live_server.url}/visits/compliance/")


def test_the_groups_open_without_javascript(browser, live_server, users, tree):
    context = browser.new_context(java_script_enabled=False, viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "county_staff")
    page.fill("input[name=password]", "pw-Test-2026!")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"{live_server.url}/children/")
    page.locator("nav.main-nav summary", has_text="管理").click()
    assert page.locator("nav.main-nav a", has_text="访问日志").is_visible()
    assert page.locator(".filter-fold .filters").is_visible()  # the children list's filters, as before, on a desktop
    context.close()


def test_the_phone_menu_folds_its_groups_and_counts_the_outbox(phone, live_server, sign_in, users, tree):
    page = phone
    sign_in(page, "director")
    page.goto(f"{live_server.url}/visits/worklist/")
    page.locator("nav.tabbar a", has_text="我的").click()
    summaries = page.locator("nav.main-nav summary")
    assert summaries.all_inner_texts() == ["儿童与走访", "保护与转介", "帮扶", "督导与统计", "管理"]
    assert all(s.bounding_box()["height"] >= 44 for s in summaries.all())
    summaries.first.click()
    outbox = page.locator("nav.main-nav a", has_text="待发送箱")
    assert outbox.is_visible()
    # Nothing waits: no badge, not a red 0.
    _until(page, "document.documentElement.dataset.outbox === '0'")
    assert page.locator(".outbox-count:visible").count() == 0

    # A visit the server refused waits on the phone: the menu link and the 我的 tab count it.
    page.evaluate(
        """(db) => new Promise((resolve, reject) => {
            const open = indexedDB.open(db, 1);
            open.onupgradeneeded = () => open.result.createObjectStore("outbox", {keyPath: "key"});
            open.onsuccess = () => {
                const t = open.result.transaction("outbox", "readwrite");
                t.objectStore("outbox").put({key: "k-1", status: "refused", reason: "已销档", child: 1, household: [],
                    fields: {}, photos: [], label: "测试", savedAt: Date.now()});
                t.oncomplete = () => { open.result.close(); resolve(); };
                t.onerror = () => reject(t.error);
            };
        })""",
        f"care-offline-u{users.director.pk}",
    )
    page.reload()
    _until(page, "document.documentElement.dataset.outbox === '1'")
    assert page.locator("nav.tabbar .outbox-count").inner_text() == "1"
    assert page.locator("nav.tabbar .outbox-count").is_visible()
    page.locator("nav.tabbar a", has_text="我的").click()
    page.locator("nav.main-nav summary", has_text="儿童与走访").click()
    assert outbox.locator(".count-badge").inner_text() == "1"
    outbox.click()
    page.wait_for_url(f"{live_server.url}/offline/outbox/")


def test_the_childrens_filters_fold_behind_one_button_on_a_phone(phone, live_server, sign_in, users, tree):
    _orphans(tree.v1, 3)
    page = phone
    sign_in(page, "director")
    page.goto(f"{live_server.url}/children/")
    button = page.locator("details.filter-fold > summary")
    assert button.is_visible() and button.inner_text().strip() == "筛选"  # no filter in use: no count
    assert not page.locator(".filter-fold .filters").is_visible()
    assert page.locator("input[name=q]").is_visible()  # the name search stays in sight
    box = button.bounding_box()
    assert box["height"] >= 44
    button.click()
    assert page.locator(".filter-fold .filters").is_visible()
    page.select_option("select[name=category]", "orphan_scattered")
    page.select_option("select[name=colour]", "green")
    page.click(".filter-fold .filters button[type=submit]")
    page.wait_for_load_state()
    # Folded again on the result, counting the two filters in use.
    assert not page.locator(".filter-fold .filters").is_visible()
    assert page.locator("details.filter-fold > summary .count-badge").inner_text() == "2"
    assert "已用 2 项筛选" in button.text_content()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390

    # Desktop: the form shows as before, with no button.
    page.set_viewport_size(DESKTOP)
    page.reload()
    assert page.locator(".filter-fold .filters").is_visible()
    assert not button.is_visible()
    fields = page.locator(".filter-fold .filters label").all()
    assert fields[0].bounding_box()["y"] == fields[1].bounding_box()["y"]  # side by side, as before
