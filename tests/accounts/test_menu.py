"""The menu is rendered once per role, staff flags and language in each process (a template fragment cache):
each combination must still get its own menu, in its own language."""

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
