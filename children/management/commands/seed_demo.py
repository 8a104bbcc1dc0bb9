import random
import time

from django.core.management.base import BaseCommand
from django.db import transaction

from children import demo
from children.models import Child


class Command(BaseCommand):
    help = "Build the demo county, one user per role and demo children (bulk-loaded)."

    def add_arguments(self, parser):
        parser.add_argument("--children", type=int, default=300, help="how many children to add (default 300)")
        parser.add_argument("--if-empty", action="store_true", help="do nothing if children already exist")
        parser.add_argument("--seed", type=int, default=2024)

    def handle(self, *args, children: int, if_empty: bool, seed: int, **options):
        if if_empty and Child.objects.exists():
            self.stdout.write("Demo data already present; nothing to do.")
            return
        started = time.monotonic()
        with transaction.atomic():
            villages = demo.build_demo_areas()
            users = demo.build_demo_users()
        villages = demo.villages_for(children, random.Random(seed), villages)
        self.stdout.write(f"{len(villages)} villages")

        def progress(done: int) -> None:
            if done % 100000 == 0 or done == children:
                self.stdout.write(f"  {done} children ({time.monotonic() - started:.0f} s)")

        made = demo.seed_children(count=children, villages=villages, seed=seed, progress=progress)
        self.stdout.write(self.style.SUCCESS(f"{made} children loaded in {time.monotonic() - started:.1f} s."))
        self.stdout.write("Demo sign-ins (username / role / password):")
        for username, role, password in users:
            self.stdout.write(f"  {username:<12} {role:<12} {password}")
