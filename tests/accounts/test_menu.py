"""The menu is rendered once per role, staff flags and language in each process (a template fragment cache):
each combination must still get its own menu, in its own language."""

import re

import pytest
from django.urls import reverse
from django.utils import translation


def _menu(client, user, language="zh-hans"):
    client.force_login(user)
    client.cookies["django_language"] = language
    body = client.get(reverse("children:list"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    start = body.index('<nav class="main-nav"')
    return body[start : body.index('<div class="menu-user">', start)]  # the links, not the user's sign-out form


def test_each_role_gets_its_own_menu_whoever_came_first(client, users, admin_user):
    compliance, tasks = reverse("visits:compliance"), reverse("tasks:mine")
    admin = reverse("admin:index")
    director = _menu(client, users.director)
    county = _menu(client, users.county_staff)
    liaison = _menu(client, users.liaison)
    director_again = _menu(client, users.director)
    staff = _menu(client, admin_user)
    assert compliance not in director and tasks not in director and admin not in director
    assert compliance in county and tasks not in county
    assert tasks in liaison and reverse("visits:worklist") not in liaison
    assert director_again == director
    assert admin in staff and admin not in county


def test_the_menu_follows_the_language(client, users):
    chinese = _menu(client, users.director)
    with translation.override("en"):
        english = _menu(client, users.director, "en")
    assert "本周待访" in chinese and "Visits this week" in english
    assert "Visits this week" not in chinese and "本周待访" not in english


# Every page each role reached from the menu before it was grouped (issue 17), written out by hand: grouping the
# menu must lose none of them, and the director gains the outbox.
EVERYONE = ["children:list", "guardianship:reports", "guardianship:referrals", "pairing:quiet", "password_change"]
NOT_LIAISON = [
    "visits:worklist",
    "visits:campaigns",
    "oversight:index",
    "approvals:list",
    "exchange:changes",
    "sites:list",
    "bulk:runs",  # added with the bulk actions (issue 18)
]
EXPECTED = {
    "director": EVERYONE
    + NOT_LIAISON
    + ["children:proposals", "plans:missing", "psychology:follow_ups", "offline:outbox"],
    "supervisor": EVERYONE
    + NOT_LIAISON
    + ["visits:overdue", "plans:missing", "dashboards:index", "psychology:follow_ups"],
    "county_staff": EVERYONE
    + NOT_LIAISON
    + [
        "children:proposals",
        "visits:overdue",
        "plans:missing",
        "visits:compliance",
        "dashboards:index",
        "pairing:helpers",
        "pairing:organisations",
        "tasks:matrix",
        "children:transfer_requests",
        "exchange:sources",
        "psychology:follow_ups",
        "children:access_log",
    ],
    "liaison": EVERYONE + ["tasks:mine", "tasks:matrix", "exchange:sources"],
}


@pytest.fixture
def plan(tree):
    """The task matrix opens on a loaded action plan (404 without one)."""
    from tasks.models import Plan

    return Plan.objects.create(seed="测试", region=tree.county, title="行动方案", start_year=2025, end_year=2027)


def _opens(client, href: str) -> bool:
    """The page answers (a dashboard redirects to the user's own area first)."""
    return client.get(href, follow=True).status_code == 200


def _hrefs(menu: str) -> list[str]:
    return re.findall(r'<a href="([^"#]+)"', menu)


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_every_menu_link_of_each_role_is_there_and_opens(client, users, plan, who):
    user = getattr(users, who)
    hrefs = _hrefs(_menu(client, user))
    assert sorted(hrefs) == sorted(reverse(name) for name in EXPECTED[who])
    for href in hrefs:
        assert _opens(client, href), href


def test_the_menu_is_in_labelled_groups(client, users):
    menu = _menu(client, users.county_staff)
    groups = re.findall(r'<details class="menu-group"[^>]*><summary>([^<]+)</summary>', menu)
    assert groups == ["儿童与走访", "保护与转介", "帮扶", "督导与统计", "管理"]
    liaison = re.findall(r"<summary>([^<]+)</summary>", _menu(client, users.liaison))
    assert liaison == ["儿童与走访", "保护与转介", "帮扶", "管理"]  # no empty group


def test_the_admins_menu_links_open(client, admin_user, plan):
    hrefs = _hrefs(_menu(client, admin_user))
    assert reverse("admin:index") in hrefs and reverse("visits:compliance") in hrefs
    assert reverse("psychology:follow_ups") not in hrefs
    for href in hrefs:
        assert _opens(client, href), href
