"""The visit lists and the guardianship lists export what the page shows, masked and logged."""

import datetime

import tablib
import time_machine
from django.urls import reverse

from children.models import AccessLog
from tests.guardianship.test_referrals import _send
from tests.guardianship.test_reports import _report
from tests.visits.test_reminders import TODAY, _child
from visits import schedule


def _sheet(response) -> tablib.Dataset:
    assert response.status_code == 200, response
    return tablib.Dataset().load(response.content, format="xlsx")


def test_overdue_list_exports_with_its_filter_masked_and_logged(client, users, tree):
    late = _child(tree.v1, "晚访", 60)  # 30 days overdue
    _child(tree.v1, "按时", 5)
    _child(tree.v3, "别处", 60)  # another township
    with time_machine.travel(datetime.datetime.combine(TODAY, datetime.time(9)), tick=False):
        schedule.refresh()
        client.force_login(users.supervisor)
        data = _sheet(client.get(reverse("visits:overdue"), {"format": "xlsx", "min_days": 7}))
    assert [r[0] for r in data] == ["晚访"]
    row = dict(zip(data.headers, data[0], strict=True))
    assert late.id_number not in row.values() and any(str(v).endswith(late.id_number[-4:]) for v in row.values())
    assert 30 in row.values()
    assert list(AccessLog.objects.filter(action="export").values_list("child_id", flat=True)) == [late.pk]


def test_worklist_exports_as_csv(client, users, tree):
    due = _child(tree.v1, "本周", 28)
    with time_machine.travel(datetime.datetime.combine(TODAY, datetime.time(9)), tick=False):
        schedule.refresh()
        client.force_login(users.director)
        response = client.get(reverse("visits:worklist"), {"format": "csv"})
    text = response.content.decode("utf-8-sig")
    assert "本周" in text and due.id_number in text  # directors see full numbers


def test_reports_and_referrals_export(client, users, child):
    _report(child, users.director)
    _send(users, child)
    client.force_login(users.county_staff)
    reports = _sheet(client.get(reverse("guardianship:reports"), {"format": "xlsx"}))
    referrals = _sheet(client.get(reverse("guardianship:referrals"), {"format": "xlsx"}))
    assert len(reports) == 1 and child.name in reports[0]
    assert len(referrals) == 1 and child.name in referrals[0]
    assert AccessLog.objects.filter(action="export", child=child).count() == 2
