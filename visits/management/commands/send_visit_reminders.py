import datetime

from django.core.management.base import BaseCommand, CommandError

from visits import reminders


class Command(BaseCommand):
    help = "Run the daily visit sweep without Celery (the same code the scheduled task runs)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to run for, YYYY-MM-DD (default: today, local)")
        parser.add_argument("--dry-run", action="store_true", help="show what would be sent; write nothing")
        parser.add_argument("--weekly", action="store_true", help="also send the supervisors' weekly digest")

    def handle(self, *args, date=None, dry_run=False, weekly=False, **options):
        try:
            today = datetime.date.fromisoformat(date) if date else None
        except ValueError:
            raise CommandError("--date must be YYYY-MM-DD") from None
        result = reminders.daily_sweep(today=today, dry_run=dry_run)
        for note in result.pop("notifications", []):
            self.stdout.write(f"[dry run] to user {note.user_id}: {note.title}")
        self.stdout.write(str(result))
        if weekly and not dry_run:
            self.stdout.write(str(reminders.weekly_digest(today=today)))
