"""A scheduled source that falls silent is flagged to civil affairs once per lapse; a confirmed detention with no
home visit by its day is reminded to the director once."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Notification
from exchange import services, silence
from exchange.models import ChangeProposal, Source
from tests.exchange.conftest import ID_DETAINED, receive

pytestmark = pytest.mark.django_db


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def test_a_silent_monthly_source_is_flagged_once_per_lapse(users, lists):
    Source.objects.filter(pk=lists.school.pk).update(last_received_at=_at(datetime.date(2026, 9, 1)))
    # Due on 2 October (1 September + 31 days): not yet silent that day, silent the next.
    assert silence.flag_silent(datetime.date(2026, 10, 2)) == 0
    assert silence.flag_silent(datetime.date(2026, 10, 3)) == 1
    note = Notification.objects.get()
    assert note.user == users.county_staff
    assert "2026-10-02" in note.title
    assert silence.flag_silent(datetime.date(2026, 10, 20)) == 0  # the same lapse: not again
    # A list arrives, then the source falls silent again: a new lapse, a new message.
    Source.objects.filter(pk=lists.school.pk).update(last_received_at=_at(datetime.date(2026, 10, 21)))
    assert silence.flag_silent(datetime.date(2026, 11, 21)) == 0
    assert silence.flag_silent(datetime.date(2026, 11, 22)) == 1
    assert Notification.objects.filter(user=users.county_staff).count() == 2


def test_an_unscheduled_source_is_never_silent(users, lists):
    Source.objects.filter(pk=lists.police.pk).update(last_received_at=_at(datetime.date(2025, 1, 1)))
    Source.objects.filter(pk=lists.school.pk).update(active=False)
    assert silence.flag_silent(datetime.date(2026, 11, 22)) == 0


def test_no_visit_after_a_detention_is_reminded_once(users, lists):
    receive(
        lists.police_liaison,
        lists.police,
        [{"name": "张小押", "id_number": ID_DETAINED, "status": "parent_detained", "relation": "father"}],
    )
    proposal = ChangeProposal.objects.get(child=lists.detained)
    services.change_confirm(user=users.supervisor, proposal=proposal, on=datetime.date(2026, 11, 2))
    ChangeProposal.objects.filter(pk=proposal.pk).update(decided_at=_at(datetime.date(2026, 11, 2)))
    assert silence.remind_visits(datetime.date(2026, 11, 9)) == 0  # due on the 9th: not late yet
    assert silence.remind_visits(datetime.date(2026, 11, 10)) == 1
    assert Notification.objects.filter(user=users.director, key=f"exchange:visit:{proposal.pk}").count() == 1
    assert silence.remind_visits(datetime.date(2026, 11, 11)) == 0


def test_a_visit_in_time_needs_no_reminder(users, lists):
    from tests.factories import visit_fields
    from visits.models import Visit

    receive(
        lists.police_liaison,
        lists.police,
        [{"name": "张小押", "id_number": ID_DETAINED, "status": "parent_detained", "relation": "father"}],
    )
    proposal = ChangeProposal.objects.get(child=lists.detained)
    services.change_confirm(user=users.supervisor, proposal=proposal, on=datetime.date(2026, 11, 2))
    ChangeProposal.objects.filter(pk=proposal.pk).update(decided_at=_at(datetime.date(2026, 11, 2)))
    Visit.objects.create(
        child=lists.detained,
        visited_at=_at(datetime.date(2026, 11, 5)),
        visit_date=datetime.date(2026, 11, 5),
        **visit_fields(),
    )
    assert silence.remind_visits(datetime.date(2026, 11, 10)) == 0
    assert not Notification.objects.filter(key__startswith="exchange:visit:").exists()


def test_the_daily_task_runs_both_sweeps_for_the_day_given(users, lists):
    from exchange.tasks import daily_sweep

    Source.objects.filter(pk=lists.school.pk).update(last_received_at=_at(datetime.date(2026, 9, 1)))
    assert daily_sweep("2026-10-03") == {"silent_flagged": 1, "visits_reminded": 0}
    assert daily_sweep("2026-10-03") == {"silent_flagged": 0, "visits_reminded": 0}  # safe to run twice
