"""Accessibility (issue 17): axe-core (vendored for the tests only, tests/vendor/axe.min.js, from npm's axe-core)
finds no serious or critical violation on the main pages of each role, at phone and desktop size."""

from pathlib import Path

import pytest

from children.models import Child
from tests.visits.test_views import _orphans

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).resolve().parents[1] / "vendor" / "axe.min.js").read_text()

PAGES = {
    "director": [
        "/",
        "/visits/worklist/",
        "/children/",
        "/children/{child}/",
        "/visits/child/{child}/new/",
        "/accounts/notifications/",
    ],
    "supervisor": ["/visits/overdue/", "/children/", "/children/{child}/", "/dashboards/"],
    "county_staff": ["/dashboards/", "/guardianship/reports/", "/guardianship/referrals/", "/children/{child}/"],
}


@pytest.fixture
def browser_context_args(browser_context_args):
    """axe is injected as an inline script, which the app's Content-Security-Policy rightly refuses: this test's
    browser ignores the policy (the pages under test are unchanged)."""
    return {**browser_context_args, "bypass_csp": True}


def violations(page) -> list[str]:
    page.add_script_tag(content=AXE)
    found = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
        }"""
    )
    return found


@pytest.mark.parametrize("width", [390, 1366])
def test_no_serious_or_critical_violation_on_the_main_pages(page, users, tree, live_server, sign_in, width):
    _orphans(tree.v1, 2, last_visit_days_ago=50)
    child = Child.objects.filter(village=tree.v1).order_by("pk").first()
    page.set_viewport_size({"width": width, "height": 900})
    found = {}
    for username, paths in PAGES.items():
        page.context.clear_cookies()
        sign_in(page, username)
        for path in paths:
            url = path.format(child=child.pk)
            page.goto(f"{live_server.url}{url}")
            page.wait_for_load_state("networkidle")
            if problems := violations(page):
                found[f"{username} {url}"] = problems
    for where, problems in found.items():
        print("AXE", where, problems)
    assert found == {}
