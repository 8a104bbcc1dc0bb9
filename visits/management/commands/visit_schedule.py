import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from children.models import Child
from visits import rules, schedule
from visits.models import VisitRule, VisitSchedule


class Command(BaseCommand):
    help = "Print each child's visit rules (with sources), intervals, last visits, next due dates and status."

    def add_arguments(self, parser):
        parser.add_argument("--area", help="area code: every child of its subtree")
        parser.add_argument("--child", type=int, help="one child's id")
        parser.add_argument("--date", help="today, as YYYY-MM-DD (default: the local date)")
        parser.add_argument("--json", action="store_true", help="one JSON document instead of text lines")
        parser.add_argument("--refresh", action="store_true", help="recompute the schedules first")
        parser.add_argument("--limit", type=int, default=10000)

    def handle(self, *args, area=None, child=None, date=None, refresh=False, limit=10000, **options):
        as_json = options["json"]
        try:
            today = datetime.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError("--date must be YYYY-MM-DD") from None
        if refresh:
            schedule.refresh(child_ids=[child] if child else None, area_prefix=area if not child else None)
        qs = VisitSchedule.objects.select_related("child").order_by("due_on", "child_id")
        if child:
            if not Child.objects.filter(pk=child).exists():
                raise CommandError(f"no child {child}")
            qs = qs.filter(child_id=child)
        if area:
            qs = qs.filter(village_id__startswith=area)
        rows = list(qs[:limit])
        rule_ids = {int(i) for r in rows for i in r.rule_ids.split(",") if i}
        rule_map = {r.pk: r for r in VisitRule.objects.filter(pk__in=rule_ids).select_related("rule_set")}
        out = []
        for r in rows:
            status, days = rules.status_for(r.due_on, today)
            out.append(
                {
                    "child_id": r.child_id,
                    "name": r.child.name,
                    "village": r.village_id,
                    "rules": [
                        {
                            "id": i,
                            "description": rule_map[i].description,
                            "source": rule_map[i].source,
                            "rule_set": rule_map[i].rule_set.name,
                            "home_visit_days": rule_map[i].home_visit_days,
                            "contact_days": rule_map[i].contact_days,
                        }
                        for i in (int(x) for x in r.rule_ids.split(",") if x)
                        if i in rule_map
                    ],
                    "home_visit_days": r.home_days,
                    "contact_days": r.contact_days,
                    "last_home_visit": r.last_home_on and r.last_home_on.isoformat(),
                    "last_contact": r.last_contact_on and r.last_contact_on.isoformat(),
                    "home_visit_due": r.home_due_on and r.home_due_on.isoformat(),
                    "contact_due": r.contact_due_on and r.contact_due_on.isoformat(),
                    "status": str(status),
                    "days_overdue": days,
                }
            )
        if as_json:
            import json as _json

            self.stdout.write(_json.dumps({"date": today.isoformat(), "children": out}, ensure_ascii=False, indent=1))
            return
        for o in out:
            self.stdout.write(
                f"{o['child_id']}\t{o['name']}\t{o['status']}\t{o['days_overdue']}\thome {o['home_visit_days']}d "
                f"due {o['home_visit_due']}\tcontact {o['contact_days']}d due {o['contact_due']}\t"
                + "; ".join(f"{x['description']} ({x['source']})" for x in o["rules"])
            )
