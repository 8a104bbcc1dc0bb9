"""Issue 15 memory: the largest roster the limits accept, checked then imported; peak memory of each step.

    .venv/bin/python bench/import_memory.py [--rows 200000] [--tracemalloc]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/care_import_mem .venv/bin/python bench/import_memory.py

The file has every column of the template (18), `--rows` data rows (default: the row limit, 200,000) and notes
padded so that the file is just under UPLOAD_MAX_BYTES (20 MB). It is built once by a child process (so that
building it does not count) and cached in /tmp. Without DATABASE_URL the database is a SQLite file in /tmp
(migrated on first use); the script adds a county, 50 villages and a civil-affairs user if missing, and rolls the
import back at the end, so it can run again.

Each step runs in its own process, as on the site (the check and the confirmation are separate requests or tasks),
and reports that process's peak resident memory (getrusage ru_maxrss, after Django set-up and at the end): the
check (dry run, keeping the sealed cleaned rows as the web check does, written to /tmp) and the import (reusing the
sealed rows, as the confirmation does). With --tracemalloc also the peak of Python's own allocations in each step
(slower; calamine's Rust-side memory is not traced).
"""

import argparse
import datetime
import io
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = "sqlite:////tmp/care-import-memory.sqlite3"
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _setup  # noqa: E402, F401
from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

VILLAGES = [f"370283{t:03d}{v:03d}" for t in range(1, 6) for v in range(1, 11)]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def build(rows: int, note_length: int) -> bytes:
    """The roster: every template column, `note_length` characters of notes per row."""
    import openpyxl

    from children import roster_format
    from children.idnumber import make

    rng = random.Random(15)
    alphabet = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面"
    categories = ["农村留守儿童", "农村留守儿童", "社会散居孤儿", "重病", "残疾、监护较差、缺失或不当"]
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("儿童名单")
    sheet.append(roster_format.HEADERS)
    start = datetime.date(2010, 1, 1)
    for n in range(rows):
        birth = start + datetime.timedelta(days=(n // 100) % 3000)
        number = make(f"{370200 + n % 100:06d}", birth, 1 + n // 300_000)  # unique for n < 300,000
        sheet.append(
            [
                f"儿童{n}",
                number,
                "",
                birth,
                "汉族",
                VILLAGES[n % len(VILLAGES)],
                f"幸福路{n}号",
                categories[n % len(categories)],
                "在校",
                "第一小学",
                "三年级二班",
                "健康",
                "",
                "",
                f"监护人{n}",
                "祖父母或外祖父母",
                f"139{n:08d}",
                "".join(rng.choice(alphabet) for _ in range(note_length)),
            ]
        )
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def build_file(rows: int) -> Path:
    """Just under UPLOAD_MAX_BYTES: notes sized from a sample, then checked (and shortened if still too big)."""
    path = Path(f"/tmp/bench-import-memory-{rows}.xlsx")
    if path.exists():
        return path
    limit = settings.UPLOAD_MAX_BYTES
    sample = 5000
    base, padded = len(build(sample, 0)), len(build(sample, 100))
    per_char = (padded - base) / (sample * 100)
    length = max(0, int((0.985 * limit - base * rows / sample) / (per_char * rows)))
    while True:
        content = build(rows, length)
        if len(content) <= limit:
            break
        length = int(length * 0.97)
    path.write_bytes(content)
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--step", choices=["check", "import"], help="(internal) run one step in this process")
    args = parser.parse_args()
    if args.build_only:
        print(build_file(args.rows))
        return
    path = Path(f"/tmp/bench-import-memory-{args.rows}.xlsx")
    if not path.exists():  # built by another process, whose memory is not ours
        subprocess.run([sys.executable, __file__, "--rows", str(args.rows), "--build-only"], check=True)
    if not args.step:
        extra = ["--tracemalloc"] if args.tracemalloc else []
        for step in ("check", "import"):
            subprocess.run([sys.executable, __file__, "--rows", str(args.rows), "--step", step, *extra], check=True)
        return
    sealed_path = Path(f"/tmp/bench-import-memory-{args.rows}.sealed")

    from django.core.management import call_command

    from accounts.models import Area, AreaLevel, Role, User
    from children import imports
    from children.models import Child

    call_command("migrate", verbosity=0)
    county, _ = Area.objects.get_or_create(code="370283", defaults={"name": "平度市", "level": AreaLevel.COUNTY})
    for code in VILLAGES:
        township, _ = Area.objects.get_or_create(
            code=code[:9], defaults={"name": f"乡镇{code[6:9]}", "level": AreaLevel.TOWNSHIP, "parent": county}
        )
        Area.objects.get_or_create(
            code=code, defaults={"name": f"村{code[9:]}", "level": AreaLevel.VILLAGE, "parent": township}
        )
    user, created = User.objects.get_or_create(username="bench_import", defaults={"role": Role.CIVIL_AFFAIRS})
    if created:
        user.areas.add(county)
    Child.objects.filter(village_id__in=VILLAGES).exists()  # warm the connection

    size = path.stat().st_size
    if args.step == "check":
        share = size / settings.UPLOAD_MAX_BYTES
        print(f"file: {path} {size / 1e6:.2f} MB ({share:.1%} of the limit), {args.rows} data rows")
        print(f"database: {os.environ['DATABASE_URL'].split('@')[-1]}")
    if args.tracemalloc:
        import tracemalloc

        tracemalloc.start()
    print(f"{args.step} process after set-up: peak RSS {rss_mb():.0f} MB")

    def step(name, fn):
        if args.tracemalloc:
            tracemalloc.reset_peak()
        t = time.perf_counter()
        result = fn()
        line = f"{name}: {time.perf_counter() - t:.1f} s, peak RSS of the process {rss_mb():.0f} MB"
        if args.tracemalloc:
            line += f", Python peak in this step {tracemalloc.get_traced_memory()[1] / 2**20:.0f} MB"
        print(line, flush=True)
        return result

    def check():
        with open(path, "rb") as upload:
            outcome = imports.run_import(upload, user=user, dry_run=True, keep_cleaned=True)
        return outcome.totals, outcome.cleaned

    if args.step == "check":
        totals, sealed = step("check", check)
        sealed_path.write_bytes(sealed)
        print(f"  totals {totals}, sealed rows {len(sealed) / 1e6:.1f} MB")
        return
    sealed = sealed_path.read_bytes()

    class Rollback(Exception):
        pass

    def confirm():
        cleaned = imports.unseal(sealed, timezone.localdate())
        assert cleaned is not None, "sealed on another day: run the check again"
        try:
            with transaction.atomic():
                outcome = imports.run_import(None, user=user, dry_run=False, cleaned=cleaned)
                written = outcome.written
                raise Rollback
        except Rollback:
            return written

    written = step("import", confirm)
    print(f"  written {written}")


if __name__ == "__main__":
    main()
