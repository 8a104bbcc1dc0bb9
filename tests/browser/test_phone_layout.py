"""The design system measured on a phone (390 x 844, issue 17): every page a child director and a township
supervisor can reach by following links from the home page has no sideways scroll, no visible link, button or field
smaller than 44 x 44 CSS px, and no string left in the other language. The pages are found by crawling, so a page
added later is measured too."""

import io
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.dashboards.conftest import _fast_passwords, _own_cache, county_data  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_PAGES = 45  # per user and language: enough for every kind of page in the fixture's data
SKIP = re.compile(
    r"^/(admin|api|i18n|static|media|sw\.js|accounts/logout)|export|\.(xlsx|pdf|csv|png|jpg)$|/pdf/|/file/|/photos/|template"
)

# Every visible interactive element; a checkbox or radio is measured by its label (the label is what one taps).
MEASURE = """() => {
  const out = {scroll: [document.scrollingElement.scrollWidth, window.innerWidth], small: [], hrefs: []};
  const hiddenBox = (el) => { for (let p = el; p && p !== document.body; p = p.parentElement) {
      const r = p.getBoundingClientRect(); if (r.width <= 1 && r.height <= 1) return true; } return false; };
  for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')) {
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || s.display === 'none') continue;
    let r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;  // not rendered (a closed menu, a closed <details>)
    if (hiddenBox(el)) continue;  // inside a visually hidden box (a table's header read by screen readers)
    if (el.matches('input[type=checkbox], input[type=radio]')) {
      const label = el.closest('label') || (el.id && document.querySelector('label[for="' + el.id + '"]'));
      if (label) r = label.getBoundingClientRect();
    }
    if (r.width < 43.5 || r.height < 43.5) {
      out.small.push(el.tagName.toLowerCase() + (el.name ? '[name=' + el.name + ']' : '') + ' "' +
        (el.textContent || el.value || el.getAttribute('href') || '').trim().slice(0, 30) + '" ' +
        Math.round(r.width) + 'x' + Math.round(r.height));
    }
  }
  for (const a of document.querySelectorAll('a[href]')) out.hrefs.push(a.getAttribute('href'));
  return out;
}"""

# Text the user reads, outside elements marked as another language and outside data cells in monospace; a label's
# own words without the choices of the field inside it; quotations of the action plans (“…”) are in Chinese by right.
TEXTS = """(selector) => {
  const out = [];
  for (const el of document.querySelectorAll(selector)) {
    if (el.closest('[lang]') && el.closest('[lang]') !== document.documentElement) continue;
    if (el.closest('.mono')) continue;
    const copy = el.cloneNode(true);
    copy.querySelectorAll('select, textarea, [lang]').forEach((c) => c.remove());
    const t = (copy.textContent || '').replace(/“[^”]*”/g, '').trim();
    if (t) out.push(t);
  }
  return out;
}"""
# Pages whose labels and hints are regional data in Chinese by design: an assessment instrument's name and items.
DATA_LABELS = re.compile(r"/assessments/new/$")

ENGLISH_WORDS = re.compile(r"[A-Za-z]{3,}[ ,]+[A-Za-z]{3,}")  # two English words in a row
HAN = re.compile(r"[\u4e00-\u9fff]")


def _key(path: str) -> str:
    """One visit per kind of page: /children/12/ and /children/13/ are the same page."""
    parts = urlsplit(path)
    query = "&".join(sorted(q.split("=")[0] for q in parts.query.split("&") if q))
    return re.sub(r"\d+", "N", parts.path) + ("?" + query if query else "")


def _crawl(page, base: str, start: str, language: str) -> dict:
    """Visit pages breadth first from `start` and return the problems found on each."""
    seen, queue, problems, visited = set(), [start], {}, 0
    while queue and visited < MAX_PAGES:
        path = queue.pop(0)
        if _key(path) in seen:
            continue
        seen.add(_key(path))
        try:
            response = page.goto(base + path)
        except PlaywrightError:  # a download (a file the crawl does not know to skip)
            continue
        if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        visited += 1
        found = page.evaluate(MEASURE)
        here = []
        width, inner = found["scroll"]
        if width > inner:
            here.append(f"scrolls sideways: {width} > {inner}")
        here += [f"small target: {s}" for s in found["small"]]
        if language == "zh-hans":
            texts = page.evaluate(TEXTS, "main, header, nav.tabbar")
            here += [f"English left in Chinese: {m.group(0)!r}" for t in texts for m in [ENGLISH_WORDS.search(t)] if m]
        else:
            chrome = "nav.main-nav a, nav.tabbar a, button, thead th, fieldset.section > legend, .filters label"
            if not DATA_LABELS.search(path.split("?")[0]):
                chrome += ", .field > label, .field > legend, .hint"
            here += [f"Chinese left in English: {t[:40]!r}" for t in page.evaluate(TEXTS, chrome) if HAN.search(t)]
        if here:
            problems[urlsplit(page.url).path] = here
        for href in found["hrefs"]:
            target = urlsplit(href)
            if target.netloc and base.endswith(target.netloc) is False and target.netloc not in base:
                continue
            if not target.path.startswith("/") or SKIP.search(target.path) or target.fragment and not target.path:
                continue
            queue.append(target.path + ("?" + target.query if target.query else ""))
    assert visited >= 8, f"only {visited} pages reached"
    return problems


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _set_language(page, base: str, language: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("who", ["director", "supervisor"])
def test_every_reachable_page_fits_a_phone(who, language, phone, live_server, sign_in, users, tree, county_data):  # noqa: F811
    page = phone
    _set_language(page, live_server.url, language)
    sign_in(page, who)
    problems = _crawl(page, live_server.url, "/", language)
    assert problems == {}, "\n".join(f"{path}: {p}" for path, ps in problems.items() for p in ps)


def test_the_directors_phone_layout(phone, live_server, sign_in, users, tree, county_data):  # noqa: F811
    """One header row, the bottom tab bar with the five sections, the menu sheet behind 我的."""
    page = phone
    sign_in(page, "director")
    page.goto(f"{live_server.url}/visits/worklist/")
    header = page.locator("header.top").bounding_box()
    assert header["height"] <= 60  # one row
    tabs = page.locator("nav.tabbar a")
    assert tabs.all_inner_texts() == ["本周待访", "儿童", "记录", "消息", "我的"]
    bar = page.locator("nav.tabbar").bounding_box()
    assert bar["y"] + bar["height"] == 844  # fixed to the bottom of the screen
    assert "worklist" == page.locator("body").get_attribute("data-tab")
    assert not page.locator("nav.main-nav").is_visible()
    page.locator("nav.tabbar a", has_text="我的").click()
    assert page.locator("nav.main-nav").is_visible()
    assert page.locator("nav.main-nav button", has_text="退出登录").is_visible()
    page.locator("nav.tabbar a", has_text="儿童").click()
    page.wait_for_url(f"{live_server.url}/children/")
    assert page.locator("body").get_attribute("data-tab") == "children"
    # the children list is cards on a phone: each row a box, the cells labelled with their column's heading
    row = page.locator("table.list tbody tr").first
    assert row.evaluate("r => getComputedStyle(r).display") == "block"
    assert page.locator("table.list tbody tr td[data-label='身份证号']").count() >= 1
    page.screenshot(path="var/screenshot-phone-children.png", full_page=True)


def test_the_supervisor_has_no_tab_bar_but_a_menu(phone, live_server, sign_in, users, tree, county_data):  # noqa: F811
    page = phone
    sign_in(page, "supervisor")
    assert page.locator("nav.tabbar").count() == 0
    page.click("a.menu-button")
    page.locator("nav.main-nav summary", has_text="儿童与走访").click()  # the menu's groups fold on a phone
    assert page.locator("nav.main-nav a", has_text="逾期未访").is_visible()


def test_the_visit_form_on_a_phone(phone, live_server, sign_in, users, tree, county_data):  # noqa: F811
    """Five sections, segmented ratings with nothing chosen, dates typed in the Chinese order, the check before
    saving (a required field left empty is marked), back to edit, then saved once."""
    from visits.models import Visit

    page = phone
    child = county_data.a
    before = Visit.objects.filter(child=child).count()
    sign_in(page, "director")
    page.goto(f"{live_server.url}/visits/child/{child.pk}/new/")
    legends = page.locator("fieldset.section > legend").all_inner_texts()
    assert legends == ["1. 走访对象与时间", "2. 儿童情况", "3. 家庭与照护人", "4. 安全", "5. 后续跟进"]
    assert page.locator("input[name=mood]:checked").count() == 0  # no rating chosen in advance
    mood = page.locator(".segmented label", has=page.locator("input[name=mood][value=good]")).bounding_box()
    assert mood["height"] >= 44 and mood["width"] >= 44
    assert page.get_attribute("input[name=visited_at]", "type") == "text"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", page.input_value("input[name=visited_at]"))
    save_bar = page.locator(".save-bar").bounding_box()
    assert save_bar["y"] + save_bar["height"] <= 844 - 55  # in view, above the tab bar, before any scrolling

    page.fill("input[name=met_whom]", "奶奶")
    page.check("input[name=living_conditions][value=fair]")
    page.check("input[name=caregiver_status][value=good]")
    page.check("input[name=mood][value=good]")
    page.fill("textarea[name=help_given]", "送去冬衣")
    assert page.get_attribute("input[name=photos]", "capture") == "environment"  # a phone offers its camera
    page.set_input_files("input[name=photos]", files=[{"name": "家.png", "mimeType": "image/png", "buffer": _png()}])
    page.wait_for_selector(".photo-previews img[src^='data:image/png']")  # the picture is shown before saving
    page.click("button[type=submit]")  # safety hazards left empty
    review = page.locator("#visit-review")
    assert review.is_visible() and not page.locator("fieldset.section").first.is_visible()
    assert "奶奶" in review.inner_text() and "送去冬衣" in review.inner_text()
    assert review.locator("dd.missing").all_inner_texts() == ["必填，未填写"]
    assert "待上传照片 1 张" in review.inner_text()
    page.screenshot(path="var/screenshot-phone-visit-review.png", full_page=True)
    assert Visit.objects.filter(child=child).count() == before  # nothing saved yet

    page.click("button.review-back")
    page.fill("input[name=safety_hazards]", "无")
    page.click("button[type=submit]")
    assert review.locator("dd.missing").count() == 0
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/new/" not in url)
    assert Visit.objects.filter(child=child).count() == before + 1
    assert Visit.objects.filter(child=child).latest("pk").photos.count() == 1


def test_a_refused_visit_form_shows_the_error_summary(phone, live_server, sign_in, users, tree, county_data):  # noqa: F811
    page = phone
    sign_in(page, "director")
    page.goto(f"{live_server.url}/visits/child/{county_data.a.pk}/new/")
    page.fill("input[name=visited_at]", "29/11/2026")  # not a date in the Chinese order
    page.click("button[type=submit]")
    page.click("button[type=submit]")
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert "有问题需要处理" in summary.inner_text()
    assert page.evaluate("document.activeElement.id") == "error-summary"  # read first
    link = summary.locator("a[href='#row-visited_at']")
    assert link.count() == 1
    assert page.locator("#row-visited_at.has-error .error").count() == 1
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")


def test_the_dashboard_fits_1366_px_and_its_charts_drill_down(page, live_server, sign_in, users, tree, county_data):  # noqa: F811
    """On a 1366 px office screen the county dashboard's tables fit without sideways scrolling; on it (and on a phone)
    a chart's row is a link to the same area as its table row, and the headline figures are tiles."""
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, "county_staff")
    page.goto(f"{live_server.url}/dashboards/370283/")
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
    for wrap in page.locator("#table-compliance .table-wrap, #table-welfare .table-wrap").all():
        assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth")
    assert page.locator(".tiles .tile").count() == 5
    assert page.locator("#total-children").inner_text() == "5"
    page.screenshot(path="var/screenshot-dashboard-1366.png", full_page=True)
    page.locator("#table-compliance svg.chart a.bar-link").first.click()
    page.wait_for_url(re.compile(r"/dashboards/370283001/$"))  # 东阁街道, the first township
    assert page.locator("#total-children").inner_text() == "4"
