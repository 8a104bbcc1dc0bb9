import random
import time

from django.core.management.base import BaseCommand
from django.db import transaction

from children.models import Child
from demo import children as demo


class Command(BaseCommand):
    help = "Build the demo county, one user per role and demo children (bulk-loaded)."

    def add_arguments(self, parser):
        parser.add_argument("--children", type=int, default=300, help="how many children to add (default 300)")
        parser.add_argument("--if-empty", action="store_true", help="do nothing if children already exist")
        parser.add_argument("--seed", type=int, default=2024)
        parser.add_argument("--no-visits", action="store_true", help="skip the year of visit history")

    def handle(self, *args, children: int, if_empty: bool, seed: int, no_visits: bool, **options):
        if if_empty and Child.objects.exists():
            self.stdout.write("Demo data already present; nothing to do.")
            return
        started = time.monotonic()
        from tasks.plans import load_all

        with transaction.atomic():
            villages = demo.build_demo_areas()
            load_all()  # the five seeds' task matrices
            users = demo.build_demo_users()
        villages = demo.villages_for(children, random.Random(seed), villages)
        self.stdout.write(f"{len(villages)} villages")

        def progress(done: int) -> None:
            if done % 100000 == 0 or done == children:
                self.stdout.write(f"  {done} children ({time.monotonic() - started:.0f} s)")

        first_id = (Child.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        made = demo.seed_children(count=children, villages=villages, seed=seed, progress=progress)
        seeded = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"{made} children with families loaded in {seeded:.1f} s."))
        staff = demo.build_area_staff(villages)
        self.stdout.write(f"{staff} directors, supervisors and county staff for the generated areas")
        if not no_visits:
            from demo.visits import seed_visits

            t = time.monotonic()
            visits = seed_visits(first_child_id=first_id, seed=seed)
            self.stdout.write(
                self.style.SUCCESS(
                    f"{visits} visits of the past year and every visit schedule in {time.monotonic() - t:.1f} s."
                )
            )
        from demo.oversight import seed_oversight

        made_oversight = seed_oversight(seed=seed)
        if made_oversight:
            self.stdout.write(f"Oversight demo: {made_oversight}")
        from demo.sites import seed_sites

        made_sites = seed_sites()
        if made_sites:
            self.stdout.write(f"Sites demo: {made_sites}")
        from demo.approvals import seed_approvals

        made_approvals = seed_approvals()
        if made_approvals:
            self.stdout.write(f"Approvals demo: {made_approvals}")
        from demo.plans import seed_plans

        made_plans = seed_plans()
        if made_plans:
            self.stdout.write(f"Help-plan demo: {made_plans}")
        from demo.pairing import seed_pairing

        made_pairing = seed_pairing()
        if made_pairing:
            self.stdout.write(f"Pairing demo: {made_pairing}")
        from django.utils import timezone

        from dashboards import figures

        started = time.monotonic()
        villages = figures.refresh(today=timezone.localdate())
        self.stdout.write(f"Dashboard figures of {villages} villages computed in {time.monotonic() - started:.1f} s.")
        # The dashboards' monthly series: the twelve months before this one, as the monthly task would have kept them.
        from dashboards.services import backfill

        started = time.monotonic()
        months = backfill(months=12)
        self.stdout.write(f"Monthly snapshots of {len(months)} months written in {time.monotonic() - started:.1f} s.")
        self.stdout.write("Demo sign-ins (username / role / password):")
        for username, role, password in users:
            self.stdout.write(f"  {username:<12} {role:<12} {password}")
