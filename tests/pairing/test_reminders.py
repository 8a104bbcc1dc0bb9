"""The daily reminder of pairings without contact (pairing.reminders, Celery task pairing.tasks.daily_no_contact):
the directors of the child's village are told once per pairing per lapse; running twice writes nothing new."""

import datetime

from django.urls import reverse

from accounts.models import Notification, Role
from pairing import reminders, services
from pairing.tasks import daily_no_contact
from tests.beat import scheduled
from tests.factories import ChildFactory, UserFactory
from tests.pairing.conftest import TODAY, days_ago


def _pair(users, child, helper, start):
    return services.pairing_create(user=users.director, child=child, helper=helper, from_on=start, aims="每周辅导作业")


def _notes(prefix="pairing-quiet:"):
    return sorted(Notification.objects.filter(key__startswith=prefix).values_list("user__username", "key"))


def test_the_childs_directors_are_told_once_per_pairing_per_lapse(settings, tree, users, helper):
    settings.PAIRING_NO_CONTACT_DAYS = 30
    second_director = UserFactory(username="director2", role=Role.DIRECTOR, areas=[tree.v1])
    UserFactory(username="gone", role=Role.DIRECTOR, areas=[tree.v1], is_active=False)
    quiet_child, recent_child, ended_child = (ChildFactory(village=tree.v1) for _ in range(3))
    quiet = _pair(users, quiet_child, helper, days_ago(60))
    services.contact_record(
        user=users.director, pairing=quiet, contacted_on=days_ago(31), kind="phone", summary="电话询问学习情况"
    )
    recent = _pair(users, recent_child, helper, days_ago(60))
    services.contact_record(
        user=users.director, pairing=recent, contacted_on=days_ago(30), kind="phone", summary="电话询问学习情况"
    )
    ended = _pair(users, ended_child, helper, days_ago(90))
    services.pairing_end(user=users.director, pairing=ended, to_on=days_ago(5))

    assert daily_no_contact(TODAY.isoformat()) == 2
    key = f"pairing-quiet:{quiet.pk}:{days_ago(31).isoformat()}"
    assert _notes() == [("director", key), ("director2", key)]  # not other_director (v2), nor the inactive one
    note = Notification.objects.get(user=second_director)
    assert note.url == reverse("pairing:pairing", args=[quiet.pk])
    assert quiet_child.name in note.title and "李老师" in note.title and "30" in note.title

    # Twice the same day, and the next day (the same lapse): nothing new for it. (The next day the pairing last
    # contacted 30 days ago lapses in turn: told once.)
    daily_no_contact(TODAY.isoformat())
    assert _notes() == [("director", key), ("director2", key)]
    reminders.daily(today=TODAY + datetime.timedelta(days=1))
    recent_key = f"pairing-quiet:{recent.pk}:{days_ago(30).isoformat()}"
    assert _notes() == sorted(
        [("director", key), ("director2", key), ("director", recent_key), ("director2", recent_key)]
    )
    # A contact ends the lapse; a new lapse after it is told again.
    services.contact_record(
        user=users.director, pairing=quiet, contacted_on=TODAY, kind="home_visit", summary="上门辅导作业"
    )
    assert reminders.daily(today=TODAY) == 0
    later = TODAY + datetime.timedelta(days=31)
    reminders.daily(today=later)
    assert Notification.objects.filter(key=f"pairing-quiet:{quiet.pk}:{TODAY.isoformat()}").count() == 2


def test_the_reminder_is_scheduled_daily_and_registered(db):
    task = scheduled("pairing.migrations.0002_no_contact_reminder_beat", "pairing.tasks.daily_no_contact")
    assert (task.crontab.hour, task.crontab.minute, task.crontab.day_of_week) == ("7", "50", "*")
