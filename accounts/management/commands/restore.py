from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.backup import restore


class Command(BaseCommand):
    help = "Restore the database from a file made by `manage.py backup` (replaces the current contents)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such backup file: {path}")
        restore(path)
        self.stdout.write(f"Restored from {path}")
