"""Every UI string is translated into Chinese, and the compiled catalogue matches the source."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_catalogue_is_complete_and_compiles():
    out = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(PO)], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert "untranslated" not in out.stderr and "fuzzy" not in out.stderr, out.stderr


def test_no_source_string_is_missing_from_the_catalogue(tmp_path):
    """makemessages over a copy of the code finds no msgid that the committed catalogue lacks.

    (A copy, because makemessages writes into the `locale/` folder it finds under its working directory.)"""
    import os
    import shutil

    from tests.conftest import require

    require(bool(shutil.which("xgettext")), "xgettext (gettext): apt-get install gettext")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "migrations")
    for name in ("accounts", "children", "visits", "guardianship", "tasks", "api", "templates", "config", "locale"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=ignore)
    from django.core.management import call_command
    from django.test import override_settings

    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
            call_command("makemessages", locale=["zh_Hans"], no_obsolete=True, verbosity=0)
    finally:
        os.chdir(cwd)
    copied = tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    out = subprocess.run(["msgfmt", "--statistics", "-o", "/dev/null", str(copied)], capture_output=True, text=True)
    assert "untranslated" not in out.stderr and "fuzzy" not in out.stderr, out.stderr
