import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Notification, Role
from tests.factories import CategoryFactory, ChildFactory, UserFactory
from visits import reminders, schedule
from visits.models import Visit

TODAY = datetime.date(2026, 11, 23)


def _child(village, name, last_home_days_ago, category="orphan_scattered"):
    """A Qingdao orphan (home visit every 30 days) last visited `last_home_days_ago` days before TODAY."""
    child = ChildFactory(village=village, name=name, registered_on=datetime.date(2025, 1, 1))
    CategoryFactory(child=child, category=category)
    day = TODAY - datetime.timedelta(days=last_home_days_ago)
    at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    Visit.objects.create(child=child, kind="home", visited_at=at, visit_date=day)
    return child


@pytest.fixture
def due_children(tree, users):
    users.director.email = "director@example.cn"
    users.director.save()
    kids = {
        "overdue_long": _child(tree.v1, "逾期久", 75),  # due 45 days ago: escalated
        "overdue": _child(tree.v1, "逾期短", 35),  # due 5 days ago
        "soon": _child(tree.v1, "快到期", 26),  # due in 4 days
        "fine": _child(tree.v1, "不用管", 2),  # due in 28 days
        "other_village": _child(tree.v2, "邻村", 40),
    }
    schedule.refresh()
    return kids


def test_directors_get_their_due_and_overdue_children(users, due_children):
    result = reminders.daily_sweep(today=TODAY)
    note = Notification.objects.get(user=users.director)
    assert [int(n) for n in __import__("re").findall(r"\d+", note.title)][:2] == [2, 1]  # overdue, due soon
    assert "逾期久" in note.body and "逾期短" in note.body and "快到期" in note.body
    assert "不用管" not in note.body and "邻村" not in note.body
    assert note.body.index("逾期久") < note.body.index("快到期")  # most overdue first
    other = Notification.objects.get(user=users.other_director)
    assert "邻村" in other.body and "逾期久" not in other.body
    assert result["director"] == 2


def test_more_than_30_days_overdue_is_escalated_to_the_county(users, due_children):
    reminders.daily_sweep(today=TODAY)
    note = Notification.objects.get(user=users.county_staff)
    assert "逾期久" in note.body and "逾期短" not in note.body and "邻村" not in note.body
    assert not Notification.objects.filter(user=users.other_county_staff).exists()
    assert not Notification.objects.filter(user__role=Role.SUPERVISOR).exists()  # weekly, not daily


def test_the_sweep_is_idempotent(users, due_children):
    reminders.daily_sweep(today=TODAY)
    first = list(Notification.objects.order_by("pk").values_list("user_id", "key", "body"))
    emails = len(mail.outbox)
    reminders.daily_sweep(today=TODAY)
    call_command("send_visit_reminders", "--date", TODAY.isoformat())
    assert list(Notification.objects.order_by("pk").values_list("user_id", "key", "body")) == first
    assert len(mail.outbox) == emails == 1  # the director with an address, once
    assert mail.outbox[0].to == ["director@example.cn"]
    reminders.daily_sweep(today=TODAY + datetime.timedelta(days=1))
    assert Notification.objects.filter(user=users.director).count() == 2  # a new day is a new reminder


def test_dry_run_writes_nothing(users, due_children, capsys):
    call_command("send_visit_reminders", "--date", TODAY.isoformat(), "--dry-run")
    assert not Notification.objects.exists()
    assert "dry run" in capsys.readouterr().out


def test_weekly_digest_goes_to_township_supervisors(users, due_children):
    reminders.weekly_digest(today=TODAY)
    reminders.weekly_digest(today=TODAY + datetime.timedelta(days=2))  # same ISO week: nothing new
    note = Notification.objects.get(user=users.supervisor)
    assert [int(n) for n in __import__("re").findall(r"\d+", note.title)][:3] == [3, 2, 1]  # overdue, villages, soon
    assert not Notification.objects.filter(user=users.other_supervisor).exists()


def test_inactive_users_get_nothing(users, due_children):
    users.director.is_active = False
    users.director.save()
    reminders.daily_sweep(today=TODAY)
    assert not Notification.objects.filter(user=users.director).exists()


def test_a_director_of_two_villages_gets_one_notification(tree, due_children):
    both = UserFactory(role=Role.DIRECTOR, areas=[tree.v1, tree.v2])
    reminders.daily_sweep(today=TODAY)
    note = Notification.objects.get(user=both)
    assert "邻村" in note.body and "逾期久" in note.body
