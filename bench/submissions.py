"""A department's 100,000-row list matched against the 1,000,000-child database and diffed against its previous
list (issue 16: under 20 s).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/care_bench .venv/bin/python bench/submissions.py [rows]

Builds two school lists of `rows` rows (default 100,000): 90% archives already in the database (by ID number; one
in fifty by name and date of birth only), 10% numbers no archive holds. The first list says everyone is in school;
the second, a month later, says one in twenty of them left school. Times `exchange.matching.submission_receive` on
each (rows read and checked, loaded, matched, diffed, proposals and candidates written). Everything runs in one
transaction that is rolled back at the end: the bench database is left as it was (where it lacks the exchange app's
tables, they are made inside that transaction too).
"""

import datetime
import sys
import time

import _setup  # noqa: F401
from django.db import connection, transaction

from accounts.models import Department, Role, User
from children.idnumber import make
from children.models import Child
from exchange import matching, profiles
from exchange.models import Source, SubmissionRow


class Rollback(Exception):
    pass


def _rows(n: int) -> list[dict]:
    known = int(n * 0.9)
    step = max(1, Child.objects.count() // known)
    children = list(Child.objects.order_by("id").values_list("id_number", "name", "birth_date"))[::step][:known]
    rows = []
    for i, (number, name, birth) in enumerate(children):
        if i % 50 == 0:
            rows.append({"name": name, "birth_date": birth.isoformat(), "status": "enrolled"})
        else:
            rows.append({"name": name, "id_number": number, "status": "enrolled"})
    base = datetime.date(2012, 1, 1)
    for i in range(n - len(rows)):
        # Region 990000 does not exist: no archive holds these numbers.
        rows.append(
            {
                "name": f"未建档{i}",
                "id_number": make("990000", base + datetime.timedelta(days=i % 3000), i // 3000),
                "status": "enrolled",
            }
        )
    return rows


def _tables() -> None:
    """Where the bench database predates the exchange app's migrations, its tables are made inside the transaction
    (PostgreSQL's DDL is transactional): the rollback removes them with everything else."""
    from exchange import models as m

    if m.SubmissionRow._meta.db_table in connection.introspection.table_names():
        return
    print("(exchange tables made for this run only)")
    history = m.ChangeProposal.history.model
    with connection.schema_editor() as editor:
        for model in (m.MappingProfile, m.Source, m.Submission, m.SubmissionRow, m.ChangeProposal, history):
            editor.create_model(model)


def lists(n: int) -> tuple[list[dict], list[dict]]:
    """The two lists: everyone in school, then a month later one in twenty left school."""
    t = time.perf_counter()
    first = _rows(n)
    print(f"{len(first)} rows built in {time.perf_counter() - t:.1f} s")
    second = [dict(r, status="dropped_out") if i % 20 == 7 else r for i, r in enumerate(first)]
    return first, second


def school_source() -> tuple[User, Source]:
    """A county's education department, its liaison and its school list (inside the bench's transaction)."""
    _tables()
    county = Child.objects.order_by("id").values_list("village_id", flat=True).first()[:6]
    department = Department.objects.create(name="基准测试教育局", kind="education", area_id=county)
    liaison = User.objects.create(username="bench_submissions", role=Role.LIAISON, department=department)
    return liaison, Source.objects.create(department=department, kind="school", expected_every_days=31)


def figures(sub) -> str:
    return (
        f"rows {sub.rows_n}, registered {sub.matched_n}, changed {sub.changed_n}, gone {sub.gone_n},"
        f" proposals {sub.proposals_n}, candidates {sub.candidates_n}"
    )


def rolled_back(run) -> None:
    """run(liaison, source) for a new school source, in one transaction rolled back at the end."""
    try:
        with transaction.atomic():
            liaison, source = school_source()
            run(liaison, source)
            print("stored rows:", SubmissionRow.objects.filter(submission__source=source).count())
            raise Rollback
    except Rollback:
        print("rolled back: nothing written stays")
    print("database:", connection.vendor)


def main(n: int) -> None:
    first, second = lists(n)

    def run(liaison, source):
        for label, rows in (("first list", first), ("second list (diffed)", second)):
            t = time.perf_counter()
            sub = matching.submission_receive(
                user=liaison, source=source, records=profiles.json_records(rows, None), via="api"
            )
            print(f"{label}: {time.perf_counter() - t:.1f} s — {figures(sub)}")

    rolled_back(run)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
