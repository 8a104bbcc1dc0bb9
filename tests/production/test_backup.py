"""`manage.py backup` / `restore` (behind `make backup` and `make restore FILE=...`): a round trip on each engine.
The PostgreSQL test works on a scratch database it creates and drops itself, never on a shared one."""

import sqlite3
import uuid

import pytest

from .conftest import ROOT, run


def test_makefile_targets_call_the_commands():
    makefile = (ROOT / "Makefile").read_text()
    assert "$(BIN)/python manage.py backup $(FILE)" in makefile
    assert '$(BIN)/python manage.py restore "$(FILE)"' in makefile


def test_sqlite_round_trip(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    db = var / "db.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE child (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO child (name) VALUES ('甲'), ('乙')")
    env = {"DATABASE_URL": "", "VAR_DIR": str(var)}

    made = run(["manage.py", "backup"], env)
    assert made.returncode == 0, made.stderr
    backup = ROOT / made.stdout.strip().splitlines()[-1]
    assert backup.parent == var / "backups" and backup.suffix == ".sqlite3"
    assert backup.stat().st_mode & 0o077 == 0

    with sqlite3.connect(db) as conn:  # damage after the backup
        conn.execute("DELETE FROM child WHERE name = '甲'")
        conn.execute("INSERT INTO child (name) VALUES ('丙')")

    restored = run(["manage.py", "restore", str(backup)], env)
    assert restored.returncode == 0, restored.stderr
    with sqlite3.connect(db) as conn:
        assert [r[0] for r in conn.execute("SELECT name FROM child ORDER BY id")] == ["甲", "乙"]


def test_sqlite_backup_is_consistent_while_another_connection_writes(tmp_path):
    """The online backup API copies a consistent snapshot: an open write transaction is not half in the copy."""
    var = tmp_path / "var"
    var.mkdir()
    db = var / "db.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE visit (id INTEGER PRIMARY KEY)")
        conn.executemany("INSERT INTO visit VALUES (?)", [(i,) for i in range(1000)])
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute("BEGIN")
    writer.execute("INSERT INTO visit VALUES (5000)")  # not committed
    made = run(["manage.py", "backup", str(tmp_path / "copy.sqlite3")], {"DATABASE_URL": "", "VAR_DIR": str(var)})
    writer.execute("ROLLBACK")
    writer.close()
    assert made.returncode == 0, made.stderr
    with sqlite3.connect(tmp_path / "copy.sqlite3") as conn:
        assert conn.execute("SELECT count(*) FROM visit").fetchone()[0] == 1000


def test_restore_without_a_file_is_refused(tmp_path):
    done = run(["manage.py", "restore", str(tmp_path / "missing.dump")], {"DATABASE_URL": "", "VAR_DIR": str(tmp_path)})
    assert done.returncode != 0 and "No such backup file" in done.stderr


@pytest.fixture
def scratch_postgres(require_postgres):
    """A database of its own on the same server, dropped afterwards."""
    import psycopg2
    from django.db import connection

    s = connection.settings_dict
    host, port, user = s["HOST"] or "127.0.0.1", s["PORT"] or 5432, s["USER"] or "postgres"
    name = f"care_a1_scratch_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(host=host, port=port, user=user, password=s["PASSWORD"] or None, dbname="postgres")
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://{user}@{host}:{port}/{name}", dict(host=host, port=port, user=user, dbname=name)
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.mark.postgres
def test_postgres_round_trip(scratch_postgres, tmp_path):
    import psycopg2

    url, params = scratch_postgres
    with psycopg2.connect(**params) as conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE child (id serial PRIMARY KEY, name text NOT NULL)")
        cur.execute("INSERT INTO child (name) VALUES ('甲'), ('乙')")
    env = {"DATABASE_URL": url, "VAR_DIR": str(tmp_path)}

    made = run(["manage.py", "backup"], env)
    assert made.returncode == 0, made.stderr
    backup = ROOT / made.stdout.strip().splitlines()[-1]
    assert backup.suffix == ".dump" and backup.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format

    with psycopg2.connect(**params) as conn, conn.cursor() as cur:  # damage: a row lost, a row added
        cur.execute("DELETE FROM child WHERE name = '甲'")
        cur.execute("INSERT INTO child (name) VALUES ('丙')")

    restored = run(["manage.py", "restore", str(backup)], env)
    assert restored.returncode == 0, restored.stderr
    conn = psycopg2.connect(**params)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT name FROM child ORDER BY id")
            assert [r[0] for r in cur.fetchall()] == ["甲", "乙"]
            cur.execute("INSERT INTO child (name) VALUES ('丁') RETURNING id")  # the sequence came back too
            assert cur.fetchone()[0] == 3
            # The planner's statistics were gathered by the restore (pg_restore brings none).
            cur.execute("SELECT COUNT(*) FROM pg_stats WHERE tablename = 'child' AND attname = 'name'")
            assert cur.fetchone()[0] == 1
    finally:
        conn.close()
