from django.core.management.base import BaseCommand

from visits import schedule_check


class Command(BaseCommand):
    help = (
        "Recompute every visit schedule from the visit history and report the stored rows that differ (there "
        "must be none); --fix writes the recomputed rows. Exits with status 1 when a difference was found."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="write the recomputed rows")

    def handle(self, *args, fix=False, **options):
        result = schedule_check.check(fix=fix)
        if result.ok:
            self.stdout.write("The stored visit schedules agree with the visit history.")
            return
        self.stdout.write(
            f"{len(result.differing)} stored schedules differ from the visit history"
            f" (children {', '.join(map(str, result.differing[:50]))}{' …' if len(result.differing) > 50 else ''});"
            f" {len(result.closed_with_row)} closed archives still had a schedule."
            + (" Fixed." if fix else " Run with --fix to write the recomputed rows.")
        )
        raise SystemExit(1)
