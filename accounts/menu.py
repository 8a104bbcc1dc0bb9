"""The main menu: every page a role reaches from the header, in a few labelled groups (issue 17: 22 links in two rows
on a county officer's desktop became five drop-downs). Defined once, here: the base template renders `menu_for` (a
drop-down per group on a desktop, folding sections in the phone's menu sheet, both <details>, so they work without
JavaScript), and tests/accounts/test_menu.py follows every link of every role.

Who sees a link depends only on the role and the staff flags, so the rendered menu is cached per role, flags and
language (the base template's fragment cache); a condition here must not read anything else.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Role, User


@dataclass(frozen=True)
class Link:
    url_name: str
    label: str
    shows: Callable[[User], bool]
    badge: str = ""  # a count filled in on the phone (the outbox's: static/pwa/offline.js), hidden while 0


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    links: tuple[Link, ...]


def _everyone(user: User) -> bool:
    return True


def _not_liaison(user: User) -> bool:
    return user.role != Role.LIAISON


def _roles(*roles: str, superuser: bool = True) -> Callable[[User], bool]:
    """The given roles, and a superuser too unless `superuser` is False (then never a superuser)."""

    def shows(user: User) -> bool:
        if user.is_superuser:
            return superuser
        return user.role in roles

    return shows


def _role(role: str) -> Callable[[User], bool]:
    """That role only, whatever the staff flags."""
    return lambda user: user.role == role


def _staff(user: User) -> bool:
    return user.is_staff


GROUPS: tuple[Group, ...] = (
    Group(
        "children",
        _("Children and visits"),
        (
            Link("visits:worklist", _("Visits this week"), _not_liaison),
            Link("children:list", _("Children"), _everyone),
            Link("children:proposals", _("Facts and categories"), _roles(Role.DIRECTOR, Role.CIVIL_AFFAIRS)),
            Link("visits:overdue", _("Overdue visits"), _roles(Role.SUPERVISOR, Role.CIVIL_AFFAIRS)),
            Link("visits:campaigns", _("Screenings"), _not_liaison),
            Link("children:transfer_requests", _("Transfer requests"), _roles(Role.CIVIL_AFFAIRS)),
            Link("offline:outbox", _("Outbox"), _role(Role.DIRECTOR), badge="outbox-count"),
        ),
    ),
    Group(
        "protection",
        _("Protection and referrals"),
        (
            Link("guardianship:reports", _("Mandatory reports"), _everyone),
            Link("guardianship:referrals", _("Referrals"), _everyone),
            Link(
                "psychology:follow_ups",
                _("Psychological follow-ups"),
                _roles(Role.DIRECTOR, Role.SUPERVISOR, Role.CIVIL_AFFAIRS, superuser=False),
            ),
        ),
    ),
    Group(
        "help",
        pgettext_lazy("menu group", "Help"),
        (
            Link(
                "plans:missing",
                _("Missing help plans"),
                _roles(Role.DIRECTOR, Role.SUPERVISOR, Role.CIVIL_AFFAIRS),
            ),
            Link("pairing:quiet", _("Pairings without contact"), _everyone),
            Link("pairing:helpers", _("Helpers"), _roles(Role.CIVIL_AFFAIRS)),
            Link("pairing:organisations", _("Social organisations"), _roles(Role.CIVIL_AFFAIRS)),
            Link("sites:list", _("Sites"), _not_liaison),
            Link("tasks:mine", _("Our department's tasks"), _role(Role.LIAISON)),
            Link("tasks:matrix", _("Task matrix"), _roles(Role.CIVIL_AFFAIRS, Role.LIAISON)),
        ),
    ),
    Group(
        "oversight",
        _("Oversight and figures"),
        (
            Link("dashboards:index", _("Dashboards"), _roles(Role.SUPERVISOR, Role.CIVIL_AFFAIRS)),
            Link("visits:compliance", _("Visit compliance"), _roles(Role.CIVIL_AFFAIRS)),
            Link("oversight:index", _("Oversight"), _not_liaison),
            Link("approvals:list", _("Approvals"), _not_liaison),
        ),
    ),
    Group(
        "manage",
        pgettext_lazy("menu group", "Management"),
        (
            Link("exchange:changes", _("Changes from department lists"), _not_liaison),
            # Bulk actions' results, and a leaving director's hand-over for supervisors and civil affairs (bulk/).
            Link("bulk:runs", _("Bulk actions"), _not_liaison),
            Link("exchange:sources", _("Department lists"), _roles(Role.LIAISON, Role.CIVIL_AFFAIRS)),
            Link("children:access_log", _("Access log"), _roles(Role.CIVIL_AFFAIRS)),
            Link("admin:index", _("Administration"), _staff),
            Link("password_change", _("Change password"), _everyone),
        ),
    ),
)


@dataclass(frozen=True)
class Entry:
    href: str
    label: str
    badge: str


def menu_for(user: User) -> list[tuple[Group, list[Entry]]]:
    """The groups with at least one link the user sees, each with those links."""
    out = []
    for group in GROUPS:
        entries = [
            Entry(reverse(link.url_name), str(link.label), link.badge) for link in group.links if link.shows(user)
        ]
        if entries:
            out.append((group, entries))
    return out
