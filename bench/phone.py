"""The director's pages over a slow phone connection (issue 17): the worklist's first load under emulated slow 3G
(400 kbps down, 400 ms round trip) with an empty cache, then the bytes each director page transfers once the first
visit has cached the static files.

    .venv/bin/python bench/phone.py      # Debian's chromium; builds its own demo (bin/screenshots' server)

The demo is served by gunicorn with DEBUG off; static files come from WhiteNoise (precompressed, cached for a year
under hashed names) as in production. HTML is compressed by nginx in production (deploy/nginx/careservices.conf,
gzip on): the HTML's transferred size is therefore counted compressed (gzip level 1, nginx's default), next to the
size Chromium really received from gunicorn.
"""

import gzip
import importlib.machinery
import importlib.util
import re
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_loader = importlib.machinery.SourceFileLoader("screenshots", str(ROOT / "bin" / "screenshots"))
_spec = importlib.util.spec_from_loader("screenshots", _loader)
screenshots = importlib.util.module_from_spec(_spec)
_loader.exec_module(screenshots)

SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8}
PAGES = [
    "/visits/worklist/",
    "/children/",
    "/children/{child}/",
    "/visits/child/{child}/new/",
    "/accounts/notifications/",
    "/",
]


def main() -> None:
    from playwright.sync_api import sync_playwright

    with screenshots.demo_server(ROOT / "var" / "phone-bench") as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        page = context.new_page()
        screenshots.sign_in(page, base, "director")
        page.goto(base + "/children/")
        hrefs = page.locator("a[href^='/children/']").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        child = next(m.group(1) for h in hrefs if (m := re.match(r"^/children/(\d+)/$", h)))
        cookies = context.cookies()
        context.close()

        # The first load: a new browser context (empty cache) with the signed-in session, over slow 3G.
        # Service workers blocked: their requests would bypass the page's network emulation (the offline app's own
        # worker only answers from its cache when the network fails, so the pages are fetched the same way).
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", service_workers="block")
        context.add_cookies(cookies)
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", SLOW_3G)
        received = {}
        cdp.on("Network.loadingFinished", lambda e: received.__setitem__(e["requestId"], e["encodedDataLength"]))
        started = time.perf_counter()
        page.goto(base + "/visits/worklist/", wait_until="load")
        first = time.perf_counter() - started
        print(f"worklist, first load over slow 3G (empty cache): {first:.2f} s, {sum(received.values()) / 1024:.1f} KB")

        # Then each director page, its static files cached by the first visit.
        print(f"{'page':<34}{'received KB':>12}{'HTML gzip KB':>14}{'load s':>8}")
        for path in PAGES:
            received.clear()
            url = base + path.format(child=child)
            started = time.perf_counter()
            response = page.goto(url, wait_until="load")
            seconds = time.perf_counter() - started
            html = response.body()
            others = sum(received.values()) - len(html)
            compressed = (len(gzip.compress(html, compresslevel=1)) + max(others, 0)) / 1024
            print(f"{path:<34}{sum(received.values()) / 1024:>12.1f}{compressed:>14.1f}{seconds:>8.2f}")
        browser.close()


if __name__ == "__main__":
    main()
