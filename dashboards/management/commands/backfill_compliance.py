import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dashboards import services


class Command(BaseCommand):
    help = "Write the monthly visit-compliance snapshots of the past months (default 12); safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=12, help="how many full months before this one")
        parser.add_argument("--month", help="only this month, as YYYY-MM")
        parser.add_argument("--date", help="today, as YYYY-MM-DD (default: the local date)")

    def handle(self, *args, months=12, month=None, date=None, **options):
        try:
            today = datetime.date.fromisoformat(date) if date else timezone.localdate()
            one = datetime.date.fromisoformat(f"{month}-01") if month else None
        except ValueError:
            raise CommandError("--date must be YYYY-MM-DD and --month YYYY-MM") from None
        if not 1 <= months <= 120:
            raise CommandError("--months must be between 1 and 120")
        done = (
            [(one, services.snapshot_month(month=one, today=today))]
            if one
            else services.backfill(months=months, today=today)
        )
        for start, villages in done:
            self.stdout.write(f"{start:%Y-%m}: {villages} villages")
