"""A department's 100,000-row list uploaded as a spreadsheet through the list page's pipeline (issue 16): the file
read and checked, then matched against every archive and diffed against the previous list; time and peak memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/care_bench .venv/bin/python bench/submission_upload.py [rows]
    .venv/bin/python bench/submission_upload.py 20000 --tracemalloc      # a small database; Python's peak too

The two lists of bench/submissions.py (same rows: 90% archives of the database, one in fifty by name and date of
birth only, 10% numbers no archive holds; the second list a month later with one in twenty left school) are
written as .xlsx files in the shipped profile's columns (姓名, 身份证号码, 出生日期, 状态 with 在校 / 辍学) into
/tmp, by this process. A child process (so that building the lists does not count in its memory) then uploads
each as the page does: exchange.profiles.sheet_records through the shipped profile (children.sheets: calamine, the
cells normalised and checked) into exchange.matching.submission_receive (rows loaded, matched, diffed, proposals
and candidates written). It prints each upload's time, its figures and the process's peak resident memory
(getrusage ru_maxrss: after Django's set-up, then after each upload); with --tracemalloc also the peak of Python's
own allocations during each upload (slower; calamine's Rust-side memory is not traced). Everything runs in one
transaction rolled back at the end, as in bench/submissions.py: the database is left as it was.
"""

import argparse
import resource
import subprocess
import sys
import time
import tracemalloc
from functools import partial
from pathlib import Path

import _setup  # noqa: F401
from django.core.files.uploadedfile import SimpleUploadedFile

from exchange import matching, profiles

# The shipped profile's headers and codes (exchange.profiles.SHIPPED) for the fields a school list fills.
HEADERS = ("姓名", "身份证号码", "出生日期", "状态")
STATUS_TEXT = {"enrolled": "在校", "dropped_out": "辍学"}


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def write(rows: list[dict], path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("名单")
    sheet.append(HEADERS)
    for r in rows:
        sheet.append([r["name"], r.get("id_number", ""), r.get("birth_date", ""), STATUS_TEXT[r["status"]]])
    book.save(path)


def build(n: int) -> tuple[Path, Path]:
    from submissions import lists

    first, second = lists(n)
    paths = (Path(f"/tmp/bench-list-{n}-first.xlsx"), Path(f"/tmp/bench-list-{n}-second.xlsx"))
    t = time.perf_counter()
    for rows, path in zip((first, second), paths, strict=True):
        write(rows, path)
    sizes = ", ".join(f"{p.stat().st_size / 1e6:.1f} MB" for p in paths)
    print(f"written as .xlsx in {time.perf_counter() - t:.1f} s ({sizes})")
    return paths


class Timed:
    """The records as the pipeline pulls them, with the time spent reading the file (the pipeline streams them)."""

    def __init__(self, make):
        t = time.perf_counter()
        self.records = iter(make())  # the header is found here
        self.seconds = time.perf_counter() - t

    def __iter__(self):
        return self

    def __next__(self):
        t = time.perf_counter()
        try:
            return next(self.records)
        finally:
            self.seconds += time.perf_counter() - t


def upload(paths: list[Path], trace: bool) -> None:
    from submissions import figures, rolled_back

    print(f"peak memory after set-up: {rss_mb():.0f} MB")

    def run(liaison, source):
        profile = profiles.shipped_profile()
        for label, path in zip(("first upload", "second upload (diffed)"), paths, strict=True):
            data = path.read_bytes()
            if trace:
                tracemalloc.start()
            t = time.perf_counter()
            records = Timed(partial(profiles.sheet_records, SimpleUploadedFile(path.name, data), profile))
            sub = matching.submission_receive(
                user=liaison, source=source, records=records, via="upload", profile=profile
            )
            took = time.perf_counter() - t
            traced = ""
            if trace:
                traced = f", Python's peak {tracemalloc.get_traced_memory()[1] / 2**20:.0f} MB"
                tracemalloc.stop()
            print(
                f"{label}: {took:.1f} s (the file read {records.seconds:.1f} s; the rest: rows checked, loaded,"
                f" matched, diffed, written) — {figures(sub)}; peak memory {rss_mb():.0f} MB{traced}"
            )

    rolled_back(run)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rows", nargs="?", type=int, default=100_000)
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--upload", nargs=2, type=Path, help=argparse.SUPPRESS)  # the child process's step
    args = parser.parse_args()
    if args.upload:
        upload(args.upload, args.tracemalloc)
        return
    paths = build(args.rows)
    step = [sys.executable, __file__, "--upload", *map(str, paths)] + (["--tracemalloc"] if args.tracemalloc else [])
    subprocess.run(step, check=True)


if __name__ == "__main__":
    main()
