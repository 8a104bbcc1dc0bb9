"""Load the action plans' task matrices (fixtures/task_plans/*.json, transcribed from the seeds).

Idempotent: a plan is matched by its source document, actions by number, tasks by number within the action,
assignments by department; statuses and progress already recorded are never touched by a reload.
"""

import datetime
import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from accounts.areas import ensure_region
from accounts.models import Area, Department

from .models import Action, ActionUnit, Assignment, Milestone, Phase, Plan, PlanTask

PLAN_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "task_plans"
KINDS_FILE = PLAN_DIR / "department_kinds.json"
# Units too generic to merge by kind: each wording stays its own department.
UNMERGED_KINDS = {"other", "local_government"}


def department_kinds() -> dict[str, dict]:
    return {k["kind"]: k for k in json.loads(KINDS_FILE.read_text(encoding="utf-8"))}


def department_for(region: Area, kind: str, original: str) -> Department:
    """The region's department of this kind (市教育局, 省教育厅 and 区教育局 are each their region's education
    department), created under the first wording met; generic units are kept apart by wording."""
    if kind not in UNMERGED_KINDS:
        found = Department.objects.filter(area=region, kind=kind).order_by("pk").first()
        if found:
            return found
    dept, _created = Department.objects.get_or_create(area=region, name=original, defaults={"kind": kind})
    return dept


@dataclass
class LoadResult:
    plan: Plan
    actions: int
    tasks: int
    assignments: int


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


@transaction.atomic
def load_plan(data: dict) -> LoadResult:
    region = ensure_region(Area, data["region_code"])
    plan, _created = Plan.objects.update_or_create(
        seed=data["seed"],
        defaults={
            "region": region,
            "title": data["title"],
            "document_number": data.get("document_number") or "",
            "start_year": data["start_year"],
            "end_year": data["end_year"],
            "report_deadline": data.get("report_deadline") or "",
            "report_deadline_text": data.get("report_deadline_text") or "",
        },
    )
    for phase in data.get("phases", []):
        Phase.objects.update_or_create(
            plan=plan,
            name=phase["name"],
            defaults={
                "starts_on": _date(phase.get("start")),
                "ends_on": _date(phase.get("end")),
                "text": phase.get("text", ""),
            },
        )
    for m in data.get("milestones", []):
        Milestone.objects.get_or_create(plan=plan, date=_date(m["date"]), text=m["text"])
    n_actions = n_tasks = n_assign = 0
    for a in data["actions"]:
        action, _c = Action.objects.update_or_create(
            plan=plan, number=a["number"], defaults={"name": a["name"], "original_title": a.get("original_title", "")}
        )
        n_actions += 1
        for role, key in (("lead", "lead_units"), ("participant", "participating_units")):
            for order, unit in enumerate(a.get(key) or []):
                dept = department_for(region, unit["kind"], unit["original"])
                ActionUnit.objects.update_or_create(
                    action=action,
                    department=dept,
                    role=role,
                    defaults={"original_name": unit["original"], "order": order},
                )
        for order, t in enumerate(a["tasks"]):
            task, _c = PlanTask.objects.update_or_create(
                action=action,
                number=t["number"],
                defaults={
                    "order": order,
                    "content": t["content"],
                    "target": t.get("target") or "",
                    "recurrence": t.get("recurrence") or "",
                    "recurrence_min_count": t.get("recurrence_min_count"),
                    "recurrence_text": t.get("recurrence_text") or "",
                },
            )
            n_tasks += 1
            for u_order, unit in enumerate(t["units"]):
                dept = department_for(region, unit["kind"], unit["original"])
                _a, made = Assignment.objects.get_or_create(
                    task=task, department=dept, defaults={"original_name": unit["original"], "order": u_order}
                )
                n_assign += 1 if made or _a.original_name == unit["original"] else 0
    n_assign = Assignment.objects.filter(task__action__plan=plan).count()
    return LoadResult(plan=plan, actions=n_actions, tasks=n_tasks, assignments=n_assign)


def load_all(directory: Path = PLAN_DIR) -> list[LoadResult]:
    return [load_plan(json.loads(path.read_text(encoding="utf-8"))) for path in sorted(directory.glob("[0-9]*.json"))]
