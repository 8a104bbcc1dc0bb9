"""Issue 6 speed: a 100,000-row .xlsx roster, dry run plus import, against django-import-export's default import.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/care_import_bench .venv/bin/python bench/imports.py [ROWS] [SAMPLE]

The database needs the demo areas and users (`migrate` then `seed_demo`); everything this script writes is rolled
back at the end, so it can run again. The roster has the ten columns of a national-system roster (name, ID number,
sex, birth date, ethnic group, village code, address, categories, guardian, guardian's phone), spread over the
demo county's villages. django-import-export's default (one row at a time: instance loaded, validated, saved, the
category and guardian saved in after_save_instance) runs on a sample of SAMPLE rows (default 2,000) and its rows/s
are compared with ours.
"""

import datetime
import io
import random
import sys
import time

import _setup  # noqa: F401
from django.db import transaction  # noqa: E402

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
SAMPLE = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000


class Rollback(Exception):
    pass


def roster(rows: int) -> bytes:
    """A 10-column roster written with openpyxl's streaming writer (cached between runs)."""
    from pathlib import Path

    import openpyxl

    from accounts.models import Area
    from children.idnumber import make

    cache = Path(f"/tmp/bench-roster-{rows}.xlsx")
    if cache.exists():
        return cache.read_bytes()
    villages = list(Area.objects.filter(level="village", code__startswith="370283").values_list("code", flat=True))
    rng = random.Random(6)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("儿童名单")
    sheet.append(
        [
            "姓名",
            "身份证号",
            "性别",
            "出生日期",
            "民族",
            "村（社区）代码",
            "住址",
            "儿童类别",
            "监护人姓名",
            "监护人电话",
        ]
    )
    categories = ["农村留守儿童", "农村留守儿童", "农村留守儿童", "社会散居孤儿", "重病", "残疾、监护较差、缺失或不当"]
    for n in range(rows):
        birth = datetime.date(2009 + n % 16, 1 + n % 12, 1 + n % 28)
        # Unique numbers for n < 100,000: the region digits carry n % 100, the sequence n // 100.
        number = make(f"{370200 + n % 100:06d}", birth, (n // 100) % 1000)
        sheet.append(
            [
                f"儿童{n}",
                number,
                "男" if int(number[16]) % 2 else "女",
                birth,
                "汉族",
                rng.choice(villages),
                f"幸福路{n}号",
                rng.choice(categories),
                f"监护人{n}",
                f"139{n:08d}",
            ]
        )
    buf = io.BytesIO()
    book.save(buf)
    cache.write_bytes(buf.getvalue())
    return buf.getvalue()


def ours(data: bytes, user) -> tuple[float, float, dict]:
    """The web flow: a check (dry run) that keeps its cleaned rows in a file, then the import, which reads them
    back instead of the spreadsheet (the database checks run again), then the foreign-key checks that COMMIT would
    run (the script rolls back instead)."""
    import tempfile

    from django.db import connection
    from django.utils import timezone

    from children import imports

    t = time.perf_counter()
    preview = imports.run_import(io.BytesIO(data), user=user, dry_run=True, keep_cleaned=True)
    with tempfile.TemporaryFile() as kept:
        kept.write(preview.cleaned)
        dry = time.perf_counter() - t
        assert not preview.invalid, [(r.number, r.errors) for r in preview.invalid[:5]]
        t = time.perf_counter()
        kept.seek(0)
        cleaned = imports.unseal(kept.read(), timezone.localdate())
    assert cleaned is not None
    outcome = imports.run_import(None, user=user, dry_run=False, cleaned=cleaned)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    wet = time.perf_counter() - t
    return dry, wet, {"created": outcome.written.created, "updated": outcome.written.updated}


def default_resource():
    """The straightforward django-import-export resource for the same roster (per-row import)."""
    from import_export import fields, resources, widgets

    from accounts.models import Area
    from children.categories import flags_for
    from children.models import Child, ChildCategory, FamilyMember
    from children.roster_format import labels

    table = labels()

    class DefaultChildResource(resources.ModelResource):
        name = fields.Field(attribute="name", column_name="姓名")
        id_number = fields.Field(attribute="id_number", column_name="身份证号")
        sex = fields.Field(attribute="sex", column_name="性别")
        birth_date = fields.Field(attribute="birth_date", column_name="出生日期", widget=widgets.DateWidget())
        ethnicity = fields.Field(attribute="ethnicity", column_name="民族")
        village = fields.Field(
            attribute="village", column_name="村（社区）代码", widget=widgets.ForeignKeyWidget(Area, "code")
        )
        address = fields.Field(attribute="address", column_name="住址")

        class Meta:
            model = Child
            fields = ("name", "id_number", "sex", "birth_date", "ethnicity", "village", "address")
            import_id_fields = ("id_number",)

        def before_import_row(self, row, **kwargs):
            row["性别"] = table["sex"][row["性别"]]
            self._categories = [table["categories"][c] for c in str(row["儿童类别"]).split("、") if c]

        def before_save_instance(self, instance, row, **kwargs):
            instance.registered_on = datetime.date.today()
            instance.category_flags = flags_for(self._categories)

        def after_save_instance(self, instance, row, **kwargs):
            if kwargs.get("dry_run"):
                return
            for code in self._categories:
                ChildCategory.objects.create(child=instance, category=code, started_on=instance.registered_on)
            FamilyMember.objects.create(
                child=instance, relation="other", name=row["监护人姓名"], phone=row["监护人电话"], is_guardian=True
            )

    return DefaultChildResource()


def default(data: bytes, sample: int) -> float:
    import tablib

    source = tablib.Dataset().load(data, format="xlsx")
    subset = tablib.Dataset(*[source[i] for i in range(sample)], headers=source.headers)
    for i in range(len(subset)):  # categories whose labels contain 、 are not split right by the simple resource
        row = list(subset[i])
        row[7] = "农村留守儿童"
        subset[i] = tuple(row)
    resource = default_resource()
    t = time.perf_counter()
    result = resource.import_data(subset, dry_run=True)
    assert not result.has_errors() and not result.has_validation_errors(), result.invalid_rows[:3]
    result = resource.import_data(subset, dry_run=False)
    assert not result.has_errors(), result.row_errors()[:3]
    return sample / (time.perf_counter() - t)


def main() -> None:
    from django.db import connection

    from accounts.models import User

    user = User.objects.get(username="county")
    with connection.cursor() as cursor:
        # Earlier runs were rolled back: their dead rows and index entries (100,000 children become some 700,000
        # index entries) would slow the next run; VACUUM FULL rebuilds the tables and indexes as a real database has
        # them. The demo database is small, so this takes seconds.
        cursor.execute("VACUUM FULL ANALYZE")
    t = time.perf_counter()
    data = roster(ROWS)
    print(f"roster: {ROWS:,} rows, {len(data) / 1e6:.1f} MB (built in {time.perf_counter() - t:.1f} s, cached in /tmp)")
    try:
        with transaction.atomic():
            dry, wet, written = ours(data, user)
            raise Rollback
    except Rollback:
        pass
    total = dry + wet
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the process's peak resident memory so far
    print(
        f"ours: dry run {dry:.1f} s + import {wet:.1f} s = {total:.1f} s  {written}  ({ROWS / total:,.0f} rows/s);"
        f" peak memory {peak:.0f} MB"
    )
    try:
        with transaction.atomic():
            rate = default(data, min(SAMPLE, ROWS))
            raise Rollback
    except Rollback:
        pass
    print(f"django-import-export default, {min(SAMPLE, ROWS):,}-row sample (dry run + import): {rate:,.0f} rows/s")
    print(f"ratio: {ROWS / total / rate:.1f}x faster; the default would need {ROWS / rate:,.0f} s for {ROWS:,} rows")


if __name__ == "__main__":
    main()
