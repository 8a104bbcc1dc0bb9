import pytest
from django.core.management import call_command

from tasks.models import Action, Assignment, Milestone, Phase, Plan, PlanTask

# (seed, actions, tasks, department assignments), counted from the documents in shared/seeds.
EXPECTED = [("000", 5, 53, 124), ("001", 5, 23, 97), ("002", 5, 56, 81), ("003", 5, 18, 65), ("004", 5, 18, 88)]


@pytest.mark.parametrize(("seed", "actions", "tasks", "assignments"), EXPECTED)
def test_fixture_counts(plans, seed, actions, tasks, assignments):
    r = plans[seed]
    assert (r.actions, r.tasks, r.assignments) == (actions, tasks, assignments)
    assert Action.objects.filter(plan__seed=seed).count() == actions
    assert PlanTask.objects.filter(action__plan__seed=seed).count() == tasks


def test_spot_checks(plans):
    t27 = PlanTask.objects.get(action__plan__seed="000", number="27")
    assert [a.department.name for a in t27.assignments.all()] == ["市民政局"]
    assert "每个月至少家访1次" in t27.content and t27.recurrence == "monthly"
    assert Plan.objects.get(seed="003").report_deadline == "11-15"
    assert Phase.objects.filter(plan__seed="003").count() == 3
    assert Milestone.objects.filter(plan__seed="003", date="2024-06-30").exists()
    # Jiangsu's 工程 keep their lead and participating departments.
    first = Action.objects.get(plan__seed="002", number=1)
    assert first.name == "精准帮扶工程"
    assert first.units.filter(role="lead", original_name="省民政厅").exists()


def test_department_names_are_normalised_per_region_and_original_wording_kept(plans):
    # 青岛: 市教育局 is one department wherever it appears; its original wording is on each assignment.
    edu = Assignment.objects.filter(task__action__plan__seed="000", department__kind="education")
    assert edu.values("department").distinct().count() == 1
    assert set(edu.values_list("original_name", flat=True)) == {"市教育局"}
    # 江苏: the lead unit written "教育厅" is the same department as "省教育厅".
    js = Action.objects.get(plan__seed="002", number=3).units.get(original_name="教育厅")
    assert js.department.kind == "education"
    assert Assignment.objects.filter(task__action__plan__seed="002", department=js.department).exists()


def test_loading_again_changes_nothing_and_keeps_statuses(plans, capsys):
    a = Assignment.objects.filter(task__action__plan__seed="000").first()
    a.status = "done"
    a.save()
    before = Assignment.objects.count()
    call_command("load_task_plans")
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 5 and "53 tasks, 124 department assignments" in out[0]
    assert Assignment.objects.count() == before
    a.refresh_from_db()
    assert a.status == "done"
