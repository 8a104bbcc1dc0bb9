"""Issue 6 speed: one archive as PDF (goal < 0.5 s) and a batch of 1,000 archives as one zip (goal < 2 min).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/care_bench .venv/bin/python bench/pdfs.py [COUNT]

Runs on the 1,000,000-child demo: the archive of a child with a year of visits, family, categories and welfare;
then the batch builder (children/pdf.archives_zip, what the Celery job runs) over the first township holding at
least COUNT (default 1,000) open archives, timed as a whole and reported per archive.
"""

import statistics
import sys
import time

import _setup  # noqa: F401

COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 1000


def main() -> None:
    from accounts.models import User
    from children import pdf
    from children.models import Child

    child = Child.objects.filter(status="open", visits__isnull=False).order_by("id").first()
    pdf.archive_pdf(child, full_ids=True)  # warm-up: font registration
    times = []
    for _ in range(10):
        t = time.perf_counter()
        size = len(pdf.archive_pdf(child, full_ids=True))
        times.append(time.perf_counter() - t)
    print(f"one archive ({child.visits.count()} visits, {size / 1024:.0f} KB): median {statistics.median(times):.3f} s")

    from django.db import connection

    with connection.cursor() as cursor:  # the smallest township (else county) holding at least COUNT open archives
        for digits in (9, 6):
            cursor.execute(
                f"SELECT substr(village_id, 1, {digits}), count(*) FROM children_child WHERE status = 'open' "
                "GROUP BY 1 HAVING count(*) >= %s ORDER BY 2 LIMIT 1",
                [COUNT],
            )
            found = cursor.fetchone()
            if found:
                code = found[0]
                break
    admin = User.objects.filter(is_superuser=True).first()
    t = time.perf_counter()
    content, count = pdf.archives_zip(user=admin, area_code=code, progress=None)
    seconds = time.perf_counter() - t
    print(
        f"batch of area {code}: {count} archives, {len(content) / 1e6:.1f} MB zip in {seconds:.1f} s "
        f"({seconds / count * 1000:.0f} ms each; 1,000 would take {seconds / count * 1000:.0f} s)"
    )


if __name__ == "__main__":
    main()
