from pathlib import Path

from django.core.management.base import BaseCommand

from accounts.backup import backup, default_backup_path


class Command(BaseCommand):
    help = "Back up the database: pg_dump -Fc for PostgreSQL, sqlite3's backup API for SQLite."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="where to write (default: VAR_DIR/backups/careservices-<time>)")

    def handle(self, *args, file=None, **options):
        path = backup(Path(file) if file else default_backup_path())
        self.stdout.write(str(path))
