"""Reads of the task matrix, each a fixed number of queries."""

from collections import Counter, OrderedDict
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from accounts.models import User

from .models import Action, Assignment, Plan, PlanTask, Status


@dataclass
class Matrix:
    plan: Plan
    departments: list
    actions: list  # [(action, [(task, [assignment-or-None per department])])]
    by_department: "OrderedDict[int, Counter]" = field(default_factory=OrderedDict)
    by_action: "OrderedDict[int, Counter]" = field(default_factory=OrderedDict)


def matrix_for(plan: Plan, *, action: int | None = None, department: int | None = None, status: str = "") -> Matrix:
    assignments = Assignment.objects.filter(task__action__plan=plan).select_related("department")
    if department:
        assignments = assignments.filter(department_id=department)
    if status:
        assignments = assignments.filter(status=status)
    actions = Action.objects.filter(plan=plan).prefetch_related(
        Prefetch(
            "tasks",
            queryset=PlanTask.objects.prefetch_related(Prefetch("assignments", queryset=assignments, to_attr="shown")),
        )
    )
    if action:
        actions = actions.filter(number=action)
    actions = list(actions)
    counts: Counter = Counter()
    for a in actions:
        for t in a.tasks.all():
            for x in t.shown:
                counts[x.department] += 1
    departments = [d for d, _n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].pk))]
    index = {d.pk: i for i, d in enumerate(departments)}
    m = Matrix(plan=plan, departments=departments, actions=[])
    m.by_department = OrderedDict((d.pk, Counter()) for d in departments)
    for a in actions:
        rows = []
        m.by_action[a.pk] = Counter()
        for t in a.tasks.all():
            if not t.shown and (department or status):
                continue
            cells = [None] * len(departments)
            for x in t.shown:
                cells[index[x.department_id]] = x
                m.by_department[x.department_id][x.status] += 1
                m.by_action[a.pk][x.status] += 1
            rows.append((t, cells))
        if rows:
            m.actions.append((a, rows))
        else:
            del m.by_action[a.pk]
    return m


def summary_rows(counter_map, labels) -> list[dict]:
    out = []
    for key, counter in counter_map.items():
        total = sum(counter.values())
        out.append({"label": labels[key], "total": total, **{s: counter.get(s, 0) for s in Status.values}})
    return out


def assignments_of(user: User) -> QuerySet[Assignment]:
    """本部门任务: a liaison's own department's assignments."""
    if not user.department_id:
        return Assignment.objects.none()
    return (
        Assignment.objects.filter(department_id=user.department_id)
        .select_related("task__action__plan", "department", "updated_by")
        .prefetch_related("notes")
        .order_by("task__action__plan__seed", "task__action__number", "task__order")
    )


def periods_of(assignment: Assignment, today) -> list[dict]:
    """Each period of a recurring task with its records and status (one query for the records)."""
    from . import rules
    from .models import PeriodRecord

    plan = assignment.task.action.plan
    records: dict = {}
    for r in PeriodRecord.objects.filter(assignment=assignment).order_by("done_on"):
        records.setdefault(r.period_start, []).append(r)
    out = []
    for p in rules.periods(assignment.task.recurrence, plan.start_year, plan.end_year, today):
        rows = records.get(p.start, [])
        out.append(
            {
                "period": p,
                "records": rows,
                "status": rules.period_status(p, len(rows), assignment.task.recurrence_min_count, today),
            }
        )
    return list(reversed(out))


def timeline(plan: Plan, today) -> list[dict]:
    """Phases and milestones in date order, each marked past, current or coming."""
    items = []
    for ph in plan.phases.all():
        end = ph.ends_on
        state = (
            "past" if end and end < today else ("current" if not ph.starts_on or ph.starts_on <= today else "coming")
        )
        items.append(
            {
                "kind": "phase",
                "date": ph.starts_on or end,
                "end": end,
                "title": ph.name,
                "text": ph.text,
                "state": state,
            }
        )
    for m in plan.milestones.all():
        items.append(
            {
                "kind": "milestone",
                "date": m.date,
                "end": m.date,
                "title": m.date.isoformat(),
                "text": m.text,
                "state": "past" if m.date < today else "coming",
            }
        )
    return sorted(items, key=lambda i: (i["date"] is None, i["date"]))
