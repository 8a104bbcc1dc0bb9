"""Private service instances for fault tests: a throwaway redis-server and PostgreSQL cluster on free ports, so
that stopping them never disturbs the shared services (5432, 6379) other test runs use."""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

from tests.conftest import require


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, *, up: bool, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            is_up = True
        except OSError:
            is_up = False
        if is_up == up:
            return
        time.sleep(0.05)
    raise AssertionError(f"port {port} did not go {'up' if up else 'down'}")


class PrivateRedis:
    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_port(self.port, up=True)

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        wait_port(self.port, up=False)


@pytest.fixture
def private_redis():
    require(bool(shutil.which("redis-server")), "redis-server (apt-get install redis-server)")
    server = PrivateRedis()
    server.start()
    yield server
    server.kill()


def _pg_bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else None


class PrivatePostgres:
    """A cluster under /tmp run as the `postgres` OS user (PostgreSQL refuses to run as root)."""

    def __init__(self):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="a2-pg-", dir="/tmp")
        shutil.chown(self.dir, "postgres", "postgres")
        self.data = os.path.join(self.dir, "data")
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _as_postgres(self, *cmd, check=True):
        return subprocess.run(
            ["runuser", "-u", "postgres", "--", *cmd], check=check, capture_output=True, text=True, timeout=60
        )

    def init(self):
        self._as_postgres(_pg_bin("initdb"), "-D", self.data, "--auth=trust", "-U", "postgres", "-E", "UTF8")

    def start(self):
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres(_pg_bin("pg_ctl"), "-D", self.data, "-o", opts, "-l", f"{self.dir}/log", "-w", "start")
        wait_port(self.port, up=True)

    def stop(self):
        self._as_postgres(_pg_bin("pg_ctl"), "-D", self.data, "-m", "fast", "-w", "stop", check=False)
        wait_port(self.port, up=False)

    def destroy(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def private_postgres():
    ok = bool(_pg_bin("initdb") and _pg_bin("pg_ctl") and shutil.which("runuser"))
    if ok:
        ok = subprocess.run(["id", "postgres"], capture_output=True).returncode == 0
    require(ok, "PostgreSQL server binaries and a postgres OS user (apt-get install postgresql)")
    server = PrivatePostgres()
    server.init()
    server.start()
    yield server
    server.destroy()
