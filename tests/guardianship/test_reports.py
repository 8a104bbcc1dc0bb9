import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from guardianship import reports
from guardianship.models import Report
from visits.models import Visit


def _report(child, user, **kw):
    now = timezone.now()
    r = Report(
        child=child,
        found_at=now,
        reported_at=now,
        what_found="孩子身上有多处淤青",
        harm_type="physical",
        reported_to="police",
        **kw,
    )
    return reports.report_file(user=user, report=r)


@pytest.mark.parametrize(
    ("path", "ok"),
    [
        (["acknowledged", "handling", "closed"], True),
        (["acknowledged", "closed"], True),
        (["closed"], False),  # closing an unacknowledged report
        (["handling"], False),
        (["acknowledged", "filed"], False),
    ],
)
def test_report_state_machine(users, child, path, ok):
    r = _report(child, users.director)
    moved = []
    try:
        for status in path:
            r = reports.report_move(
                user=users.county_staff, report=r, status=status, outcome="已送医并报警", reporter_informed=True
            )
            moved.append(status)
    except ValidationError as exc:
        assert not ok
        assert "不能" in " ".join(exc.messages) or "cannot" in " ".join(exc.messages)
        r.refresh_from_db()
        assert r.status == (moved[-1] if moved else "filed")  # the refused step changed nothing
    else:
        assert ok and r.status == path[-1]


def test_closing_needs_the_outcome_and_the_reporter_told(users, child):
    r = _report(child, users.director)
    r = reports.report_move(user=users.county_staff, report=r, status="acknowledged")
    with pytest.raises(ValidationError):
        reports.report_move(user=users.county_staff, report=r, status="closed", outcome="已处置")
    r.refresh_from_db()
    assert r.status == "acknowledged" and r.closed_at is None


def test_only_the_area_or_handling_department_moves_a_report(users, child):
    r = _report(child, users.director)
    for who in (users.director, users.other_county_staff, users.liaison):
        with pytest.raises(PermissionDenied):
            reports.report_move(user=who, report=r, status="acknowledged")
    r.handling_department = users.department
    r.save()
    reports.report_move(user=users.liaison, report=r, status="acknowledged")


def test_unacknowledged_after_24_hours_is_flagged_and_escalated_once(users, child):
    with time_machine.travel(datetime.datetime(2026, 11, 20, 2, tzinfo=datetime.UTC)):
        r = _report(child, users.director)
    with time_machine.travel(datetime.datetime(2026, 11, 20, 20, tzinfo=datetime.UTC)):
        assert not Report.objects.get(pk=r.pk).flagged
        assert reports.escalate_unacknowledged() == 0
    with time_machine.travel(datetime.datetime(2026, 11, 21, 3, tzinfo=datetime.UTC)):
        assert Report.objects.get(pk=r.pk).flagged
        reports.escalate_unacknowledged()
        reports.escalate_unacknowledged()
    escalated = Notification.objects.filter(key=f"report-unacknowledged:{r.pk}")
    assert list(escalated.values_list("user_id", flat=True)) == [users.county_staff.pk]


def test_a_visit_that_found_harm_opens_a_prefilled_report(client, users, child):
    client.force_login(users.director)
    response = client.post(
        reverse("visits:new", args=[child.pk]),
        {
            "kind": "home",
            "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "met_whom": "孩子和继父",
            "living_conditions": "poor",
            "caregiver_status": "poor",
            "safety_hazards": "无",
            "mood": "poor",
            "problems_found": "孩子说继父打他",
            "harm_found": "on",
        },
    )
    visit = Visit.objects.get(child=child)
    assert response["Location"] == f"{reverse('guardianship:report_new')}?child={child.pk}&visit={visit.pk}"
    form = client.get(response["Location"]).context["form"]
    assert "继父打他" in form.initial["what_found"] and form.initial["source"] == "visit"


def test_reports_are_not_shown_outside_the_area(client, users, child):
    r = _report(child, users.director)
    client.force_login(users.other_county_staff)
    assert client.get(reverse("guardianship:report", args=[r.pk])).status_code == 404
    client.force_login(users.county_staff)
    assert client.get(reverse("guardianship:report", args=[r.pk])).status_code == 200
