from django.core.management.base import BaseCommand

from tasks.plans import load_all


class Command(BaseCommand):
    help = "Load (or refresh) the five seeds' action plans and task matrices; safe to run again."

    def handle(self, *args, **options):
        for r in load_all():
            self.stdout.write(
                f"{r.plan.seed} {r.plan.title}: {r.actions} actions, {r.tasks} tasks, "
                f"{r.assignments} department assignments"
            )
