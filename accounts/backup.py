"""Backups of the whole database: `pg_dump -Fc` / `pg_restore --clean` for PostgreSQL, sqlite3's online backup
API for SQLite (a consistent copy even while the app writes, unlike `cp` of a live file).

Uploaded files (MEDIA_ROOT or the object store) are not in the database: back them up with the file system's or
the store's own tools (README).
"""

import os
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone


def default_backup_path(alias: str = "default") -> Path:
    engine = settings.DATABASES[alias]["ENGINE"]
    suffix = "sqlite3" if "sqlite3" in engine else "dump"
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / f"careservices-{stamp}.{suffix}"


def _pg_args_env(db: dict) -> tuple[list[str], dict]:
    args = ["--host", db.get("HOST") or "127.0.0.1", "--port", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def backup(path: Path, alias: str = "default") -> Path:
    db = settings.DATABASES[alias]
    path.parent.mkdir(parents=True, exist_ok=True)
    if db["ENGINE"].endswith("postgresql"):
        args, env = _pg_args_env(db)
        subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--file", str(path), *args, db["NAME"]], env=env, check=True
        )
    elif db["ENGINE"].endswith("sqlite3"):
        source = sqlite3.connect(str(db["NAME"]))
        target = sqlite3.connect(str(path))
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        raise ValueError(f"Backups of {db['ENGINE']} are not supported.")
    path.chmod(0o600)  # personal data of minors
    return path


def restore(path: Path, alias: str = "default") -> None:
    """Replace the database's contents with the backup's. Other connections should be stopped first (README)."""
    db = settings.DATABASES[alias]
    if not path.is_file():
        raise FileNotFoundError(path)
    connections[alias].close()
    if db["ENGINE"].endswith("postgresql"):
        args, env = _pg_args_env(db)
        subprocess.run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                "--dbname",
                db["NAME"],
                *args,
                str(path),
            ],
            env=env,
            check=True,
        )
        # pg_restore brings no planner statistics (before PostgreSQL 18): until autovacuum came round, every page
        # would be planned for empty tables (bench/plan_stability.py, "no statistics"). Gather them now.
        with connections[alias].cursor() as cursor:
            cursor.execute("ANALYZE")
        connections[alias].close()
    elif db["ENGINE"].endswith("sqlite3"):
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        target = sqlite3.connect(str(db["NAME"]))
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        raise ValueError(f"Backups of {db['ENGINE']} are not supported.")
