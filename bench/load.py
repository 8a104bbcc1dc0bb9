"""Load test: gunicorn against the 1,000,000-child PostgreSQL demo, N concurrent connections for a bounded time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/care_bench .venv/bin/python bench/load.py [--seconds 120]
        [--connections 50] [--workers N] [--max-requests 100000]

Loopback only, bounded in time and count. Starts gunicorn (config/gunicorn.py, workers cores + 1 unless
--workers) on a free local port, signs in one director with open children as `--connections` separate sessions
(so that the per-request session save never queues on one row), and then each connection loops, closed-loop with
no think time, over three requests in turn:

  * GET  /visits/worklist/                 the director's worklist (本周待访)
  * GET  /children/<id>/                   a child's archive page (one of the director's children, in turn)
  * POST /visits/child/<id>/new/           the visit form (CSRF token from the form, as a browser sends it)

A response is an error unless it is 200 for the pages and a 302 to the archive for the post (a re-shown form
with errors counts as an error). The client is asyncio on raw sockets, so it takes little of the 2 cores the
server needs. Prints per-request p50/p95/p99/max, throughput and errors; results go into bench/RESULTS.md by hand.
The visit posts add real rows to the demo database (a few thousand visits: harmless there).
"""

import argparse
import asyncio
import datetime
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
MAX_SECONDS = 600
BEIJING = ZoneInfo("Asia/Shanghai")  # the app's TIME_ZONE: the visit form takes local times


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_sessions(n: int) -> dict:
    """A director with open children, `n` signed-in sessions of theirs, and the children to use."""
    sys.path.insert(0, str(ROOT / "bench"))
    import _setup  # noqa: F401 - Django on DATABASE_URL
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from accounts.models import Role, User
    from children.models import Child

    # Earlier runs leave sessions, visits and access-log rows behind: tidy up and vacuum what the requests touch,
    # as autovacuum would in time, so that runs compare.
    Session.objects.filter(expire_date__lt=timezone.now()).delete()
    with connection.cursor() as cursor:
        for table in (
            "django_session",
            "accounts_usersession",
            "visits_visit",
            "visits_historicalvisit",
            "visits_visitschedule",
            "children_accesslog",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
    director = None
    for candidate in User.objects.filter(role=Role.DIRECTOR, is_active=True).order_by("pk")[:200]:
        prefixes = list(candidate.areas.values_list("prefix", flat=True))
        if not prefixes:
            continue
        children = list(
            Child.objects.filter(village__code__startswith=prefixes[0], status="open")
            .order_by("pk")
            .values_list("pk", flat=True)[:40]
        )
        if len(children) >= 10 and not getattr(candidate, "must_change_password", False):
            director = candidate
            break
    if director is None:
        raise SystemExit("no director with at least 10 open children in this database")
    sessions = []
    for _ in range(n):
        client = Client()
        client.force_login(director)  # a real session row, as signing in makes
        sessions.append(client.cookies["sessionid"].value)
    return {"director": director.username, "children": children, "sessions": sessions}


class Http:
    """Minimal HTTP/1.1 over asyncio streams (one request per connection, as gunicorn's sync workers do)."""

    def __init__(self, port: int, timeout: float = 30):
        self.port = port
        self.timeout = timeout

    async def request(self, method: str, path: str, cookies: dict, body: bytes = b"", headers: dict | None = None):
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", self.port), self.timeout)
        try:
            lines = [
                f"{method} {path} HTTP/1.1",
                f"Host: 127.0.0.1:{self.port}",
                "Connection: close",
                "Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()),
            ]
            for k, v in (headers or {}).items():
                lines.append(f"{k}: {v}")
            if body:
                lines.append("Content-Type: application/x-www-form-urlencoded")
                lines.append(f"Content-Length: {len(body)}")
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
            await writer.drain()
            raw = await asyncio.wait_for(reader.read(-1), self.timeout)
        finally:
            writer.close()
        head, _, content = raw.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split()[1])
        response_headers = {}
        for line in header_lines:
            k, _, v = line.partition(":")
            response_headers.setdefault(k.strip().lower(), []).append(v.strip())
        return status, response_headers, content


async def csrf_for(http: Http, session: str, child: int) -> tuple[str, str]:
    """The CSRF cookie and a form token of this session, from the visit form as a browser gets them."""
    status, headers, content = await http.request("GET", f"/visits/child/{child}/new/", {"sessionid": session})
    assert status == 200, f"visit form answered {status}"
    cookie = next(c.split(";")[0].split("=", 1)[1] for c in headers["set-cookie"] if c.startswith("csrftoken="))
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content).group(1).decode()
    return cookie, token


async def run_load(port: int, prep: dict, seconds: float, max_requests: int) -> dict:
    from urllib.parse import urlencode

    http = Http(port)
    children = prep["children"]
    results: dict[str, list[float]] = {"worklist": [], "archive": [], "visit post": []}
    errors: dict[str, list[str]] = {k: [] for k in results}
    counter = {"n": 0}
    deadline = time.monotonic() + seconds

    async def connection(i: int, session: str):
        csrf_cookie, token = await csrf_for(http, session, children[i % len(children)])
        cookies = {"sessionid": session, "csrftoken": csrf_cookie}
        step = i  # connections start at different points of the cycle
        while time.monotonic() < deadline and counter["n"] < max_requests:
            counter["n"] += 1
            child = children[(step // 3) % len(children)]
            kind = ("worklist", "archive", "visit post")[step % 3]
            step += 1
            started = time.perf_counter()
            try:
                if kind == "worklist":
                    status, headers, _c = await http.request("GET", "/visits/worklist/", cookies)
                    ok = status == 200
                elif kind == "archive":
                    status, headers, _c = await http.request("GET", f"/children/{child}/", cookies)
                    ok = status == 200
                else:
                    local = datetime.datetime.now(BEIJING) - datetime.timedelta(hours=1)
                    body = urlencode(
                        {
                            "csrfmiddlewaretoken": token,
                            "kind": "home",
                            "visited_at": local.strftime("%Y-%m-%dT%H:%M"),
                            "met_whom": "奶奶",
                            "living_conditions": "fair",
                            "caregiver_status": "good",
                            "safety_hazards": "无",
                            "mood": "good",
                            "parents_contacted": "true",
                            "observations": "压力测试",
                        }
                    ).encode()
                    status, headers, _c = await http.request(
                        "POST",
                        f"/visits/child/{child}/new/",
                        cookies,
                        body,
                        {"Referer": f"http://127.0.0.1:{port}/visits/child/{child}/new/"},
                    )
                    ok = status == 302 and headers.get("location", [""])[0].endswith(f"/children/{child}/")
                if not ok:
                    errors[kind].append(f"HTTP {status}")
            except Exception as exc:  # noqa: BLE001 - every failure is counted and shown
                errors[kind].append(type(exc).__name__)
            results[kind].append((time.perf_counter() - started) * 1000)  # every request's latency, failed too

    wall = time.monotonic()
    await asyncio.gather(*(connection(i, s) for i, s in enumerate(prep["sessions"])))
    return {"results": results, "errors": errors, "wall": time.monotonic() - wall}


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def report(outcome: dict) -> str:
    rows = ["request          requests  errors    p50 ms    p95 ms    p99 ms    max ms"]
    everything = []
    for kind, times in outcome["results"].items():
        everything += times
        errs = len(outcome["errors"][kind])
        rows.append(
            f"{kind:<15}{len(times):>10}{errs:>8}{percentile(times, 50):>10.0f}{percentile(times, 95):>10.0f}"
            f"{percentile(times, 99):>10.0f}{max(times, default=float('nan')):>10.0f}"
        )
    total_errors = sum(len(e) for e in outcome["errors"].values())
    rows.append(
        f"{'all':<15}{len(everything):>10}{total_errors:>8}{percentile(everything, 50):>10.0f}"
        f"{percentile(everything, 95):>10.0f}{percentile(everything, 99):>10.0f}"
        f"{max(everything, default=float('nan')):>10.0f}"
    )
    rows.append(f"throughput: {len(everything) / outcome['wall']:.1f} responses/s over {outcome['wall']:.0f} s")
    if total_errors:
        kinds = {k: sorted(set(v))[:5] for k, v in outcome["errors"].items() if v}
        rows.append(f"errors: {kinds}")
    if everything:
        rows.append(f"mean {statistics.mean(everything):.0f} ms")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (default: config/gunicorn.py)")
    parser.add_argument("--max-requests", type=int, default=100_000)
    args = parser.parse_args()
    if not 0 < args.seconds <= MAX_SECONDS or not 0 < args.connections <= 200:
        raise SystemExit(f"--seconds must be in (0, {MAX_SECONDS}] and --connections in (0, 200]")
    if "care_bench" not in os.environ.get("DATABASE_URL", "") and "--any-db" not in sys.argv:
        raise SystemExit("set DATABASE_URL to the care_bench database (the 1,000,000-child demo)")

    prep = prepare_sessions(args.connections)
    port = free_port()
    env = {
        **os.environ,
        "GUNICORN_BIND": f"127.0.0.1:{port}",  # loopback only
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_MAX_REQUESTS": "0",
    }
    if args.workers:
        env["GUNICORN_WORKERS"] = str(args.workers)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    log = open(ROOT / "var" / "bench-gunicorn.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("gunicorn did not start; see var/bench-gunicorn.log") from None
                time.sleep(0.2)
        print(
            f"gunicorn on 127.0.0.1:{port}, director {prep['director']} with {len(prep['children'])} children, "
            f"{args.connections} connections for {args.seconds:.0f} s",
            flush=True,
        )
        # Warm-up: each worker imports and connects before the clock starts.
        asyncio.run(run_load(port, {**prep, "sessions": prep["sessions"][:5]}, 5, 200))
        outcome = asyncio.run(run_load(port, prep, args.seconds, args.max_requests))
        print(report(outcome))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()


if __name__ == "__main__":
    main()
