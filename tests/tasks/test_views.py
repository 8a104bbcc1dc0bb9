import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tasks.models import Assignment, ProgressNote


def test_a_liaison_sees_only_their_departments_tasks(client, edu_liaison, qd_education):
    client.force_login(edu_liaison)
    rows = client.get(reverse("tasks:mine")).context["rows"]
    assert rows and {r.department_id for r in rows} == {qd_education.pk}
    assert len(rows) == Assignment.objects.filter(department=qd_education).count()


def test_a_liaison_updates_their_own_task_with_note_and_evidence(client, edu_liaison, qd_education):
    a = Assignment.objects.filter(department=qd_education).first()
    client.force_login(edu_liaison)
    pdf = SimpleUploadedFile("总结.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    response = client.post(
        reverse("tasks:update", args=[a.pk]), {"status": "in_progress", "note": "已召开部署会", "evidence": pdf}
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.status == "in_progress" and a.updated_by == edu_liaison
    note = ProgressNote.objects.get(assignment=a)
    assert note.note == "已召开部署会" and note.evidence.name.endswith(".pdf") and "总结" not in note.evidence.name
    assert a.history.count() == 2


def test_another_departments_assignment_cannot_be_changed(client, police_liaison, qd_education, users):
    a = Assignment.objects.filter(department=qd_education).first()
    for user in (police_liaison, users.director, users.county_staff):
        client.force_login(user)
        response = client.post(reverse("tasks:update", args=[a.pk]), {"status": "done", "note": "冒充"})
        assert response.status_code == 404
    a.refresh_from_db()
    assert a.status == "not_started" and not ProgressNote.objects.exists()


def test_bad_evidence_is_refused_in_chinese_and_nothing_changes(client, edu_liaison, qd_education):
    a = Assignment.objects.filter(department=qd_education).first()
    client.force_login(edu_liaison)
    exe = SimpleUploadedFile("report.pdf", b"MZ\x90 not a pdf", content_type="application/pdf")
    response = client.post(
        reverse("tasks:update", args=[a.pk]), {"status": "done", "note": "x", "evidence": exe}, follow=True
    )
    assert "文件类型" in response.content.decode()
    a.refresh_from_db()
    assert a.status == "not_started" and not ProgressNote.objects.exists()


def test_marking_done_needs_a_note(client, edu_liaison, qd_education):
    a = Assignment.objects.filter(department=qd_education).first()
    client.force_login(edu_liaison)
    client.post(reverse("tasks:update", args=[a.pk]), {"status": "done"})
    a.refresh_from_db()
    assert a.status == "not_started"


@pytest.mark.parametrize("params", [{}, {"status": "done"}, {"action": "2"}])
def test_matrix_query_count_is_fixed_and_cells_follow_status(client, users, plans, qd_education, params):
    client.force_login(users.county_staff)
    plan = plans["000"].plan
    url = reverse("tasks:matrix")
    with CaptureQueriesContext(connection) as before:
        client.get(url, {"plan": plan.pk, **params})
    Assignment.objects.filter(task__action__plan=plan, department=qd_education).update(status="done")
    with CaptureQueriesContext(connection) as after:
        response = client.get(url, {"plan": plan.pk, **params})
    assert len(before.captured_queries) == len(after.captured_queries)
    body = response.content.decode()
    done = Assignment.objects.filter(task__action__plan=plan, department=qd_education).first()
    if params.get("action", str(done.task.action.number)) == str(done.task.action.number):
        assert f'class="cell done" id="cell-{done.pk}"' in body


def test_matrix_summary_counts(client, users, plans, qd_education):
    plan = plans["000"].plan
    Assignment.objects.filter(task__action__plan=plan, department=qd_education).update(status="behind")
    client.force_login(users.county_staff)
    response = client.get(reverse("tasks:matrix"), {"plan": plan.pk})
    row = next(r for r in response.context["by_department"] if r["label"] == qd_education.name)
    n = Assignment.objects.filter(task__action__plan=plan, department=qd_education).count()
    assert row["behind"] == row["total"] == n
    assert sum(r["total"] for r in response.context["by_action"]) == 124


def test_matrix_action_filter_reads_xingdong_with_the_plans_action_names(client, users, plans):
    plan = plans["000"].plan
    client.force_login(users.county_staff)
    response = client.get(reverse("tasks:matrix"), {"plan": plan.pk, "action": "2"})
    body = response.content.decode()
    field = response.context["form"]["action"]
    assert str(field.label) == "行动"
    second = plan.actions.get(number=2)
    assert [label for value, label in field.field.choices if value == 2] == [f"2. {second.name}"]
    assert f'<option value="2" selected>2. {second.name}</option>' in body
    assert "操作" not in body.split('name="action"', 1)[0].rsplit("<label", 1)[-1]
    assert {a.number for a, _rows in response.context["m"].actions} == {2}
