import datetime

from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from guardianship import casework, referrals, services, sweep
from guardianship.models import Instrument, Report
from guardianship.reports import report_file
from tests.guardianship.test_assessments import _answers

TODAY = timezone.localdate()


def test_overdue_referrals_and_follow_ups_are_escalated_once(users, child):
    r = referrals.referral_send(
        user=users.county_staff,
        child=child,
        department=users.department,
        service="legal_aid",
        reason="需要法律援助",
        due_on=TODAY,
    )
    casework.conference_create(
        user=users.county_staff,
        child=child,
        held_on=TODAY,
        participants="民政",
        summary="会商",
        decisions=[("联系学校", users.director, TODAY)],
    )
    sweep.daily(today=TODAY)  # due today: not overdue yet
    assert not Notification.objects.filter(key__contains="overdue").exists()
    later = TODAY + datetime.timedelta(days=2)
    sweep.daily(today=later)
    sweep.daily(today=later)
    keys = set(Notification.objects.values_list("user_id", "key"))
    assert (users.liaison.pk, f"referral-overdue:{r.pk}") in keys
    assert (users.county_staff.pk, f"referral-overdue:{r.pk}") in keys
    assert any(k.startswith("followup-overdue:") and u == users.director.pk for u, k in keys)
    assert Notification.objects.count() == len(keys)  # nothing twice


def test_reassessment_due_is_reminded_to_the_childs_director(users, child):
    instrument = Instrument.objects.first()
    services.assessment_create(
        user=users.director,
        child=child,
        instrument=instrument,
        assessed_on=TODAY,
        answers=_answers(instrument, lambda item: 0),
        next_on=TODAY + datetime.timedelta(days=5),
    )
    sweep.daily(today=TODAY)
    assert Notification.objects.filter(user=users.director, key__startswith="reassess:").count() == 1
    assert not Notification.objects.filter(user=users.other_director).exists()


def test_a_new_report_reaches_the_handling_department(users, child, django_capture_on_commit_callbacks):
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        r = report_file(
            user=users.director,
            report=Report(
                child=child,
                found_at=now,
                reported_at=now,
                what_found="x",
                harm_type="neglect",
                reported_to="education",
                handling_department=users.department,
            ),
        )
    assert Notification.objects.filter(user=users.liaison, key=f"report-new:{r.pk}").exists()


def test_the_archive_shows_one_merged_timeline(client, users, child):
    referrals.referral_send(
        user=users.county_staff,
        child=child,
        department=users.department,
        service="legal_aid",
        reason="需要法律援助",
        due_on=TODAY,
    )
    casework.conference_create(
        user=users.county_staff,
        child=child,
        held_on=TODAY - datetime.timedelta(days=3),
        participants="民政",
        summary="第一次会商",
        decisions=[],
    )
    client.force_login(users.director)
    timeline = client.get(reverse("children:detail", args=[child.pk])).context["timeline"]
    assert [e.day for e in timeline] == sorted((e.day for e in timeline), reverse=True)
    assert len(timeline) == 2 and "第一次会商" in timeline[1].text
